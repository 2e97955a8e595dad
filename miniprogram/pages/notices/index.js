const api = require('../../utils/api')
const { noticeView } = require('../../utils/format')
const { showUnread } = require('../../utils/notices')
const { pagedList } = require('../../utils/pagedList')
const { offerConsent, consentState, consentHandlers } = require('../../utils/subscribe')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await api.get('/me/notices', { query: { page, per_page: perPage } })
    showUnread(res.unread)
    const now = Date.now()
    return { items: res.items.map(n => noticeView(n, now)), total: res.total, data: { unread: res.unread } }
  },
}, Object.assign({}, consentHandlers, {
  data: {
    unread: 0,
    consent: consentState(false),
  },

  onLoad() {
    this.setData({ consent: consentState(offerConsent()) })
    return this.refreshList()
  },

  onShow() {
    // Back from a notice we opened: it is already marked read here, keep the member's place in the list.
    if (this.returning) {
      this.returning = false
      return undefined
    }
    // Back to the tab later: new notices may have arrived.
    return this.refreshShown()
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
})))
