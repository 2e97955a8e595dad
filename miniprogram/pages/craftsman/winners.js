// A year's craftsman stars (pages/craftsman/winners?year=, where the "results published" notice points), by
// rank (GET /craftsman/winners?year=), each opening the winner's page.
const api = require('../../utils/api')
const { pagedList } = require('../../utils/pagedList')
const { winnerView } = require('../../utils/craftsman')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await api.get('/craftsman/winners', { query: { year: this.year, page, per_page: perPage } })
    return { items: res.items.map(winnerView), total: res.total }
  },
}, {
  data: { year: '' },

  onLoad(query = {}) {
    this.year = query.year || ''
    this.setData({ year: this.year })
    if (this.year && wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: `${this.year}年度工匠之星` })
    return this.refreshList()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/craftsman/winner?id=${e.currentTarget.dataset.id}` })
  },
}))
