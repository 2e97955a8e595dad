// Open one's own suggestion with its receipt: the thread with the union's answers, and a reply box.
// These calls carry only X-Receipt, never the member's token. The receipt is kept on the phone only
// when the member asks for it.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { formatDate, formatDateTime } = require('../../utils/format')
const { withLabels, label } = require('../../utils/labels')

const STORE_KEY = 'suggestionReceipt'
const MESSAGES = {
  not_found: '回执码不正确',
  suggestion_closed: '该意见已办结，不能再补充',
  // Receipt checks are limited per network address and at once on the server (each is costly).
  rate_limited: '查询过于频繁，请稍后再试',
  service_unavailable: '查询人数较多，请稍后再试',
}

/** What the member typed, however spaced or cased, as the XXXX-XXXX-XXXX-XXXX the server issued. */
function normaliseReceipt(raw) {
  const code = String(raw || '').replace(/[\s-]/g, '').toUpperCase()
  return (code.match(/.{1,4}/g) || []).join('-')
}

function threadView(res) {
  return {
    suggestion: Object.assign({}, res.suggestion, {
      statusText: label('suggestion_status', res.suggestion.status),
      submittedText: formatDate(res.suggestion.submitted_on),
    }),
    messages: res.messages.map((m, i) => ({
      key: i,
      from: m.from,
      who: m.from === 'staff' ? '工会答复' : '我的补充',
      body: m.body,
      // The server keeps only the day of the submitter's own replies (their time could identify them).
      timeText: m.from === 'submitter' ? formatDate(m.created_at) : formatDateTime(m.created_at),
    })),
  }
}

Page({
  data: {
    input: '',
    remember: false,
    loading: false,
    error: '',
    suggestion: null,
    messages: [],
    reply: '',
    sending: false,
  },

  onLoad() {
    const saved = wx.getStorageSync(STORE_KEY)
    if (saved) this.setData({ input: saved, remember: true })
  },

  onInput(e) {
    this.setData({ input: e.detail.value, error: '' })
  },

  onRemember(e) {
    this.setData({ remember: (e.detail.value || []).length > 0 })
  },

  async onOpen() {
    const receipt = normaliseReceipt(this.data.input)
    if (!receipt) return this.setData({ error: '请输入回执码' })
    this.setData({ loading: true, error: '' })
    try {
      const res = await withLabels(api.get('/suggestions/mine', { receipt, silent: true }))
      this.receipt = receipt
      if (this.data.remember) wx.setStorageSync(STORE_KEY, receipt)
      else wx.removeStorageSync(STORE_KEY)
      this.setData(Object.assign({ input: receipt }, threadView(res)))
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES), suggestion: null, messages: [] })
    } finally {
      this.setData({ loading: false })
    }
  },

  onReplyInput(e) {
    this.setData({ reply: e.detail.value })
  },

  async onSend() {
    const body = this.data.reply.trim()
    if (!body || this.data.sending) return
    this.setData({ sending: true })
    try {
      await api.post('/suggestions/mine/messages', { body }, { receipt: this.receipt, silent: true })
      const res = await withLabels(api.get('/suggestions/mine', { receipt: this.receipt, silent: true }))
      this.setData(Object.assign({ reply: '' }, threadView(res)))
      wx.showToast({ title: '已发送', icon: 'none' })
    } catch (err) {
      wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
    } finally {
      this.setData({ sending: false })
    }
  },
})
