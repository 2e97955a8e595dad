// 福利领取: the campaigns open to me (GET /benefits: upcoming, open and redeeming first), my claim marked on each.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { benefitView } = require('../../utils/benefits')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/benefits', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(b => benefitView(b, now)), total: res.total }
  },
}, {
  data: {},

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    // Back from a campaign: my claim (or a cancellation) shows on its card.
    return this.refreshShown()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/benefits/detail?id=${e.currentTarget.dataset.id}` })
  },

  onMyClaims() {
    wx.navigateTo({ url: '/pages/benefits/claims' })
  },
}))
