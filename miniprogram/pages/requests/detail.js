// One request: status, the two deadlines, photos, the timeline (every step with its time and who took
// it) and a message box. Its member confirms a resolution with a 1–5 score or reopens it with a reason
// within 15 days; a liaison who opened it from the grid's queue (?as=liaison) accepts it. A transition
// the server no longer allows (409 invalid_transition: someone else acted first) reloads the request.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { MESSAGES, fieldsText, requestDetail } = require('../../utils/requests')

const REFRESHED = '状态已变化，已为您刷新'
const SCORES = [1, 2, 3, 4, 5]
const SCORE_TEXTS = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

Page({
  data: {
    request: null,
    asLiaison: false,
    careable: false,
    loadError: '',
    photos: [], // {key, id, path, failed}
    message: '',
    sending: false,
    busy: false,
    scores: SCORES,
    score: 0,
    scoreText: '',
    confirming: false, // the score sheet is open
    reopening: false, // the reason box is open
    reason: '',
  },

  onLoad(query = {}) {
    this.id = query.id
    this.asLiaison = query.as === 'liaison'
    return this.reload()
  },

  onPullDownRefresh() {
    return this.reload().then(() => wx.stopPullDownRefresh())
  },

  async reload() {
    try {
      const req = await withLabels(api.get(`/requests/${this.id}`, { silent: true }))
      this.show(req)
    } catch (err) {
      if (!this.data.request) this.setData({ loadError: errorText(err, MESSAGES) })
      else wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
    }
  },

  show(req) {
    const me = api.getMember()
    // "Mine" is decided by the request's member, so a liaison opening their own request still confirms it.
    const asMember = !!(me && req.member && String(me.id) === String(req.member.id))
    const asLiaison = this.asLiaison && !asMember
    // A member's own hardship request may become a hardship aid application (困难帮扶), linked to it.
    const careable = asMember && req.category === 'hardship'
    this.setData({ request: requestDetail(req, { now: Date.now(), asMember, asLiaison }), asLiaison, careable, loadError: '' })
    this.loadPhotos(req.attachments || [])
  },

  onApplyCare() {
    wx.navigateTo({ url: `/pages/care/apply?request_id=${this.data.request.id}` })
  },

  /** Photos are served only to those who may see the request: fetched with our token, shown from temp files. */
  async loadPhotos(attachments) {
    const known = {}
    this.data.photos.forEach(p => { if (!p.failed) known[p.id] = p.path })
    const photos = attachments.map((a, i) => ({ key: i, id: a.id, url: a.url || `/uploads/${a.id}`, path: known[a.id] || '', failed: false }))
    this.setData({ photos })
    await Promise.all(photos.map(async (p, i) => {
      if (p.path) return
      try {
        const path = await api.download(p.url, { silent: true })
        this.setData({ [`photos[${i}].path`]: path })
      } catch (err) {
        this.setData({ [`photos[${i}].failed`]: true })
      }
    }))
  },

  onPreview(e) {
    const urls = this.data.photos.filter(p => p.path).map(p => p.path)
    wx.previewImage({ current: e.currentTarget.dataset.path, urls })
  },

  /** Run a state change; a 409 means the request moved on meanwhile, so the member sees where it is now. */
  async transition(path, body, done) {
    if (this.busy) return false
    this.busy = true
    this.setData({ busy: true })
    try {
      const req = await withLabels(api.post(`/requests/${this.id}/${path}`, body, { silent: true }))
      this.show(req)
      wx.showToast({ title: done, icon: 'success' })
      return true
    } catch (err) {
      if (err.code === 'invalid_transition') {
        await this.reload()
        wx.showToast({ title: REFRESHED, icon: 'none', duration: 2500 })
        return true // the form it came from no longer applies
      }
      const fields = err.code === 'invalid_request' ? fieldsText(err) : ''
      wx.showToast({ title: fields || errorText(err, MESSAGES), icon: 'none', duration: 2500 })
      return false
    } finally {
      this.busy = false
      this.setData({ busy: false })
    }
  },

  onAccept() {
    return this.transition('accept', {}, '已受理')
  },

  // Confirming: pick a score, then send it.
  onOpenConfirm() {
    this.setData({ confirming: true, reopening: false, score: 0, scoreText: '' })
  },

  onScore(e) {
    const score = Number(e.currentTarget.dataset.score)
    this.setData({ score, scoreText: SCORE_TEXTS[score] })
  },

  onCancelSheet() {
    this.setData({ confirming: false, reopening: false })
  },

  async onConfirm() {
    if (!this.data.score) {
      wx.showToast({ title: '请为办理结果打分', icon: 'none' })
      return
    }
    if (await this.transition('confirm', { satisfaction: this.data.score }, '已确认办结')) this.setData({ confirming: false })
  },

  // Reopening: say why, then send it.
  onOpenReopen() {
    this.setData({ reopening: true, confirming: false, reason: '' })
  },

  onReason(e) {
    this.setData({ reason: e.detail.value })
  },

  async onReopen() {
    const reason = this.data.reason.trim()
    if (!reason) {
      wx.showToast({ title: '请写明重新打开的原因', icon: 'none' })
      return
    }
    if (await this.transition('reopen', { reason }, '已重新打开')) this.setData({ reopening: false, reason: '' })
  },

  onMessage(e) {
    this.setData({ message: e.detail.value })
  },

  async onSend() {
    const body = this.data.message.trim()
    if (!body || this.sending) return
    this.sending = true
    this.setData({ sending: true })
    try {
      await api.post(`/requests/${this.id}/messages`, { body }, { silent: true })
      this.setData({ message: '' })
      await this.reload()
      wx.showToast({ title: '已发送', icon: 'none' })
    } catch (err) {
      if (err.code === 'invalid_transition') {
        await this.reload()
        wx.showToast({ title: REFRESHED, icon: 'none', duration: 2500 })
      } else {
        wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
      }
    } finally {
      this.sending = false
      this.setData({ sending: false })
    }
  },
})
