// Scan the venue's rotating QR code and check in (or, at a volunteer event, check out: its check-out code
// starts with "o1."). Used from the events tab, an event's detail page and 我的志愿时长.
// The same camera also reads the QR codes printed on notice and event posters, which open those pages.
const api = require('./api')
const { posterTarget } = require('./links')
const wxp = require('./wxp')
const { errorText } = require('./errors')

// Errors a fresh scan can fix: the code on the screen has already rotated, or the wrong code was scanned.
const RESCAN_CODES = ['token_expired', 'invalid_token']

// A volunteer event's check-out code (server/events/checkin.py, mode checkout); anything else is a check-in.
const CHECKOUT_PREFIX = 'o1.'

/**
 * Resolves {status, data} from POST /checkins (POST /checkouts for a check-out code) after opening the result
 * page, {opened: url} when a poster
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
  const checkout = token.startsWith(CHECKOUT_PREFIX)
  wx.showLoading({ title: checkout ? '正在签退' : '正在签到', mask: true })
  let res
  try {
    res = await api.post(checkout ? '/checkouts' : '/checkins', { token }, { silent: true, full: true })
  } catch (err) {
    wx.hideLoading()
    const rescan = RESCAN_CODES.indexOf(err.code) >= 0
    const choice = await wxp('showModal', {
      title: checkout ? '签退未成功' : '签到未成功',
      content: errorText(err),
      showCancel: rescan,
      confirmText: rescan ? '重新扫描' : '知道了',
      cancelText: '关闭',
    })
    return rescan && choice.confirm ? scanAndCheckIn() : null
  }
  wx.hideLoading()
  const again = res.status === 200 ? 1 : 0
  if (checkout) {
    const { event_id: eventId, checked_out_at: at, minutes } = res.data
    wx.navigateTo({
      url: `/pages/checkin/result?mode=checkout&event_id=${eventId}&at=${encodeURIComponent(at)}` +
        `&minutes=${minutes}&again=${again}`,
    })
    return res
  }
  const { event_id: eventId, checked_in_at: at } = res.data
  // 201 is the first check-in; 200 repeats the earlier one, which the result page says.
  wx.navigateTo({
    url: `/pages/checkin/result?event_id=${eventId}&at=${encodeURIComponent(at)}&again=${again}`,
  })
  return res
}

module.exports = { scanAndCheckIn }
