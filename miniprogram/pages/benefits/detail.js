// One campaign: its options with the stock left, the member's choice (and, where the campaign allows it,
// delivery to the workshop for night shifts), the claim (POST /benefits/{id}/claims), and once claimed the way
// to the claim's code, or a cancellation while the window is open (the stock goes back).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { benefitView, MESSAGES } = require('../../utils/benefits')
const wxp = require('../../utils/wxp')

// After these refusals the campaign itself has changed (stock gone, window shut, cancelled, claimed on another
// device): show it anew.
const RELOAD_ON = ['out_of_stock', 'claim_closed', 'benefit_cancelled', 'already_claimed', 'claim_cancelled']

Page({
  data: {
    b: null,
    failed: false,
    error: '',
    optionId: null,
    delivery: 'pickup',
    busy: false,
  },

  onLoad(query = {}) {
    this.id = query.id
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      const b = benefitView(await withLabels(api.get(`/benefits/${this.id}`, { silent: true })))
      // A choice that can no longer be had is dropped; the only option left open is chosen for the member.
      const open = b.options.filter(o => !o.soldOut)
      let optionId = this.data.optionId
      if (!open.some(o => o.id === optionId)) optionId = open.length === 1 ? open[0].id : null
      this.setData({ b, failed: false, optionId })
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: b.title })
    } catch (err) {
      this.setData({ failed: !this.data.b, error: this.data.b ? this.data.error : errorText(err, MESSAGES) })
    }
  },

  onOption(e) {
    const id = Number(e.currentTarget.dataset.id)
    const option = this.data.b.options.find(o => o.id === id)
    if (!option || option.soldOut || !this.data.b.canClaim) return
    this.setData({ optionId: id, error: '' })
  },

  onDelivery(e) {
    this.setData({ delivery: e.currentTarget.dataset.value })
  },

  async onClaim() {
    const { b, optionId, delivery, busy } = this.data
    if (busy || !b.canClaim) return
    if (!optionId) return this.setData({ error: '请先选择一项' })
    this.setData({ busy: true, error: '' })
    try {
      const body = { option_id: optionId }
      if (b.allowWorkshop) body.delivery = delivery
      const claim = await api.post(`/benefits/${this.id}/claims`, body, { silent: true })
      wx.showToast({ title: '领取成功', icon: 'success' })
      await this.load()
      wx.navigateTo({ url: `/pages/benefits/claim?id=${claim.id}&new=1` })
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES) })
      if (RELOAD_ON.indexOf(err.code) >= 0) await this.load()
    } finally {
      this.setData({ busy: false })
    }
  },

  onShowCode() {
    wx.navigateTo({ url: `/pages/benefits/claim?id=${this.data.b.claim.id}` })
  },

  async onCancel() {
    const { b, busy } = this.data
    if (busy || !b.canCancel) return
    const { confirm } = await wxp('showModal', {
      title: '取消领取',
      content: '确定取消吗？取消后份额将退回，领取截止前可重新选择。',
      confirmText: '确定取消',
      confirmColor: '#C8372D',
      cancelText: '再想想',
    })
    if (!confirm) return
    this.setData({ busy: true, error: '' })
    try {
      await api.del(`/claims/${b.claim.id}`, { silent: true })
      wx.showToast({ title: '已取消领取', icon: 'success' })
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES) })
    } finally {
      // Either way the stored state is what to show: cancelled, or redeemed meanwhile, or the window shut.
      await this.load()
      this.setData({ busy: false })
    }
  },
})
