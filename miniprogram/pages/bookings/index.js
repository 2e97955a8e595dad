const api = require('../../utils/api')
const { services } = require('../../utils/format')
const { ready, withLabels } = require('../../utils/labels')

function servicesWith(calendars) {
  return services().map(s => Object.assign({}, s, { calendars: calendars.filter(c => c.kind === s.kind) }))
}

Page({
  data: {
    services: [],
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
      const res = await withLabels(api.get('/calendars', { query: { page: 1, per_page: 100 } }))
      this.setData({ services: servicesWith(res.items), loading: false })
    } catch (err) {
      // The services are still listed, by name, above the failure.
      await ready()
      if (!this.data.services.length) this.setData({ services: servicesWith([]) })
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
