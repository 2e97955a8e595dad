const api = require('../../utils/api')
const { eventView, toShanghaiISO } = require('../../utils/format')
const { scanAndCheckIn } = require('../../utils/checkin')

const PER_PAGE = 20

Page({
  data: {
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    failed: false,
  },

  onLoad() {
    return this.refresh()
  },

  onShow() {
    // Coming back from a detail page: my status on that event may have changed.
    if (this.data.page > 0 && !this.data.loading) return this.refresh()
    return undefined
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    if (this.data.finished || this.data.loading) return undefined
    return this.fetch(this.data.page + 1)
  },

  refresh() {
    // Pages after the first keep the same "from" so items do not shift while scrolling.
    this.from = toShanghaiISO(Date.now())
    return this.fetch(1)
  },

  async fetch(page) {
    this.setData({ loading: true, failed: false })
    try {
      const res = await api.get('/events', { query: { from: this.from, page, per_page: PER_PAGE } })
      const now = Date.now()
      const fresh = res.items.map(e => eventView(e, now))
      const items = page === 1 ? fresh : this.data.items.concat(fresh)
      this.setData({
        items,
        page,
        total: res.total,
        finished: items.length >= res.total || fresh.length === 0,
        loading: false,
      })
    } catch (err) {
      this.setData({ loading: false, failed: true })
    }
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
})
