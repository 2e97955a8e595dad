// Write a suggestion. The receipt the server answers with is the only way back to it, so it is shown
// here once, grouped for reading, with a copy button, and never stored on the phone.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')

// The server's categories (suggestions/schemas.py) with their labels.
const CATEGORIES = [
  { key: 'workplace_safety', label: '安全生产' },
  { key: 'pay_benefits', label: '薪酬福利' },
  { key: 'canteen_facilities', label: '食堂与后勤' },
  { key: 'management', label: '管理与作风' },
  { key: 'training_career', label: '培训与发展' },
  { key: 'other', label: '其他' },
]
const MAX_CONTENT = 2000
const MESSAGES = { rate_limited: '今天提交的意见已达上限，请明天再来' }

Page({
  data: {
    categoryLabels: CATEGORIES.map(c => c.label),
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
      const body = { category: CATEGORIES[categoryIndex].key, content }
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
