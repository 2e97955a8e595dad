// The craftsman star (工匠之星): the rounds, latest year first (GET /craftsman/rounds), each with its stage, and
// the winners of past years (GET /craftsman/winners: latest year first, by rank), grouped by year.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { roundView, winnerView } = require('../../utils/craftsman')

/** Winners by year, in the server's order: [{year, winners}]. */
function byYear(winners) {
  const years = []
  winners.forEach(w => {
    const last = years[years.length - 1]
    if (last && last.year === w.year) last.winners.push(w)
    else years.push({ year: w.year, winners: [w] })
  })
  return years
}

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await api.get('/craftsman/winners', { query: { page, per_page: perPage } })
    return { items: res.items.map(winnerView), total: res.total }
  },

  present(items) {
    return { years: byYear(items) }
  },
}, {
  data: { rounds: [], roundsFailed: false, years: [] },

  onLoad() {
    return Promise.all([this.loadRounds(), this.refreshList()])
  },

  onShow() {
    if (this.data.page > 0) return Promise.all([this.loadRounds(), this.refreshShown()])
    return Promise.resolve()
  },

  onPullDownRefresh() {
    return Promise.all([this.loadRounds(), this.refreshList()]).then(() => wx.stopPullDownRefresh())
  },

  async loadRounds() {
    try {
      const res = await withLabels(api.get('/craftsman/rounds', { query: { per_page: 20 }, silent: true }))
      const now = Date.now()
      this.setData({ rounds: res.items.map(r => roundView(r, { now })), roundsFailed: false })
    } catch (err) {
      this.setData({ roundsFailed: true })
    }
  },

  onRound(e) {
    wx.navigateTo({ url: `/pages/craftsman/round?id=${e.currentTarget.dataset.id}` })
  },

  onWinner(e) {
    wx.navigateTo({ url: `/pages/craftsman/winner?id=${e.currentTarget.dataset.id}` })
  },
}))
