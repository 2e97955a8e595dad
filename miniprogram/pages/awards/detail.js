// One award: the criteria, the winners on notice (or the final list) and, during the notice period, the countdown
// to its end, a named objection (POST /awards/{id}/objections) and the way to object anonymously: the suggestion
// box with its 评优异议 category chosen (docs/anonymity.md: nothing there links the member).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { awardView } = require('../../utils/openness')

const MAX_BODY = 2000
const MESSAGES = {
  not_found: '该评选不存在或尚未公示',
  objection_closed: '公示期已结束，不能再提出异议',
}

Page({
  data: { a: null, missing: false, error: '', targets: ['评选程序本身'], targetIndex: 0, body: '', sending: false, sent: false },

  onLoad(query = {}) {
    this.id = query.id
    return this.reload()
  },

  async reload() {
    try {
      const a = awardView(await withLabels(api.get(`/awards/${this.id}`, { silent: true })))
      this.nominees = a.nominees
      this.setData({ a, missing: false, targets: ['评选程序本身'].concat(a.nominees.map(n => n.name)) })
    } catch (err) {
      this.setData({ missing: true, error: errorText(err, MESSAGES) })
    }
  },

  onTarget(e) {
    this.setData({ targetIndex: Number(e.detail.value) })
  },

  onBody(e) {
    this.setData({ body: e.detail.value, error: '' })
  },

  async onObject() {
    const { body, targetIndex, sending } = this.data
    if (sending) return
    if (!body.trim()) return this.setData({ error: '请写明异议内容' })
    if (body.length > MAX_BODY) return this.setData({ error: `异议内容不能超过 ${MAX_BODY} 字` })
    this.setData({ sending: true, error: '' })
    try {
      const payload = { body: body.trim() }
      if (targetIndex > 0) payload.nominee_id = this.nominees[targetIndex - 1].id
      await api.post(`/awards/${this.id}/objections`, payload, { silent: true })
      this.setData({ sent: true, body: '' })
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES) })
      if (err.code === 'objection_closed') await this.reload()
    } finally {
      this.setData({ sending: false })
    }
  },

  onAnonymous() {
    wx.navigateTo({ url: '/pages/suggestions/new?category=award' })
  },
})
