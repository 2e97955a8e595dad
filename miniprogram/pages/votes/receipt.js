// The ballot's receipt, as kept on this phone: shown with a copy button and what it is for, its SHA-256
// digest computed here, and after the close a check that the published digests include it.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const {
  VOTE_MESSAGES, loadReceipt, receiptDigest, receiptCounted, isClosed,
} = require('../../utils/participation')
const { formatDateTime } = require('../../utils/format')

const EXPLANATION = '凭此回执可在投票结束后核对您的选票已被计入：结果公布的回执摘要列表中能找到您回执的 SHA-256 摘要'

Page({
  data: {
    receipt: '',
    digest: '',
    title: '',
    closesText: '',
    explanation: EXPLANATION,
    missing: false,
    check: '', // '' | 'waiting' | 'counted' | 'not_found' | 'failed'
    checkText: '',
    checking: false,
  },

  onLoad(query = {}) {
    this.id = query.id
    this.record = loadReceipt(this.id)
    if (!this.record) {
      this.setData({ missing: true })
      return Promise.resolve()
    }
    const { receipt, title, closes_at: closesAt } = this.record
    this.setData({
      receipt,
      digest: receiptDigest(receipt),
      title: title || '',
      closesText: closesAt ? formatDateTime(closesAt, Date.now()) : '',
    })
    return this.onCheck()
  },

  onCopy() {
    wx.setClipboardData({ data: this.data.receipt })
  },

  /** Look for this receipt's digest in the published results; before the close there is nothing to look in. */
  async onCheck() {
    if (!this.record || this.data.checking) return
    const closesAt = this.record.closes_at
    if (closesAt && !isClosed(closesAt, Date.now())) {
      this.setData({ check: 'waiting', checkText: `投票结束后（${this.data.closesText}）可核对` })
      return
    }
    this.setData({ checking: true })
    try {
      const results = await api.get(`/votes/${this.id}/results`, { silent: true })
      const counted = receiptCounted(results, this.record.receipt)
      this.setData(counted
        ? { check: 'counted', checkText: '已核对：您的选票已计入' }
        : { check: 'not_found', checkText: '未在公布的回执摘要中找到您的回执，请联系工会核实' })
    } catch (err) {
      // A 403 here means the results are not out yet (the close moved, or the clock is ahead).
      const text = err.code === 'forbidden' ? '投票结束后公布结果，届时可核对' : errorText(err, VOTE_MESSAGES)
      this.setData({ check: 'failed', checkText: text })
    } finally {
      this.setData({ checking: false })
    }
  },

  onResults() {
    wx.navigateTo({ url: `/pages/votes/results?id=${this.id}` })
  },
})
