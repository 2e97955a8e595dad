// 评优公示: awards in their public notice period (with the countdown to its end) or final (GET /awards).
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { awardView } = require('../../utils/openness')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/awards', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(a => awardView(a, now)), total: res.total }
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
    wx.navigateTo({ url: `/pages/awards/detail?id=${e.currentTarget.dataset.id}` })
  },
}))
