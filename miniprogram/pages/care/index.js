// My hardship aid applications (GET /me/care-cases): each with its stage, the stages passed with their dates
// and what happens next, nothing more (the household, documents and notes stay with the handlers and the
// chair). Before the chair has approved one, the member may withdraw it. A liaison may also apply for a
// member of their grid.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { MESSAGES, myCaseView } = require('../../utils/care')

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/care-cases', { query: { page, per_page: perPage } }))
    const now = Date.now()
    // A plain list is every case at once; a page says how many there are.
    const all = Array.isArray(res)
    const items = all ? res : res.items
    return { items: items.map(c => myCaseView(c, now)), total: all ? res.length : res.total, done: all }
  },
}, {
  data: {
    isLiaison: false,
    withdrawing: 0,
  },

  onLoad() {
    return Promise.all([this.refreshList(), this.loadRoles()])
  },

  onShow() {
    // Back from the form: a new application is listed.
    return this.refreshShown()
  },

  async loadRoles() {
    // GET /me is the word on roles (the copy stored at sign-in may predate a grant or a revoke); without it the
    // liaison's button stays hidden, and the server refuses a member who is no liaison anyway.
    try {
      const member = await api.get('/me', { silent: true })
      this.setData({ isLiaison: (member.roles || []).includes('liaison') })
    } catch (err) {
      this.setData({ isLiaison: false })
    }
  },

  onApply() {
    wx.navigateTo({ url: '/pages/care/apply' })
  },

  onApplyForMember() {
    wx.navigateTo({ url: '/pages/care/apply?behalf=1' })
  },

  async onWithdraw(e) {
    // A second tap while the question is open or the first is on its way does nothing (set before anything waits).
    if (this.withdrawBusy) return
    this.withdrawBusy = true
    const id = Number(e.currentTarget.dataset.id)
    try {
      const answer = await new Promise(resolve => wx.showModal({
        title: '撤回帮扶申请',
        content: '撤回后工会将停止办理这份申请。如仍有困难，可以重新申请。',
        confirmText: '撤回',
        cancelText: '再想想',
        success: resolve,
        fail: () => resolve({ confirm: false }),
      }))
      if (!answer.confirm) return
      this.setData({ withdrawing: id })
      try {
        await api.post(`/care/cases/${id}/withdraw`, {}, { silent: true })
        wx.showToast({ title: '已撤回', icon: 'success' })
      } catch (err) {
        wx.showToast({ title: errorText(err, MESSAGES), icon: 'none' })
      }
      this.setData({ withdrawing: 0 })
      await this.refreshList()
    } finally {
      this.withdrawBusy = false
    }
  },
}))
