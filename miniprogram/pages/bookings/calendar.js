const api = require('../../utils/api')
const { slotsByDay, serviceName, formatDate, toShanghaiISO } = require('../../utils/format')
const { errorText, BOOKING_MESSAGES } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')

const TOPIC_MAX = 500
// After these refusals the slots on screen are out of date: show them anew.
const RELOAD_ON = ['slot_full', 'slot_not_open']

Page(pagedList({
  perPage: 100,

  beforeRefresh() {
    // Later pages keep the same "from" so slots do not shift while scrolling.
    this.from = toShanghaiISO(Date.now())
  },

  async load(page, perPage) {
    const res = await api.get(`/calendars/${this.data.id}/slots`, { query: { from: this.from, page, per_page: perPage } })
    return { items: res.items, total: res.total }
  },

  present(slots) {
    return { days: slotsByDay(slots, Date.now()) }
  },
}, Object.assign({}, consentHandlers, {
  data: {
    id: null,
    calendar: null,
    calendarFailed: false,
    serviceName: '',
    days: [],
    picked: null, // the slot in the confirm sheet
    topic: '',
    topicMax: TOPIC_MAX,
    busy: false,
    consent: consentState(false),
  },

  onLoad(query) {
    this.setData({ id: query.id })
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    // No slots before the calendar itself has loaded.
    return this.data.calendar ? this.loadMore() : undefined
  },

  async load() {
    try {
      const calendar = await withLabels(api.get(`/calendars/${this.data.id}`))
      this.setData({ calendar, serviceName: serviceName(calendar.kind), calendarFailed: false })
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: calendar.title })
    } catch (err) {
      if (!this.data.calendar) this.setData({ calendarFailed: true })
      return
    }
    await this.refreshList()
  },

  onPick(e) {
    const slot = this.data.items.find(s => String(s.id) === String(e.currentTarget.dataset.id))
    const view = slot && slotsByDay([slot])[0]
    if (!view || view.slots[0].disabled) return
    this.setData({ picked: Object.assign({ dateText: formatDate(slot.starts_at) }, view.slots[0]), topic: '' })
  },

  onTopicInput(e) {
    this.setData({ topic: String(e.detail.value || '').slice(0, TOPIC_MAX) })
  },

  onClosePicked() {
    if (!this.data.busy) this.setData({ picked: null })
  },

  noop() {},

  async onBook() {
    if (this.data.busy || !this.data.picked) return
    this.setData({ busy: true })
    // The topic is for the secretary's reception day only; the server refuses it anywhere else.
    const topic = this.data.topic.trim()
    const body = this.data.calendar.kind === 'reception_day' && topic ? { topic } : {}
    try {
      const res = await api.post(`/slots/${this.data.picked.id}/bookings`, body, { silent: true, full: true })
      this.setData({ picked: null })
      wx.showToast({ title: res.status === 201 ? '预约成功' : '您已预约该时段', icon: 'success' })
      // A reminder before the appointment will follow: a natural moment to offer push reminders.
      if (offerConsent()) this.setData({ consent: consentState(true) })
      await this.refreshList()
    } catch (err) {
      wx.showModal({ title: '预约未成功', content: errorText(err, BOOKING_MESSAGES), showCancel: false, confirmText: '知道了' })
      if (RELOAD_ON.indexOf(err.code) >= 0) {
        this.setData({ picked: null })
        await this.refreshList()
      }
    } finally {
      this.setData({ busy: false })
    }
  },

  onMine() {
    wx.navigateTo({ url: '/pages/bookings/mine' })
  },
})))
