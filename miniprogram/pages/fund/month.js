// One published month (GET /fund/months/{YYYY-MM}): income, expense and balance, each kind's categories as
// bars whose widths are their shares (plain views, no chart library), every entry (a reversal counted
// negatively), the month's hash with the previous month's, and the month's procurement comparisons. Opened
// from the list, from the notice of its publication (?month=) or from the statement's QR code (?q=…/f/YYYY-MM).
const api = require('../../utils/api')
const { formatMonth } = require('../../utils/format')
const { monthDetail, monthOf } = require('../../utils/fund')

Page({
  data: { month: null, loadError: '', notPublished: false },

  onLoad(query = {}) {
    this.month = monthOf(query)
    if (!this.month) {
      this.setData({ loadError: '链接无效：没有指明月份' })
      return Promise.resolve()
    }
    wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: `${formatMonth(this.month)}经费收支` })
    return this.reload()
  },

  onPullDownRefresh() {
    return this.reload().then(() => wx.stopPullDownRefresh())
  },

  async reload() {
    try {
      const m = await api.get(`/fund/months/${this.month}`, { silent: true })
      this.setData({ month: monthDetail(m), loadError: '', notPublished: false })
    } catch (err) {
      if (err.code === 'not_found') this.setData({ notPublished: true, loadError: '' })
      else this.setData({ loadError: err.message || '加载失败，请下拉重试' })
    }
  },

  onProcurements() {
    wx.navigateTo({ url: `/pages/fund/procurements?month=${this.month}` })
  },

  onCopyHash() {
    wx.setClipboardData({ data: this.data.month.hash })
  },
})
