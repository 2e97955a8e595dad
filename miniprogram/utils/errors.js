// Error codes from the API contract, in the words a member should read. The server's own message is
// shown whenever it sent one (it is written for members and knows more, e.g. which limit was reached);
// these texts stand in when it did not, and for failures where no answer came back at all. Behaviour
// switches on the code only, never on the message.

const MESSAGES = {
  // sign-in and binding
  wechat_login_failed: '微信登录失败，请稍后重试',
  wechat_unavailable: '微信服务暂时不可用，请稍后重试',
  unauthenticated: '登录失败，请重新进入小程序',
  not_bound: '请先验证手机号，绑定工会会员身份',
  not_on_roster: '该手机号不在工会会员名册中。请确认使用的是登记在册的手机号，或联系本部门工会联络员核对。',
  already_bound: '该会员身份已绑定其他微信账号。如需更换微信，请联系工会干事解绑。',
  forbidden: '没有权限执行此操作',
  // events
  not_found: '内容不存在或已被删除',
  not_eligible: '该活动仅面向指定部门或群体，您不在报名范围内',
  signup_closed: '当前不在报名时间内',
  event_full: '名额已满，且该活动不设候补',
  event_cancelled: '该活动已取消',
  event_started: '活动已开始，无法取消报名',
  already_checked_in: '您已签到，不能取消报名',
  // check-in
  token_expired: '二维码已过期，请重新扫描现场二维码',
  invalid_token: '无法识别该二维码，请扫描活动现场大屏上的签到二维码',
  not_registered: '您未报名该活动，无法签到。如有疑问请联系现场工作人员。',
  checkin_closed: '当前不在签到时间内，请在活动开始前后规定时间内签到',
  // slot booking
  slot_full: '该时段已约满，请选择其他时段',
  booking_limit: '您在该项服务已有未到期的预约，已达可同时预约的上限。如需改约，请先在「我的预约」中取消原预约。',
  slot_not_open: '该时段当前不可预约，请选择其他时段',
  cancel_cutoff_passed: '已过在线取消截止时间，无法在线取消，请联系工会',
  // suggestion box
  suggestion_closed: '该意见已办结，不能再补充',
  // requests and uploads
  invalid_transition: '状态已变化，请刷新后查看',
  invalid_attachment: '照片无效或已被使用，请删除后重新选择',
  // generic
  invalid_request: '请求内容有误',
  rate_limited: '操作过于频繁，请稍后再试',
  service_unavailable: '服务暂时不可用，请稍后重试',
  network_error: '网络连接失败，请检查网络后重试',
  download_failed: '文件获取失败，请稍后重试',
}

// Where a code means something else in booking than for events, pages pass these to errorText.
const BOOKING_MESSAGES = {
  not_eligible: '该预约服务仅面向指定部门或群体，您不在预约范围内',
  not_found: '该时段或预约不存在，可能已被取消',
}

// Codes whose details.reason tells the member more precisely what happened.
const REASONS = {
  // POST /checkins: the waitlisted and the cancelled did sign up, so "未报名" would be untrue for them.
  not_registered: {
    waitlisted: '您在候补名单中，尚未获得名额，无法签到。如有疑问请联系现场工作人员。',
    cancelled: '您已取消报名，无法签到。如有疑问请联系现场工作人员。',
  },
  slot_not_open: {
    not_published: '该时段尚未开放预约，请留意工会通知',
    started: '该时段已开始或已结束，请选择其他时段',
    cancelled: '该时段已取消，请选择其他时段',
  },
}

// What the member can do next, added after the server's reason when the app knows better than the
// server's wording: a 401 here came after a fresh wx.login too, so "重新登录" can only mean re-entering.
// No hint for unauthenticated: it reaches the member only after a fresh sign-in was refused too (e.g.
// the member left the roster), where re-entering does not help and the server's reason says what does.
const HINTS = {
  booking_limit: '如需改约，请先在「我的预约」中取消原预约',
  slot_full: '请选择其他时段',
  not_registered: '如有疑问请联系现场工作人员',
}
// Hints that depend on details.reason.
const REASON_HINTS = {
  slot_not_open: { not_published: '请留意工会通知', started: '请选择其他时段', cancelled: '请选择其他时段' },
}

/** Why a booking cannot be cancelled in the app any more; hours is the calendar's cut-off. */
function cancelCutoffText(hours) {
  return hours ? `距开始不足 ${hours} 小时，无法在线取消，请联系工会` : MESSAGES.cancel_cutoff_passed
}

class ApiError extends Error {
  constructor(code, message, status = 0, details = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.details = details || {}
  }
}

/** An ApiError from a response that was not 2xx, read from {"error": {code, message, details}}. */
function fromResponse(statusCode, body) {
  const e = body && typeof body === 'object' && body.error
  if (e && e.code) {
    const err = new ApiError(e.code, e.message, statusCode, e.details)
    // Only what the server said is shown to members; transport errors' messages are for logs.
    err.serverMessage = typeof e.message === 'string' ? e.message : ''
    return err
  }
  return new ApiError(statusCode >= 500 ? 'service_unavailable' : 'http_' + statusCode, '', statusCode)
}

/** The message the server sent with this error, or '' (none, or no answer came back at all). */
function serverMessage(err) {
  return (err && typeof err.serverMessage === 'string' && err.serverMessage.trim()) || ''
}

function hintFor(err) {
  const byReason = REASON_HINTS[err.code]
  if (byReason) return (err.details && byReason[err.details.reason]) || ''
  return HINTS[err.code] || ''
}

/**
 * The Chinese text to show for an error (an ApiError, or anything thrown): the server's message with
 * the app's hint, else the app's text (overrides win per code).
 */
function errorText(err, overrides = {}) {
  if (!err) return '操作失败，请稍后重试'
  const said = serverMessage(err)
  if (said) {
    const hint = hintFor(err)
    return hint ? said.replace(/[。.！!，,；;\s]+$/, '') + '。' + hint : said
  }
  const reason = REASONS[err.code] && err.details && REASONS[err.code][err.details.reason]
  return reason || overrides[err.code] || MESSAGES[err.code] || '操作失败，请稍后重试'
}

module.exports = { ApiError, fromResponse, errorText, cancelCutoffText, MESSAGES, BOOKING_MESSAGES }
