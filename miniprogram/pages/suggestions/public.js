// Suggestions the union chose to publish, with its answers.
const api = require('../../utils/api')
const { formatDate, formatDateTime } = require('../../utils/format')
const { pagedList } = require('../../utils/pagedList')

function itemView(s) {
  return Object.assign({}, s, {
    submittedText: formatDate(s.submitted_on),
    answers: s.answers.map((a, i) => ({ key: i, body: a.body, timeText: formatDateTime(a.created_at) })),
  })
}

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await api.get('/suggestions/public', { query: { page, per_page: perPage } })
    return { items: res.items.map(itemView), total: res.total }
  },
}, {
  onLoad() {
    return this.refreshList()
  },
}))
