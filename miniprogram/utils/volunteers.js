// Volunteer hours as members read them: whole minutes from the server, shown as hours and minutes.

/** "2 小时 15 分钟", "45 分钟", "3 小时"; negative for a correction taking time away. */
function durationText(minutes) {
  const sign = minutes < 0 ? '-' : ''
  const m = Math.abs(Math.trunc(minutes))
  const h = Math.floor(m / 60)
  const rest = m % 60
  if (h && rest) return `${sign}${h} 小时 ${rest} 分钟`
  if (h) return `${sign}${h} 小时`
  return `${sign}${rest} 分钟`
}

module.exports = { durationText }
