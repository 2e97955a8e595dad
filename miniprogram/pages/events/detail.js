const api = require('../../utils/api')
const { eventView, signupState, formatDateTime } = require('../../utils/format')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { scanAndCheckIn } = require('../../utils/checkin')
const wxp = require('../../utils/wxp')
const { pageId } = require('../../utils/links')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')

// After these refusals the event itself has changed (cancelled, filled up, window shut): show it anew.
const RELOAD_ON = ['event_cancelled', 'event_full', 'signup_closed']
// A cancellation refused because the member has checked in meanwhile (staff scanned the ticket, another
// device): show the check-in, which offers no cancellation.
const RELOAD_ON_CANCEL = ['already_checked_in']

Page(Object.assign({}, consentHandlers, {
  data: {
    id: null,
    event: null,
    signup: null,
    windowText: '',
    failed: false,
    busy: false,
    ticketImage: '',
    ticketVisible: false,
    consent: consentState(false),
  },

  onLoad(query) {
    // ?id= from our own pages; ?q= is the poster link when WeChat opened us from a scanned poster.
    this.setData({ id: pageId(query, 'event') })
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      const event = await withLabels(api.get(`/events/${this.data.id}`))
      this.show(event)
    } catch (err) {
      if (!this.data.event) this.setData({ failed: true })
    }
  },

  show(event) {
    const now = Date.now()
    const windowText = event.signup_opens_at || event.signup_closes_at
      ? `${event.signup_opens_at ? formatDateTime(event.signup_opens_at, now) : '即日起'} 至 ${formatDateTime(event.signup_closes_at || event.starts_at, now)}`
      : ''
    this.setData({ event: eventView(event, now), signup: signupState(event, now), windowText, failed: false })
    wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: event.title })
  },

  async onSignUp() {
    if (this.data.busy) return
    this.setData({ busy: true })
    try {
      const reg = await api.post(`/events/${this.data.id}/registrations`, {}, { silent: true })
      // Show the outcome at once; the reload below refreshes seat counts.
      this.show(Object.assign({}, this.data.event, { my_registration: reg }))
      if (reg.status === 'waitlisted') {
        wx.showModal({
          title: '已加入候补',
          content: `您目前是候补第 ${reg.waitlist_position} 位。有人取消报名时将按顺序自动递补，并通知您。`,
          showCancel: false,
          confirmText: '知道了',
        })
      } else {
        wx.showToast({ title: '报名成功', icon: 'success' })
      }
      // Notices about this event will follow: a natural moment to offer push reminders.
      if (offerConsent()) this.setData({ consent: consentState(true) })
      await this.load()
    } catch (err) {
      wx.showModal({ title: '报名未成功', content: errorText(err), showCancel: false, confirmText: '知道了' })
      if (RELOAD_ON.indexOf(err.code) >= 0) await this.load()
    } finally {
      this.setData({ busy: false })
    }
  },

  async onCancel() {
    if (this.data.busy) return
    const waitlisted = this.data.event.my_registration && this.data.event.my_registration.status === 'waitlisted'
    const { confirm } = await wxp('showModal', {
      title: waitlisted ? '退出候补' : '取消报名',
      content: waitlisted ? '确定退出候补吗？' : '确定取消报名吗？名额将让给候补的同事。',
      confirmText: '确定取消',
      confirmColor: '#C8372D',
      cancelText: '再想想',
    })
    if (!confirm) return
    this.setData({ busy: true })
    try {
      await api.del(`/events/${this.data.id}/registrations/me`, { silent: true })
      this.setData({ ticketVisible: false, ticketImage: '' })
      wx.showToast({ title: '已取消报名', icon: 'success' })
      await this.load()
    } catch (err) {
      wx.showModal({ title: '取消未成功', content: errorText(err), showCancel: false, confirmText: '知道了' })
      if (RELOAD_ON_CANCEL.indexOf(err.code) >= 0) await this.load()
    } finally {
      this.setData({ busy: false })
    }
  },

  async onShowTicket() {
    if (!this.data.ticketImage) {
      wx.showLoading({ title: '加载入场券' })
      try {
        // The PNG is behind our bearer token, which <image src> cannot send: download it first.
        const file = await api.download(`/events/${this.data.id}/ticket`, { query: { format: 'png' }, silent: true })
        this.setData({ ticketImage: file })
      } catch (err) {
        wx.hideLoading()
        wx.showToast({ title: '入场券获取失败，请稍后重试', icon: 'none' })
        return
      }
      wx.hideLoading()
    }
    this.setData({ ticketVisible: true })
  },

  onHideTicket() {
    this.setData({ ticketVisible: false })
  },

  noop() {},

  onScan() {
    return scanAndCheckIn()
  },
}))
