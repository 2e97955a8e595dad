// One claim's code for staff to scan (核销): the QR big, the screen at full brightness while it is shown (and
// set back after), the code in text below for a scanner that cannot read the screen. The PNG is behind our
// bearer token, which <image src> cannot send, so it is downloaded first, as the event ticket is.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { claimView, MESSAGES } = require('../../utils/benefits')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')

Page(Object.assign({}, consentHandlers, {
  data: { c: null, qrImage: '', qrFailed: false, failed: false, error: '', consent: consentState(false) },

  onLoad(query = {}) {
    this.id = query.id
    // Just claimed (?new=1): the reminder before the last day to collect is a notice, a natural moment to offer
    // push reminders.
    if (query.new === '1' && offerConsent()) this.setData({ consent: consentState(true) })
    return this.load()
  },

  onShow() {
    if (this.data.c && this.data.c.showCode) this.brighten()
  },

  onHide() {
    this.restoreBrightness()
  },

  onUnload() {
    this.restoreBrightness()
  },

  onPullDownRefresh() {
    // After staff scanned it: shows 已核销.
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    let c
    try {
      c = claimView(await withLabels(api.get(`/claims/${this.id}`, { silent: true })))
    } catch (err) {
      if (!this.data.c) this.setData({ failed: true, error: errorText(err, MESSAGES) })
      return
    }
    this.setData({ c, failed: false })
    if (!c.showCode) {
      this.restoreBrightness()
      return
    }
    this.brighten()
    if (this.data.qrImage) return
    try {
      const file = await api.download(`/claims/${this.id}/qr`, { query: { format: 'png' }, silent: true })
      this.setData({ qrImage: file, qrFailed: false })
    } catch (err) {
      this.setData({ qrFailed: true })
    }
  },

  onRetryQr() {
    return this.load()
  },

  /** Full brightness while the code is on screen, so a scanner reads it in a bright hall; the phone keeps it on. */
  brighten() {
    if (this.brightened) return
    this.brightened = true
    if (wx.getScreenBrightness) {
      wx.getScreenBrightness({
        success: res => { if (this.brightened && this.savedBrightness === undefined) this.savedBrightness = res.value },
      })
    }
    if (wx.setScreenBrightness) wx.setScreenBrightness({ value: 1 })
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: true })
  },

  restoreBrightness() {
    if (!this.brightened) return
    this.brightened = false
    if (wx.setScreenBrightness && this.savedBrightness !== undefined) wx.setScreenBrightness({ value: this.savedBrightness })
    this.savedBrightness = undefined
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: false })
  },

  onCopy() {
    wx.setClipboardData({ data: this.data.c.code })
  },

  onBenefit() {
    wx.navigateTo({ url: `/pages/benefits/detail?id=${this.data.c.benefitId}` })
  },
}))
