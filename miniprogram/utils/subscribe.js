// Consent to WeChat subscribe messages ("服务通知"). WeChat grants one push per "accept", and only shows
// its consent dialog when wx.requestSubscribeMessage is called straight from a tap, so pages offer a
// button rather than asking on their own. Whatever WeChat answers is recorded with the server, which
// counts the pushes it may still send.
const config = require('../config')
const api = require('./api')
const wxp = require('./wxp')

const DISMISSED_KEY = 'noticeConsentDismissed'
// wx.requestSubscribeMessage fails with this when the member turned off all messages from us.
const MAIN_SWITCH_OFF = 20004

const NOTES = {
  accept: '已开启，下次通知将推送给您',
  reject: '未开启提醒。新通知仍会保存在「通知」页，随时可以查看',
  ban: '您已在微信中关闭了本小程序的通知提醒',
  unsaved: '提醒未能开启，请检查网络后重试',
  unavailable: '暂时无法开启提醒，请稍后再试',
}

/** Whether to offer the prompt: not after the member said "不再提示". */
function offerConsent() {
  return !wx.getStorageSync(DISMISSED_KEY)
}

function dismissConsent() {
  wx.setStorageSync(DISMISSED_KEY, true)
}

function explainBan() {
  wx.showModal({
    title: '通知提醒已关闭',
    content: '如需接收工会通知提醒，请点击右上角「···」→「设置」→「通知管理」，打开「接收通知」后再试。',
    confirmText: '去设置',
    cancelText: '暂不',
    // The modal's button counts as a tap, so the settings page may be opened straight from its callback.
    success: ({ confirm }) => {
      if (confirm) wx.openSetting({ withSubscriptions: true })
    },
  })
}

/**
 * Show WeChat's consent dialog for the notice template and record the answer. Must be called from a tap
 * handler before anything is awaited. Resolves {outcome, note, enabled}: outcome is accept, reject, ban,
 * filter or fail; note is what to tell the member; enabled when the server may now push one notice.
 * Never rejects.
 */
async function askNoticeConsent() {
  const templateId = config.subscribeTemplates.notice
  let answer
  try {
    answer = await wxp('requestSubscribeMessage', { tmplIds: [templateId] })
  } catch (err) {
    if (err && err.errCode === MAIN_SWITCH_OFF) {
      explainBan()
      return { outcome: 'ban', note: NOTES.ban }
    }
    // Older WeChat, no network, template not configured: nothing the member can fix right now.
    return { outcome: 'fail', note: NOTES.unavailable }
  }
  const results = {}
  Object.keys(answer).forEach(key => {
    if (key !== 'errMsg') results[key] = answer[key]
  })
  const outcome = results[templateId] || 'fail'
  let saved = false
  if (Object.keys(results).length) {
    saved = await api.post('/me/subscriptions', { results }, { silent: true }).then(() => true, () => false)
  }
  if (outcome === 'accept') {
    return saved ? { outcome, note: NOTES.accept, enabled: true } : { outcome, note: NOTES.unsaved }
  }
  if (outcome === 'ban') {
    explainBan()
    return { outcome, note: NOTES.ban }
  }
  return { outcome, note: outcome === 'reject' ? NOTES.reject : NOTES.unavailable }
}

/** data.consent for a page: the banner shows while visible; done hides its button after an accept. */
function consentState(visible) {
  return { visible, busy: false, done: false, note: '' }
}

/** Tap handlers for the consent banner (ids subscribe and subscribe-dismiss), mixed into a page. */
const consentHandlers = {
  onSubscribe() {
    if (this.data.consent.busy) return undefined
    this.setData({ consent: Object.assign({}, this.data.consent, { busy: true }) })
    // Called synchronously within the tap, as WeChat requires.
    return askNoticeConsent().then(({ note, enabled }) => {
      this.setData({ consent: { visible: true, busy: false, done: !!enabled, note } })
    })
  },

  onDismissConsent() {
    dismissConsent()
    this.setData({ consent: consentState(false) })
  },
}

module.exports = { askNoticeConsent, offerConsent, dismissConsent, consentState, consentHandlers, NOTES }
