const api = require('../../utils/api')
const { eventView, toShanghaiISO } = require('../../utils/format')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { scanAndCheckIn } = require('../../utils/checkin')

Page(pagedList({
  perPage: 20,

  beforeRefresh() {
    // Pages after the first keep the same "from" so items do not shift while scrolling.
    this.from = toShanghaiISO(Date.now())
  },

  async load(page, perPage) {
    const res = await withLabels(api.get('/events', { query: { from: this.from, page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(e => eventView(e, now)), total: res.total }
  },
}, {
  onLoad() {
    return this.refreshList()
  },

  onShow() {
    // Coming back from a detail page: my status on that event may have changed.
    return this.refreshShown()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/events/detail?id=${e.currentTarget.dataset.id}` })
  },

  onScan() {
    return scanAndCheckIn()
  },

  onBookings() {
    wx.navigateTo({ url: '/pages/bookings/index' })
  },
}))
