// Suggestions the union chose to publish, with its answers.
const api = require('../../utils/api')
const { formatDate, formatDateTime } = require('../../utils/format')

const PER_PAGE = 20

function itemView(s) {
  return Object.assign({}, s, {
    submittedText: formatDate(s.submitted_on),
    answers: s.answers.map((a, i) => ({ key: i, body: a.body, timeText: formatDateTime(a.created_at) })),
  })
}

Page({
  data: { items: [], page: 0, finished: false, loading: false, failed: false },

  onLoad() {
    return this.load(true)
  },

  onPullDownRefresh() {
    return this.load(true).then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    if (!this.data.finished) return this.load(false)
  },

  async load(reset) {
    if (this.data.loading) return
    const page = reset ? 1 : this.data.page + 1
    this.setData({ loading: true, failed: false })
    try {
      const res = await api.get('/suggestions/public', { query: { page, per_page: PER_PAGE } })
      const items = (reset ? [] : this.data.items).concat(res.items.map(itemView))
      this.setData({ items, page, finished: items.length >= res.total })
    } catch (err) {
      this.setData({ failed: true })
    } finally {
      this.setData({ loading: false })
    }
  },
})
