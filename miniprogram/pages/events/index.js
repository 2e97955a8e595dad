const api = require('../../utils/api')
const { eventView, toShanghaiISO } = require('../../utils/format')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { scanAndCheckIn } = require('../../utils/checkin')
const { closesText } = require('../../utils/participation')

/**
 * "待参与": my open surveys (GET /me/surveys) and votes (GET /me/votes), those still waiting for me first,
 * then by close time. Either list failing leaves the other shown; the section hides when nothing is open.
 */
async function openItems(now) {
  const fetch = path => api.get(path, { query: { page: 1, per_page: 100 }, silent: true })
    .then(res => (res && res.items) || [], () => [])
  const [surveys, votes] = await Promise.all([fetch('/me/surveys'), fetch('/me/votes')])
  const rows = surveys.map(s => ({
    key: 'survey-' + s.id, id: s.id, type: 'survey', typeText: '问卷', title: s.title,
    done: !!s.answered, doneText: '已填写', todoText: '去填写', closes_at: s.closes_at,
  })).concat(votes.map(v => ({
    key: 'vote-' + v.id, id: v.id, type: 'vote', typeText: '投票', title: v.title,
    done: !!v.voted, doneText: '已投票', todoText: '去投票', closes_at: v.closes_at,
  })))
  const t = r => Date.parse(r.closes_at) || Infinity
  rows.sort((a, b) => (a.done - b.done) || (t(a) - t(b)))
  return rows.map(r => Object.assign(r, { closesText: closesText(r.closes_at, now) }))
}

Page(pagedList({
  perPage: 20,

  beforeRefresh() {
    // Pages after the first keep the same "from" so items do not shift while scrolling.
    this.from = toShanghaiISO(Date.now())
  },

  async load(page, perPage) {
    const res = await withLabels(api.get('/events', { query: { from: this.from, page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(e => eventView(e, now)), total: res.total }
  },
}, {
  data: {
    open: [], // 待参与: surveys and votes
    openTodo: 0,
  },

  onLoad() {
    return Promise.all([this.refreshList(), this.loadOpen()])
  },

  onShow() {
    // Coming back from a detail page: my status on that event, a survey or a vote may have changed.
    if (this.data.page > 0) this.loadOpen()
    return this.refreshShown()
  },

  onPullDownRefresh() {
    return Promise.all([this.refreshList(), this.loadOpen()]).then(() => wx.stopPullDownRefresh())
  },

  async loadOpen() {
    const open = await openItems(Date.now())
    this.setData({ open, openTodo: open.filter(r => !r.done).length })
  },

  onOpenItem(e) {
    const { type, id, done } = e.currentTarget.dataset
    if (type === 'survey') wx.navigateTo({ url: `/pages/surveys/answer?id=${id}` })
    // A vote already cast: its receipt (kept on this phone) and, after the close, the results.
    else if (done) wx.navigateTo({ url: `/pages/votes/receipt?id=${id}` })
    else wx.navigateTo({ url: `/pages/votes/vote?id=${id}` })
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/events/detail?id=${e.currentTarget.dataset.id}` })
  },

  onScan() {
    return scanAndCheckIn()
  },

  onBookings() {
    wx.navigateTo({ url: '/pages/bookings/index' })
  },
}))
