// The worker council (职工议事会): the monthly topics, latest month first (GET /council/topics), open or closed,
// each opening its page; and the representatives, one per department (GET /council/representatives), with the
// one who represents the member's own department shown first.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { topicView, representativesView } = require('../../utils/council')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/council/topics', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(t => topicView(t, { now })), total: res.total }
  },
}, {
  data: { representatives: [], myRepresentative: null, myDepartment: '', showAll: false },

  onLoad() {
    return Promise.all([this.refreshList(), this.loadRepresentatives()])
  },

  onShow() {
    return this.refreshShown()
  },

  async loadRepresentatives() {
    const member = api.getMember() || {}
    try {
      const res = await api.get('/council/representatives', { silent: true })
      this.setData(Object.assign({ myDepartment: member.department || '' },
        representativesView(res.items, member.department)))
    } catch (err) {
      // The topics still serve; the card just stays empty.
    }
  },

  onToggleRepresentatives() {
    this.setData({ showAll: !this.data.showAll })
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/council/topic?id=${e.currentTarget.dataset.id}` })
  },
}))
