// 我的领取: my claims, newest first (GET /me/claims), with their status and the last day to collect.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { claimView } = require('../../utils/benefits')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/claims', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(c => claimView(c, now)), total: res.total }
  },
}, {
  data: {},

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    // Back from a claim's code: staff may have redeemed it meanwhile.
    return this.refreshShown()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/benefits/claim?id=${e.currentTarget.dataset.id}` })
  },
}))
