// My requests (GET /me/requests): newest first as the server lists them, each with its status, an
// overdue marker and the deadline it is waiting on; a button to raise a new one.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { requestRow } = require('../../utils/requests')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/requests', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(r => requestRow(r, now)), total: res.total }
  },
}, {
  data: {},

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    // Back from a request's page or the form: its status or a new request may have changed the list.
    return this.refreshShown()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/requests/detail?id=${e.currentTarget.dataset.id}` })
  },

  onNew() {
    wx.navigateTo({ url: '/pages/requests/new' })
  },
}))
