// Write a suggestion. The receipt the server answers with is the only way back to it, so it is shown
// here once, grouped for reading, with a copy button, and never stored on the phone.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { ready, options } = require('../../utils/labels')
const MAX_CONTENT = 2000
const MESSAGES = { rate_limited: '今天提交的意见已达上限，请明天再来' }

Page({
  data: {
    categoryLabels: [],
    categoryIndex: -1,
    title: '',
    content: '',
    count: 0,
    max: MAX_CONTENT,
    submitting: false,
    error: '',
    receipt: '',
    receiptGroups: [],
  },

  async onLoad(query = {}) {
    // The categories are the server's suggestion_category vocabulary, in its order; a page that links here may
    // choose one (the award page: ?category=award, 评优异议).
    await ready()
    this.categories = options('suggestion_category')
    this.setData({
      categoryLabels: this.categories.map(c => c.label),
      categoryIndex: this.categories.findIndex(c => c.value === query.category),
      error: this.categories.length ? '' : '意见类别加载失败，请检查网络后重新打开',
    })
  },

  onCategory(e) {
    this.setData({ categoryIndex: Number(e.detail.value), error: '' })
  },

  onTitle(e) {
    this.setData({ title: e.detail.value })
  },

  onContent(e) {
    const content = e.detail.value
    this.setData({ content, count: content.length, error: '' })
  },

  async onSubmit() {
    const { categoryIndex, title, content, submitting } = this.data
    if (submitting) return
    if (categoryIndex < 0) return this.setData({ error: '请选择意见类别' })
    if (!content.trim()) return this.setData({ error: '请填写意见内容' })
    if (content.length > MAX_CONTENT) return this.setData({ error: `意见内容不能超过 ${MAX_CONTENT} 字` })
    this.setData({ submitting: true, error: '' })
    try {
      const body = { category: this.categories[categoryIndex].value, content }
      if (title.trim()) body.title = title.trim()
      const res = await api.post('/suggestions', body, { silent: true })
      // The form goes with the receipt: nothing of the suggestion stays on screen once it is sent.
      this.setData({ receipt: res.receipt, receiptGroups: res.receipt.split('-'), title: '', content: '', count: 0 })
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES) })
    } finally {
      this.setData({ submitting: false })
    }
  },

  onCopy() {
    wx.setClipboardData({
      data: this.data.receipt,
      success: () => wx.showToast({ title: '回执码已复制', icon: 'none' }),
    })
  },

  onDone() {
    wx.navigateBack()
  },
})
