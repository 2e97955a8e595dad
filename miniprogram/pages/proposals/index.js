// A session's proposals, public to every member (GET /proposals?session_id=): status, proposer or 保密, the
// lead department and an overdue marker. The session is chosen from GET /congress-sessions (newest first as
// the server lists them); while it is open a member may draft a proposal for it.
const api = require('../../utils/api')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { formatDateTime } = require('../../utils/format')
const { proposalRow } = require('../../utils/proposals')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    if (!this.sessionId) return { items: [], total: 0, done: true }
    const res = await withLabels(api.get('/proposals', { query: { session_id: this.sessionId, page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(p => proposalRow(p, { now })), total: res.total }
  },
}, {
  data: { sessions: [], sessionNames: [], sessionIndex: -1, session: null, noSessions: false },

  async onLoad(query = {}) {
    let sessions
    try {
      const res = await api.get('/congress-sessions', { query: { per_page: 50 } })
      sessions = (res && res.items) || []
    } catch (err) {
      this.setData({ failed: true })
      return
    }
    const now = Date.now()
    const views = sessions.map(s => ({
      id: s.id,
      name: s.name,
      minCosigners: s.min_cosigners,
      closesText: formatDateTime(s.closes_at, now),
      open: !!s.open,
    }))
    let index = views.findIndex(s => String(s.id) === String(query.session_id))
    if (index < 0) index = views.length ? 0 : -1
    this.setData({ sessions: views, sessionNames: views.map(s => s.name), noSessions: !views.length })
    return this.choose(index)
  },

  onShow() {
    return this.refreshShown()
  },

  choose(index) {
    const session = this.data.sessions[index] || null
    this.sessionId = session ? session.id : null
    this.setData({ sessionIndex: index, session })
    return this.refreshList()
  },

  onSession(e) {
    return this.choose(Number(e.detail.value))
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/proposals/detail?id=${e.currentTarget.dataset.id}` })
  },

  onNew() {
    if (!this.sessionId) return
    wx.navigateTo({ url: `/pages/proposals/edit?session_id=${this.sessionId}` })
  },

  onMine() {
    wx.navigateTo({ url: '/pages/proposals/mine' })
  },
}))
