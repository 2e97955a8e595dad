const api = require('../../utils/api')
const { noticeView } = require('../../utils/format')
const { showUnread } = require('../../utils/notices')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')

const PER_PAGE = 20

Page(Object.assign({}, consentHandlers, {
  data: {
    items: [],
    page: 0,
    total: 0,
    unread: 0,
    loading: false,
    finished: false,
    failed: false,
    consent: consentState(false),
  },

  onLoad() {
    this.setData({ consent: consentState(offerConsent()) })
    return this.fetch(1)
  },

  onShow() {
    // Back from a notice we opened: it is already marked read here, keep the member's place in the list.
    if (this.returning) {
      this.returning = false
      return undefined
    }
    // Back to the tab later: new notices may have arrived.
    if (this.data.page > 0 && !this.data.loading) return this.fetch(1)
    return undefined
  },

  onPullDownRefresh() {
    return this.fetch(1).then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    if (this.data.finished || this.data.loading) return undefined
    return this.fetch(this.data.page + 1)
  },

  async fetch(page) {
    this.setData({ loading: true, failed: false })
    try {
      const res = await api.get('/me/notices', { query: { page, per_page: PER_PAGE } })
      const now = Date.now()
      const fresh = res.items.map(n => noticeView(n, now))
      let items = fresh
      if (page > 1) {
        // Newest first: a notice sent meanwhile shifts the pages, so drop what is already listed.
        const seen = {}
        this.data.items.forEach(n => { seen[n.id] = true })
        items = this.data.items.concat(fresh.filter(n => !seen[n.id]))
      }
      this.setData({
        items,
        page,
        total: res.total,
        unread: res.unread,
        finished: items.length >= res.total || fresh.length === 0,
        loading: false,
      })
      showUnread(res.unread)
    } catch (err) {
      this.setData({ loading: false, failed: true })
    }
  },

  onOpen(e) {
    const id = e.currentTarget.dataset.id
    const index = this.data.items.findIndex(n => n.id === id)
    // The detail page marks it read on the server; show that here at once.
    if (index >= 0 && !this.data.items[index].read) {
      const unread = Math.max(0, this.data.unread - 1)
      this.setData({ [`items[${index}].read`]: true, unread })
      showUnread(unread)
    }
    this.returning = true
    wx.navigateTo({ url: `/pages/notices/detail?id=${id}` })
  },
}))
