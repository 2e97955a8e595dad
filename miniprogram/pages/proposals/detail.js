// One proposal: the problem, the solution, the department and deadline, its co-signers and status, the timeline
// with pictures (downloaded with our token) and video links (copied: the mini-program opens no arbitrary web
// page), the completion report with its grade, and the proposer's 1–5 satisfaction once it is completed.
// While it is a draft the proposer edits it, invites co-signers (by name search, or a shared card opening
// pages/proposals/cosign?token=, which comes here with ?invite=TOKEN) and submits it; a member holding an
// invitation reads the draft through it (GET /proposal-invites/{token}: a draft is otherwise visible to its
// proposer, co-signers and staff only) and co-signs with it; a co-signer may withdraw.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { imageSlots, downloadImages, previewImages } = require('../../utils/images')
const { memberSearch, searchData } = require('../../utils/memberSearch')
const { MESSAGES, SCORE_TEXTS, cosignersNeeded, proposalDetail } = require('../../utils/proposals')

const SCORES = [1, 2, 3, 4, 5]

/** Every picture of the timeline, in its order (fetched with our token, as a request's photos). */
function allImages(view) {
  return [].concat(...view.timeline.map(step => step.images))
}

// Inviting by name: search the members who may co-sign, then invite one (onInviteMember).
const search = memberSearch({ path() { return `/proposals/${this.id}/cosigner-candidates` }, messages: MESSAGES })

Page(Object.assign({}, search, {
  data: Object.assign(searchData(), {
    proposal: null,
    loadError: '',
    invited: false,
    busy: false,
    photos: {}, // image id -> {path, failed}
    scores: SCORES,
    score: 0,
    scoreText: '',
  }),

  onLoad(query = {}) {
    this.id = query.id
    this.invite = query.invite || ''
    this.setData({ invited: !!this.invite })
    return this.reload()
  },

  onShow() {
    // Back from editing the draft.
    if (this.data.proposal) return this.reload()
    return Promise.resolve()
  },

  onPullDownRefresh() {
    return this.reload().then(() => wx.stopPullDownRefresh())
  },

  async reload() {
    try {
      // The invitation opens the draft to its holder whether or not they co-signed (or withdrew) since.
      const path = this.invite ? `/proposal-invites/${encodeURIComponent(this.invite)}` : `/proposals/${this.id}`
      const p = await withLabels(api.get(path, { silent: true }))
      this.id = p.id
      this.show(p)
      if (p.status === 'draft') this.loadSession(p.session_id)
    } catch (err) {
      if (!this.data.proposal) this.setData({ loadError: errorText(err, MESSAGES) })
      else wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
    }
  },

  /** The session's close time, shown while the proposal is a draft (once; a failure just leaves it out). */
  async loadSession(sessionId) {
    if (this.session && this.session.id === sessionId) return
    try {
      this.session = await api.get(`/congress-sessions/${sessionId}`, { silent: true })
      if (this.raw) this.show(this.raw)
    } catch (err) {
      // Not needed to act on the draft.
    }
  },

  show(p) {
    this.raw = p
    const view = proposalDetail(p, { signedIn: !!api.getMember(), session: this.session, now: Date.now() })
    // Every picture has its slot before the page renders; downloads fill the slots in.
    const { photos, wanted } = imageSlots(this.data.photos, allImages(view))
    this.setData({ proposal: view, photos, loadError: '' })
    downloadImages(this, wanted)
    // The card a proposer shares carries an invitation token; fetched once while the draft can be shared.
    if (view.canInvite && !this.sharePage) this.prepareShare()
  },

  onPreview(e) {
    previewImages(this.data.photos, allImages(this.data.proposal), e.currentTarget.dataset.path)
  },

  onCopyVideo(e) {
    wx.setClipboardData({ data: e.currentTarget.dataset.url })
  },

  /** One action at a time: a second tap while one is on its way sends nothing. */
  async act(run) {
    if (this.busy) return
    this.busy = true
    this.setData({ busy: true })
    try {
      await run()
    } finally {
      this.busy = false
      this.setData({ busy: false })
    }
  },

  fail(err, overrides = {}) {
    wx.showToast({ title: errorText(err, Object.assign({}, MESSAGES, overrides)), icon: 'none', duration: 2500 })
  },

  onEdit() {
    wx.navigateTo({ url: `/pages/proposals/edit?id=${this.id}` })
  },

  onSubmit() {
    return this.act(async () => {
      try {
        const p = await withLabels(api.post(`/proposals/${this.id}/submit`, {}, { silent: true }))
        this.show(p)
        wx.showToast({ title: '提案已提交', icon: 'success' })
      } catch (err) {
        if (err.code === 'not_enough_cosigners') {
          const needed = cosignersNeeded(this.raw, err.details)
          wx.showToast({ title: `附议人数不足（还需 ${needed} 人）`, icon: 'none', duration: 2500 })
        } else {
          this.fail(err)
        }
      }
    })
  },

  onCosign() {
    return this.act(async () => {
      try {
        const p = await withLabels(api.post(`/proposals/${this.id}/cosign`, this.invite ? { invite: this.invite } : {}, { silent: true }))
        wx.showToast({ title: '已附议', icon: 'success' })
        this.setData({ invited: false })
        this.show(p)
      } catch (err) {
        // A repeat is already_cosigned; the proposal moving past its draft is invalid_transition (both 409).
        if (err.code === 'already_cosigned') {
          wx.showToast({ title: MESSAGES.already_cosigned, icon: 'none' })
          this.setData({ invited: false })
          await this.reload()
        } else {
          this.fail(err)
        }
      }
    })
  },

  onWithdraw() {
    return this.act(async () => {
      const answer = await new Promise(resolve => wx.showModal({
        title: '撤回附议', content: '确定撤回对该提案的附议吗？', success: resolve, fail: () => resolve({}),
      }))
      if (!answer.confirm) return
      try {
        // The answer is the proposal: once withdrawn, a draft may no longer be readable without an invitation.
        const p = await withLabels(api.del(`/proposals/${this.id}/cosign`, { silent: true }))
        wx.showToast({ title: '已撤回附议', icon: 'none' })
        this.show(p)
      } catch (err) {
        this.fail(err)
      }
    })
  },

  onInviteMember(e) {
    const memberId = e.currentTarget.dataset.id
    return this.act(async () => {
      try {
        await api.post(`/proposals/${this.id}/invite`, { member_ids: [Number(memberId)] }, { silent: true })
        wx.showToast({ title: '已发送附议邀请', icon: 'none' })
        this.setData({ candidates: this.data.candidates.filter(c => String(c.id) !== String(memberId)) })
      } catch (err) {
        this.fail(err)
      }
    })
  },

  /**
   * Fetch the invitation for the share card (once): the server names the page the card opens
   * (pages/proposals/cosign?token=…). Resolves that page, or '' when none could be had.
   */
  prepareShare() {
    if (!this.sharing) {
      this.sharing = api.post(`/proposals/${this.id}/invite`, {}, { silent: true })
        .then(res => {
          this.sharePage = res && res.token ? (res.page || `pages/proposals/cosign?token=${encodeURIComponent(res.token)}`) : ''
          return this.sharePage
        })
        // Without a token the card opens the proposal without an invitation; the name search still works.
        .catch(() => { this.sharing = null; return '' })
    }
    return this.sharing
  },

  shareCard(invitePage) {
    const p = this.data.proposal
    const path = invitePage && p && p.canInvite ? invitePage : `pages/proposals/detail?id=${this.id}`
    return { title: p ? `邀请您附议：${p.title}` : '职代会提案', path }
  },

  onShareAppMessage() {
    const card = this.shareCard(this.sharePage)
    // Shared before the token came back: WeChat waits (up to 3 s) for the card carrying it.
    if (!this.sharePage && this.data.proposal && this.data.proposal.canInvite) {
      card.promise = this.prepareShare().then(invitePage => this.shareCard(invitePage))
    }
    return card
  },

  // The proposer's satisfaction with a completed proposal.
  onScore(e) {
    const score = Number(e.currentTarget.dataset.score)
    this.setData({ score, scoreText: SCORE_TEXTS[score] })
  },

  onRate() {
    if (!this.data.score) {
      wx.showToast({ title: '请为办理结果打分', icon: 'none' })
      return Promise.resolve()
    }
    return this.act(async () => {
      try {
        const p = await withLabels(api.post(`/proposals/${this.id}/rating`, { satisfaction: this.data.score }, { silent: true }))
        if (p && p.id) this.show(p)
        else await this.reload()
        wx.showToast({ title: '感谢您的评价', icon: 'success' })
      } catch (err) {
        this.fail(err)
      }
    })
  },
}))
