// Drafting a proposal (POST /proposals) or changing a draft (PATCH /proposals/{id}): title, the problem (问题),
// the proposed solution (建议), the responsible department, an optional deadline and the confidential switch.
// The session's close time and the co-signers it needs are shown. Missing fields are named under each field
// before anything is sent; the server's field errors (400 invalid_request) are shown the same way.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { formatDateTime } = require('../../utils/format')
const { MESSAGES, fieldErrors, fieldsText } = require('../../utils/proposals')

const REQUIRED = { title: '请填写标题', problem: '请写明存在的问题', solution: '请写明解决建议', department: '请填写责任部门' }
const MAX = { title: 100, problem: 5000, solution: 5000, department: 100 } // ProposalIn's limits

Page({
  data: {
    id: null,
    session: null,
    title: '',
    problem: '',
    solution: '',
    department: '',
    deadline: '',
    confidential: false,
    errors: {},
    saving: false,
    loadError: '',
    max: MAX,
  },

  async onLoad(query = {}) {
    try {
      if (query.id) {
        const p = await api.get(`/proposals/${query.id}`, { silent: true })
        this.sessionId = p.session_id
        this.setData({
          id: p.id, title: p.title || '', problem: p.problem || '', solution: p.solution || '',
          department: p.department || '', deadline: p.deadline || '', confidential: !!p.confidential,
        })
        wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: '修改提案' })
      } else {
        this.sessionId = query.session_id
      }
      this.showSession(await api.get(`/congress-sessions/${this.sessionId}`, { silent: true }))
    } catch (err) {
      this.setData({ loadError: errorText(err, MESSAGES) })
    }
  },

  showSession(s) {
    if (!s) return
    this.setData({ session: { name: s.name, closesText: formatDateTime(s.closes_at), minCosigners: s.min_cosigners } })
  },

  input(name, value) {
    this.setData({ [name]: value, [`errors.${name}`]: '' })
  },
  onTitle(e) { this.input('title', e.detail.value) },
  onProblem(e) { this.input('problem', e.detail.value) },
  onSolution(e) { this.input('solution', e.detail.value) },
  onDepartment(e) { this.input('department', e.detail.value) },
  onDeadline(e) { this.input('deadline', e.detail.value) },
  onClearDeadline() { this.input('deadline', '') },
  onConfidential(e) { this.setData({ confidential: !!e.detail.value }) },

  validate() {
    const errors = {}
    Object.keys(REQUIRED).forEach(name => {
      if (!String(this.data[name] || '').trim()) errors[name] = REQUIRED[name]
    })
    return errors
  },

  async onSave() {
    if (this.saving) return
    const errors = this.validate()
    if (Object.keys(errors).length) {
      this.setData({ errors })
      wx.showToast({ title: '请补全提案内容', icon: 'none' })
      return
    }
    this.saving = true
    this.setData({ saving: true, errors: {} })
    const body = {
      title: this.data.title.trim(),
      problem: this.data.problem.trim(),
      solution: this.data.solution.trim(),
      department: this.data.department.trim(),
      deadline: this.data.deadline || null,
      confidential: this.data.confidential,
    }
    try {
      let saved
      if (this.data.id) {
        saved = await api.request('PATCH', `/proposals/${this.data.id}`, { data: body, silent: true })
      } else {
        saved = await api.post('/proposals', Object.assign({ session_id: Number(this.sessionId) }, body), { silent: true })
      }
      wx.showToast({ title: '草稿已保存', icon: 'success' })
      if (this.data.id) wx.navigateBack()
      else wx.redirectTo({ url: `/pages/proposals/detail?id=${saved.id}` })
    } catch (err) {
      const fields = err.code === 'invalid_request' ? fieldErrors(err) : {}
      if (Object.keys(fields).length) this.setData({ errors: fields })
      wx.showToast({ title: fieldsText(err) || errorText(err, MESSAGES), icon: 'none', duration: 2500 })
    } finally {
      this.saving = false
      this.setData({ saving: false })
    }
  },
})
