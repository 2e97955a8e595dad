const api = require('../../utils/api')
const { myRegistrationView } = require('../../utils/format')
const { withLabels, label } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')

// Every member is a member; only the roles beyond it are worth a word on the profile.
const PLAIN_ROLE = 'member'

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/registrations', { query: { page, per_page: perPage } }))
    const now = Date.now()
    return { items: res.items.map(r => myRegistrationView(r, now)), total: res.total }
  },
}, {
  data: {
    member: null,
    roleText: '',
    isLiaison: false,
    ownsImprovements: false,
  },

  onLoad() {
    return this.refresh()
  },

  onShow() {
    return this.refreshShown()
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh())
  },

  refresh() {
    return Promise.all([this.loadProfile(), this.refreshList(), this.loadImprovements()])
  },

  async loadProfile() {
    try {
      const member = await withLabels(api.get('/me'))
      const roleText = member.roles.filter(r => r !== PLAIN_ROLE).map(r => label('member_role', r)).join(' · ')
      // GET /me is the word on roles (the copy stored at sign-in may predate a grant or a revoke).
      this.setData({ member, roleText, isLiaison: member.roles.includes('liaison') })
    } catch (err) {
      // The toast has said why; the registrations below may still load.
    }
  },

  async loadImprovements() {
    // The entry shows only for members who own an improvement item (department heads, mostly); a failure just
    // leaves it out, silently: the rest of the page is what the member came for.
    try {
      const res = await api.get('/me/improvements', { query: { page: 1, per_page: 1 }, silent: true })
      this.setData({ ownsImprovements: res.total > 0 })
    } catch (err) {
      this.setData({ ownsImprovements: false })
    }
  },

  onImprovements() {
    wx.navigateTo({ url: '/pages/improvements/mine' })
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

  onMyRequests() {
    wx.navigateTo({ url: '/pages/requests/mine' })
  },

  onProposals() {
    wx.navigateTo({ url: '/pages/proposals/index' })
  },

  onCouncil() {
    wx.navigateTo({ url: '/pages/council/index' })
  },

  onCraftsman() {
    wx.navigateTo({ url: '/pages/craftsman/index' })
  },

  onMyProcurements() {
    wx.navigateTo({ url: '/pages/procurements/mine' })
  },

  onProcurements() {
    wx.navigateTo({ url: '/pages/fund/procurements' })
  },

  onVolunteers() {
    wx.navigateTo({ url: '/pages/volunteers/index' })
  },

  onAwards() {
    wx.navigateTo({ url: '/pages/awards/index' })
  },

  onFund() {
    wx.navigateTo({ url: '/pages/fund/index' })
  },

  onCare() {
    wx.navigateTo({ url: '/pages/care/index' })
  },

  onBenefits() {
    wx.navigateTo({ url: '/pages/benefits/index' })
  },

  onGridRequests() {
    wx.navigateTo({ url: '/pages/requests/queue' })
  },
}))
