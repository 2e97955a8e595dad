const api = require('../../utils/api')
const { myRegistrationView } = require('../../utils/format')

const PER_PAGE = 20
const ROLE_LABELS = { liaison: '联络员', staff: '工会干事', secretary: '书记', admin: '管理员' }

Page({
  data: {
    member: null,
    roleText: '',
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
  },

  onLoad() {
    return this.refresh()
  },

  onShow() {
    if (this.data.page > 0 && !this.data.loading) return this.fetch(1)
    return undefined
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    if (this.data.finished || this.data.loading) return undefined
    return this.fetch(this.data.page + 1)
  },

  refresh() {
    return Promise.all([this.loadProfile(), this.fetch(1)])
  },

  async loadProfile() {
    try {
      const member = await api.get('/me')
      const roleText = member.roles.map(r => ROLE_LABELS[r]).filter(Boolean).join(' · ')
      this.setData({ member, roleText })
    } catch (err) {
      // The toast has said why; the registrations below may still load.
    }
  },

  async fetch(page) {
    this.setData({ loading: true })
    try {
      const res = await api.get('/me/registrations', { query: { page, per_page: PER_PAGE } })
      const now = Date.now()
      const fresh = res.items.map(r => myRegistrationView(r, now))
      const items = page === 1 ? fresh : this.data.items.concat(fresh)
      this.setData({ items, page, total: res.total, finished: items.length >= res.total || fresh.length === 0 })
    } catch (err) {
      // Keep what is shown; pulling down retries.
    } finally {
      this.setData({ loading: false })
    }
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/events/detail?id=${e.currentTarget.dataset.id}` })
  },

  onBookings() {
    wx.navigateTo({ url: '/pages/bookings/index' })
  },

  onMyBookings() {
    wx.navigateTo({ url: '/pages/bookings/mine' })
  },

  onSuggestions() {
    wx.navigateTo({ url: '/pages/suggestions/index' })
  },
})
