// 待我确认的比价: the purchases I am a named worker representative of (GET /fund/procurements/mine); those still
// open and unconfirmed first in the member's eye by their badge.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { procurementView } = require('../../utils/openness')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/fund/procurements/mine', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(p => procurementView(p, now)), total: res.total }
  },
}, {
  data: {},

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    return this.refreshShown()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/procurements/detail?id=${e.currentTarget.dataset.id}` })
  },
}))
