const api = require('../../utils/api')
const { SERVICES } = require('../../utils/format')

Page({
  data: {
    services: SERVICES.map(s => Object.assign({ calendars: [] }, s)),
    loading: false,
    failed: false,
  },

  onLoad() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    this.setData({ loading: true, failed: false })
    try {
      // Only calendars open to this member come back; a handful per service, so one page holds them all.
      const res = await api.get('/calendars', { query: { page: 1, per_page: 100 } })
      const services = SERVICES.map(s => Object.assign({}, s, { calendars: res.items.filter(c => c.kind === s.kind) }))
      this.setData({ services, loading: false })
    } catch (err) {
      this.setData({ loading: false, failed: true })
    }
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/bookings/calendar?id=${e.currentTarget.dataset.id}` })
  },

  onMine() {
    wx.navigateTo({ url: '/pages/bookings/mine' })
  },
})
