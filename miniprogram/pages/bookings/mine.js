const api = require('../../utils/api')
const wxp = require('../../utils/wxp')
const { bookingView } = require('../../utils/format')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { errorText, cancelCutoffText, BOOKING_MESSAGES } = require('../../utils/errors')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/bookings', { query: { status: 'booked', page, per_page: perPage } }))
    const now = Date.now()
    const all = res.items.map(b => bookingView(b, now))
    // The server lists upcoming bookings first; the first past one ends what this page shows.
    const items = all.filter(b => b.upcoming)
    return { items, total: res.total, done: items.length < all.length }
  },
}, {
  data: {
    busy: false,
  },

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    return this.refreshShown()
  },

  async onCancel(e) {
    if (this.data.busy) return
    const booking = this.data.items.find(b => String(b.id) === String(e.currentTarget.dataset.id))
    if (!booking) return
    const { confirm } = await wxp('showModal', {
      title: '取消预约',
      content: `确定取消「${booking.calendar.title}」${booking.timeText} 的预约吗？`,
      confirmText: '确定取消',
      confirmColor: '#C8372D',
      cancelText: '再想想',
    })
    if (!confirm) return
    this.setData({ busy: true })
    try {
      await api.del(`/bookings/${booking.id}`, { silent: true })
      wx.showToast({ title: '已取消预约', icon: 'success' })
      this.setData({ items: this.data.items.filter(b => b.id !== booking.id) })
    } catch (err) {
      // The calendar's cut-off words the refusal only when the server's message did not come through.
      const content = errorText(err, Object.assign({}, BOOKING_MESSAGES, {
        cancel_cutoff_passed: cancelCutoffText(booking.calendar.cancel_cutoff_hours),
      }))
      wx.showModal({ title: '取消未成功', content, showCancel: false, confirmText: '知道了' })
      if (err.code === 'cancel_cutoff_passed') await this.refreshList()
    } finally {
      this.setData({ busy: false })
    }
  },

  onBrowse() {
    wx.navigateTo({ url: '/pages/bookings/index' })
  },
}))
