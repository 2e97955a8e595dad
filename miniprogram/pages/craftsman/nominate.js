// Nominating a craftsman star (POST /craftsman/rounds/{id}/nominations) while nominations are open: myself or
// another member, found by name (GET …/nominee-candidates, the search the proposals' co-signers use), the reason,
// the evidence and up to 6 photos, each uploaded as soon as it is picked (POST /uploads, as a request's photos).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { memberSearch, searchData } = require('../../utils/memberSearch')
const { photoData, photoMethods, photosProblem, photoIds } = require('../../utils/photoUploads')
const { fieldErrors, fieldsText } = require('../../utils/proposals')
const { MESSAGES, FIELD_NAMES, roundView } = require('../../utils/craftsman')

const MAX = { reason: 2000, evidence: 10000 } // NominationIn's limits

const search = memberSearch({ path() { return `/craftsman/rounds/${this.roundId}/nominee-candidates` }, messages: MESSAGES })

Page(Object.assign({}, photoMethods, search, {
  data: Object.assign(photoData(), searchData(), {
    round: null,
    loadError: '',
    self: true, // nominating myself, or another member (nominee)
    me: null,
    nominee: null, // {id, name, department}
    reason: '',
    evidence: '',
    errors: {},
    error: '',
    submitting: false,
    max: MAX,
  }),

  async onLoad(query = {}) {
    this.roundId = query.round_id
    const member = api.getMember()
    this.setData({ me: member ? { id: member.id, name: member.name, department: member.department || '' } : null })
    try {
      const round = roundView(await withLabels(api.get(`/craftsman/rounds/${this.roundId}`, { silent: true })))
      this.setData({ round, loadError: round.canNominate ? '' : '本轮推荐已截止' })
    } catch (err) {
      this.setData({ loadError: errorText(err, MESSAGES) })
    }
  },

  onUnload() {
    this.abortUploads()
  },

  onSelf() { this.setData({ self: true, 'errors.nominee_id': '' }) },
  onOther() { this.setData({ self: false }) },

  onPick(e) {
    const id = Number(e.currentTarget.dataset.id)
    const nominee = this.data.candidates.find(c => c.id === id)
    this.setData({ nominee, candidates: [], searched: false, query: '', 'errors.nominee_id': '' })
  },

  onClearNominee() {
    this.setData({ nominee: null })
  },

  onReason(e) { this.setData({ reason: e.detail.value, 'errors.reason': '', error: '' }) },
  onEvidence(e) { this.setData({ evidence: e.detail.value, error: '' }) },

  /** What keeps the form from being sent: field errors and a general problem (photos). */
  check() {
    const errors = {}
    if (!this.data.self && !this.data.nominee) errors.nominee_id = '请搜索并选择被推荐的会员'
    if (this.data.self && !this.data.me) errors.nominee_id = '请先登录'
    if (!this.data.reason.trim()) errors.reason = '请填写推荐理由'
    return { errors, problem: photosProblem(this.data.photos) }
  },

  async onSubmit() {
    if (this.submitting) return
    const { errors, problem } = this.check()
    if (Object.keys(errors).length || problem) {
      this.setData({ errors, error: problem })
      return
    }
    this.submitting = true
    this.setData({ submitting: true, errors: {}, error: '' })
    const body = {
      nominee_id: this.data.self ? this.data.me.id : this.data.nominee.id,
      reason: this.data.reason.trim(),
      evidence: this.data.evidence.trim(),
      photos: photoIds(this.data.photos),
    }
    try {
      await api.post(`/craftsman/rounds/${this.roundId}/nominations`, body, { silent: true })
      wx.showToast({ title: '推荐已提交', icon: 'success' })
      wx.navigateBack()
    } catch (err) {
      const fields = err.code === 'invalid_request' ? fieldErrors(err) : {}
      this.setData({ errors: fields, error: fieldsText(err, FIELD_NAMES) || errorText(err, MESSAGES) })
      this.submitting = false
      this.setData({ submitting: false })
    }
  },
}))
