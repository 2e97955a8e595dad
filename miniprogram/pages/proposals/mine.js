// My proposals (GET /me/proposals): the ones I drafted or submitted and the ones I co-signed, each saying which.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { proposalRow } = require('../../utils/proposals')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/proposals', { query: { page, per_page: perPage } }))
    const now = Date.now()
    // Each item says whether it is mine (mine) or one I co-signed.
    return { items: res.items.map(p => proposalRow(p, { now })), total: res.total }
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
    wx.navigateTo({ url: `/pages/proposals/detail?id=${e.currentTarget.dataset.id}` })
  },
}))
