// Casting a ballot: the candidates (photos fetched with the member's token, shown from temp files), up to
// max_choices of them (the rest disabled at the limit), a confirmation naming the chosen ones, one POST,
// then the receipt page. The receipt is kept on this phone only: the ballot carries no member reference.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { VOTE_MESSAGES, closesText, isClosed, saveReceipt, loadReceipt } = require('../../utils/participation')

Page({
  data: {
    vote: null,
    candidates: [], // {id, name, description, photoUrl, photo, chosen, disabled}
    chosenCount: 0,
    maxChoices: 1,
    limitText: '',
    loadError: '',
    error: '',
    submitting: false,
    hasReceipt: false,
    voted: false, // the server says so (GET /votes/{id} "voted", if given) or this phone holds a receipt
    closed: false,
  },

  onLoad(query = {}) {
    this.id = query.id
    this.chosen = []
    return this.load()
  },

  async load() {
    let vote
    try {
      vote = await withLabels(api.get(`/votes/${this.id}`, { silent: true }))
    } catch (err) {
      this.setData({ loadError: errorText(err, VOTE_MESSAGES) })
      return
    }
    this.vote = vote
    const maxChoices = Math.max(1, Number(vote.max_choices) || 1)
    this.setData({
      vote: {
        id: vote.id,
        title: vote.title,
        description: vote.description || '',
        closesText: closesText(vote.closes_at, Date.now()),
      },
      maxChoices,
      limitText: maxChoices === 1 ? '请选择 1 人' : `最多选 ${maxChoices} 人`,
      loadError: '',
      hasReceipt: !!loadReceipt(this.id),
      voted: !!vote.voted || !!loadReceipt(this.id),
      closed: isClosed(vote.closes_at, Date.now()),
    })
    this.candidates = (vote.candidates || []).map(c => ({
      id: c.id, name: c.name, description: c.description || '', photoUrl: c.photo_url || '', photo: '',
    }))
    this.render()
    this.loadPhotos()
  },

  render() {
    const max = this.data.maxChoices
    const full = this.chosen.length >= max
    this.setData({
      candidates: this.candidates.map(c => {
        const chosen = this.chosen.includes(c.id)
        // With one choice, tapping another candidate moves the choice; with more, the rest wait at the limit.
        return Object.assign({}, c, { chosen, disabled: !chosen && full && max > 1 })
      }),
      chosenCount: this.chosen.length,
    })
  },

  /** Photos may be served only to members who may vote: fetched with our token like a request's photos. */
  async loadPhotos() {
    await Promise.all(this.candidates.map(async (c, i) => {
      if (!c.photoUrl) return
      try {
        c.photo = await api.download(c.photoUrl, { silent: true })
        this.setData({ [`candidates[${i}].photo`]: c.photo })
      } catch (err) {
        // The name and description still show; a placeholder stands in for the photo.
      }
    }))
  },

  onToggle(e) {
    if (this.submitting || this.data.voted || this.data.closed) return
    const id = this.candidates[Number(e.currentTarget.dataset.pos)].id
    const max = this.data.maxChoices
    if (this.chosen.includes(id)) {
      this.chosen = this.chosen.filter(c => c !== id)
    } else if (max === 1) {
      this.chosen = [id]
    } else if (this.chosen.length >= max) {
      wx.showToast({ title: `最多选 ${max} 人`, icon: 'none' })
      return
    } else {
      this.chosen = this.chosen.concat(id)
    }
    this.setData({ error: '' })
    this.render()
  },

  async onSubmit() {
    if (this.submitting) return
    if (!this.chosen.length) {
      wx.showToast({ title: '请先选择候选人', icon: 'none' })
      return
    }
    // Held from the first tap: a second tap while the dialog is open or the ballot travels does nothing.
    this.submitting = true
    this.setData({ submitting: true })
    try {
      const names = this.candidates.filter(c => this.chosen.includes(c.id)).map(c => c.name)
      const { confirm } = await new Promise(resolve => wx.showModal({
        title: '确认投票',
        content: `您选择了：${names.join('、')}。投票后不能修改。`,
        confirmText: '确认投票',
        cancelText: '再想想',
        success: resolve,
        fail: () => resolve({ confirm: false }),
      }))
      if (!confirm) return
      const res = await api.post(`/votes/${this.id}/ballots`, { choices: this.chosen.slice() }, { silent: true })
      saveReceipt(this.id, { receipt: res.receipt, title: this.vote.title, closes_at: this.vote.closes_at })
      wx.redirectTo({ url: `/pages/votes/receipt?id=${this.id}` })
    } catch (err) {
      const error = errorText(err, VOTE_MESSAGES)
      this.setData({ error })
      wx.showToast({ title: error, icon: 'none', duration: 2500 })
    } finally {
      this.submitting = false
      this.setData({ submitting: false })
    }
  },

  onResults() {
    wx.navigateTo({ url: `/pages/votes/results?id=${this.id}` })
  },

  onReceipt() {
    wx.navigateTo({ url: `/pages/votes/receipt?id=${this.id}` })
  },

  onPreview(e) {
    const path = e.currentTarget.dataset.path
    if (path) wx.previewImage({ current: path, urls: [path] })
  },
})
