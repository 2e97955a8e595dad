// One claim's code for staff to scan (核销): the QR big, the screen at full brightness while it is shown (and
// set back after), the code in text below for a scanner that cannot read the screen. The PNG is behind our
// bearer token, which <image src> cannot send, so it is downloaded first, as the event ticket is. A pickup point
// in a basement or a warehouse may have no signal: the claim and its QR are kept on the phone while the code can
// still be redeemed, and shown from there (marked as such) when the server cannot be reached.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { claimView, MESSAGES } = require('../../utils/benefits')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')
const wxp = require('../../utils/wxp')

const storeKey = id => `benefit-claim-${id}`

/** The copy kept on this phone: {claim, qr} (qr a saved file's path, or ''), or null. */
function stored(id) {
  const copy = wx.getStorageSync(storeKey(id))
  return copy && copy.claim ? copy : null
}

function forget(id) {
  const copy = stored(id)
  if (!copy) return
  wx.removeStorageSync(storeKey(id))
  if (copy.qr && wx.removeSavedFile) wx.removeSavedFile({ filePath: copy.qr })
}

Page(Object.assign({}, consentHandlers, {
  data: { c: null, qrImage: '', qrFailed: false, failed: false, error: '', offline: false, consent: consentState(false) },

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
    let raw
    try {
      raw = await withLabels(api.get(`/claims/${this.id}`, { silent: true }))
    } catch (err) {
      const copy = err.code === 'network_error' ? stored(this.id) : null
      if (copy) return this.showStored(copy)
      if (!this.data.c) this.setData({ failed: true, error: errorText(err, MESSAGES) })
      return
    }
    const c = claimView(raw)
    this.setData({ c, failed: false, offline: false })
    if (!c.showCode) {
      // Redeemed, cancelled or past the last day: nothing left to show offline.
      forget(this.id)
      this.restoreBrightness()
      return
    }
    this.brighten()
    const copy = stored(this.id)
    if (this.data.qrImage && copy && copy.qr === this.data.qrImage) {
      wx.setStorageSync(storeKey(this.id), { claim: raw, qr: copy.qr })
      return
    }
    try {
      const file = await api.download(`/claims/${this.id}/qr`, { query: { format: 'png' }, silent: true })
      this.setData({ qrImage: file, qrFailed: false })
      wx.setStorageSync(storeKey(this.id), { claim: raw, qr: await this.keep(file) })
    } catch (err) {
      if (!this.data.qrImage) this.setData({ qrFailed: true })
    }
  },

  /** A downloaded file is temporary: saved, it stays for an offline visit. Resolves the saved path, or ''. */
  async keep(tempFilePath) {
    try {
      const { savedFilePath } = await wxp('saveFile', { tempFilePath })
      this.setData({ qrImage: savedFilePath })
      return savedFilePath
    } catch (err) {
      return ''
    }
  },

  showStored(copy) {
    const c = claimView(copy.claim)
    if (!c.showCode) return this.setData({ c, failed: false, offline: true })
    this.setData({ c, failed: false, offline: true, qrImage: copy.qr || this.data.qrImage, qrFailed: !copy.qr && !this.data.qrImage })
    this.brighten()
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
