// 经费公开: the published months, newest first as the server lists them (GET /fund/months), each with its
// income, expense and balance, and the chain check (GET /fund/verify) recomputed by the server from the
// stored entries: a badge that says whether every published month still matches its hash.
const api = require('../../utils/api')
const { pagedList } = require('../../utils/pagedList')
const { monthRow, verifyBadge } = require('../../utils/fund')

Page(pagedList({
  perPage: 12,
  key: 'month',

  async load(page, perPage) {
    const res = await api.get('/fund/months', { query: { page, per_page: perPage } })
    const now = Date.now()
    return { items: res.items.map(m => monthRow(m, now)), total: res.total }
  },
}, {
  data: { verify: null },

  onLoad() {
    return this.refresh()
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh())
  },

  refresh() {
    return Promise.all([this.refreshList(), this.checkChain()])
  },

  async checkChain() {
    try {
      // The check is a reassurance beside the list: when it cannot be had, the list still shows.
      this.setData({ verify: verifyBadge(await api.get('/fund/verify', { silent: true })) })
    } catch (err) {
      this.setData({ verify: null })
    }
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/fund/month?month=${e.currentTarget.dataset.month}` })
  },
}))
