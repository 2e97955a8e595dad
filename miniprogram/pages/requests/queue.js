// The grid's queue for a liaison (GET /requests): overdue first as the server orders it, filtered by
// status and "只看超期"; the server limits it to the grids the liaison serves (never confidential or
// hardship requests). From here a liaison opens a request to accept and reply, or raises one for a member.
const api = require('../../utils/api')
const { ready, withLabels, options } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { requestRow } = require('../../utils/requests')

const ALL = { value: '', label: '全部状态' }

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const query = { page, per_page: perPage, status: this.data.status, overdue: this.data.overdueOnly ? 1 : '' }
    const res = await withLabels(api.get('/requests', { query }))
    const now = Date.now()
    return { items: res.items.map(r => requestRow(r, now)), total: res.total }
  },
}, {
  data: {
    statusLabels: [],
    statusIndex: 0,
    status: '',
    overdueOnly: false,
  },

  async onLoad() {
    this.statuses = [ALL]
    const list = this.refreshList()
    await ready()
    this.statuses = [ALL].concat(options('request_status'))
    this.setData({ statusLabels: this.statuses.map(s => s.label) })
    return list
  },

  onShow() {
    return this.refreshShown()
  },

  onStatus(e) {
    const statusIndex = Number(e.detail.value)
    const status = (this.statuses[statusIndex] || ALL).value
    this.setData({ statusIndex, status })
    return this.refreshList()
  },

  onOverdue(e) {
    this.setData({ overdueOnly: !!e.detail.value })
    return this.refreshList()
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/requests/detail?id=${e.currentTarget.dataset.id}&as=liaison` })
  },

  onBehalf() {
    wx.navigateTo({ url: '/pages/requests/new?behalf=1' })
  },
}))
