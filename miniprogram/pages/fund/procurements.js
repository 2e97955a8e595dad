// A published month's procurement comparisons (GET /fund/procurements?month=YYYY-MM): every member reads the
// quotes, the choice, its reason and the representatives once the month's fund statement is published. Opened
// from the month's page (pages/fund/month) or from 我的 (then every published month, newest first).
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { procurementView } = require('../../utils/openness')

const MONTH_RE = /^20\d\d-(0[1-9]|1[0-2])$/

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const query = { page, per_page: perPage }
    if (this.month) query.month = this.month
    const res = await withLabels(api.get('/fund/procurements', { query }))
    const now = Date.now()
    return { items: res.items.map(p => procurementView(p, now)), total: res.total }
  },
}, {
  data: { month: '' },

  onLoad(query = {}) {
    this.month = MONTH_RE.test(query.month || '') ? query.month : ''
    this.setData({ month: this.month })
    if (this.month) wx.setNavigationBarTitle({ title: `${this.month} 比价采购` })
    return this.refreshList()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/procurements/detail?id=${e.currentTarget.dataset.id}` })
  },
}))
