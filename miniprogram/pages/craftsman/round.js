// A craftsman round (pages/craftsman/round?id=, where the craftsman notices point): its stage and dates; a way
// to nominate while nominations are open, to the vote (pages/votes/vote?id=) while it is held, and to the
// winners once published. The nominations: its committee (and staff) read all of them with the review tally and
// the nominator, and review each once (approve or not, with a comment) until the review closes; every other
// member reads the shortlist once the review is over (the server answers 403 before).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { imageSlots, downloadImages, previewImages } = require('../../utils/images')
const { MESSAGES, roundView, nominationView } = require('../../utils/craftsman')

function isStaff() {
  const member = api.getMember()
  return !!(member && (member.roles || []).some(r => ['staff', 'secretary', 'admin'].includes(r)))
}

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const round = this.data.round
    // Before the review is over only the committee and staff may read the nominations.
    if (!round || !(round.seesAll || round.shortlistPublic)) return { items: [], total: 0, done: true }
    const res = await api.get(`/craftsman/rounds/${this.id}/nominations`, { query: { page, per_page: perPage }, silent: true })
    const items = res.items.map(n => nominationView(n, { canReview: round.canReview }))
    this.showPhotos(items)
    return { items, total: res.total }
  },
}, {
  data: {
    round: null,
    loadError: '',
    photos: {},
    reviewing: null, // the nomination whose review form is open
    comment: '',
    busy: false,
  },

  async onLoad(query = {}) {
    this.id = query.id
    if (await this.loadRound()) await this.refreshList()
  },

  onShow() {
    // Back from nominating: the count and (for the committee) the list have changed.
    if (!this.data.round) return Promise.resolve()
    return this.loadRound().then(() => this.refreshShown())
  },

  onPullDownRefresh() {
    return this.loadRound().then(() => this.refreshList()).then(() => wx.stopPullDownRefresh())
  },

  async loadRound() {
    try {
      const r = await withLabels(api.get(`/craftsman/rounds/${this.id}`, { silent: true }))
      this.setData({ round: roundView(r, { staff: isStaff(), now: Date.now() }), loadError: '' })
      return true
    } catch (err) {
      if (!this.data.round) this.setData({ loadError: errorText(err, MESSAGES) })
      return false
    }
  },

  showPhotos(items) {
    const { photos, wanted } = imageSlots(this.data.photos, [].concat(...items.map(n => n.photos)))
    this.setData({ photos })
    downloadImages(this, wanted)
  },

  onPreview(e) {
    const item = this.data.items.find(n => String(n.id) === String(e.currentTarget.dataset.nomination))
    previewImages(this.data.photos, item ? item.photos : [], e.currentTarget.dataset.path)
  },

  onNominate() {
    wx.navigateTo({ url: `/pages/craftsman/nominate?round_id=${this.id}` })
  },

  onVote() {
    wx.navigateTo({ url: `/pages/votes/vote?id=${this.data.round.voteId}` })
  },

  onWinners() {
    wx.navigateTo({ url: `/pages/craftsman/winners?year=${this.data.round.year}` })
  },

  // The committee's review: one form open at a time.
  onOpenReview(e) {
    this.setData({ reviewing: Number(e.currentTarget.dataset.id), comment: '' })
  },

  onCancelReview() {
    this.setData({ reviewing: null, comment: '' })
  },

  onComment(e) {
    this.setData({ comment: e.detail.value })
  },

  onApprove() { return this.review(true) },
  onReject() { return this.review(false) },

  async review(approve) {
    const id = this.data.reviewing
    if (this.busy || !id) return
    this.busy = true
    this.setData({ busy: true })
    try {
      const n = await api.post(`/craftsman/nominations/${id}/review`, { approve, comment: this.data.comment.trim() }, { silent: true })
      const index = this.data.items.findIndex(i => i.id === n.id)
      if (index >= 0) this.setData({ [`items[${index}]`]: nominationView(n, { canReview: this.data.round.canReview }) })
      this.setData({ reviewing: null, comment: '' })
      wx.showToast({ title: approve ? '已同意' : '已提交不同意意见', icon: 'none' })
    } catch (err) {
      wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
      // Reviewed meanwhile (another device), or the review has closed: show where things stand.
      if (['already_reviewed', 'review_closed'].includes(err.code)) {
        this.setData({ reviewing: null, comment: '' })
        await this.loadRound()
        await this.refreshList()
      }
    } finally {
      this.busy = false
      this.setData({ busy: false })
    }
  },
}))
