// Scan the venue's rotating QR code and check in. Used from the events tab and an event's detail page.
// The same camera also reads the QR codes printed on notice and event posters, which open those pages.
const api = require('./api')
const { posterTarget } = require('./links')
const wxp = require('./wxp')
const { errorText } = require('./errors')

// Errors a fresh scan can fix: the code on the screen has already rotated, or the wrong code was scanned.
const RESCAN_CODES = ['token_expired', 'invalid_token']

/**
 * Resolves {status, data} from POST /checkins after opening the result page, {opened: url} when a poster
 * code opened a notice or event, or null when the member backed out of the camera or the check-in failed
 * (the reason has been shown).
 */
async function scanAndCheckIn() {
  let scanned
  try {
    scanned = await wxp('scanCode', { onlyFromCamera: true, scanType: ['qrCode'] })
  } catch (err) {
    if (!/cancel/.test((err && err.errMsg) || '')) wx.showToast({ title: '扫码失败，请重试', icon: 'none' })
    return null
  }
  const token = String(scanned.result || '').trim()
  const poster = posterTarget(token)
  if (poster) {
    wx.navigateTo({ url: poster.url })
    return { opened: poster.url }
  }
  wx.showLoading({ title: '正在签到', mask: true })
  let res
  try {
    res = await api.post('/checkins', { token }, { silent: true, full: true })
  } catch (err) {
    wx.hideLoading()
    const rescan = RESCAN_CODES.indexOf(err.code) >= 0
    const choice = await wxp('showModal', {
      title: '签到未成功',
      content: errorText(err),
      showCancel: rescan,
      confirmText: rescan ? '重新扫描' : '知道了',
      cancelText: '关闭',
    })
    return rescan && choice.confirm ? scanAndCheckIn() : null
  }
  wx.hideLoading()
  const { event_id: eventId, checked_in_at: at } = res.data
  // 201 is the first check-in; 200 repeats the earlier one, which the result page says.
  wx.navigateTo({
    url: `/pages/checkin/result?event_id=${eventId}&at=${encodeURIComponent(at)}&again=${res.status === 200 ? 1 : 0}`,
  })
  return res
}

module.exports = { scanAndCheckIn }
