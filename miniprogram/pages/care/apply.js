// Apply for hardship aid (POST /care/cases): the kind of hardship and a few lines on the situation. The
// details are collected later by the handler, in person. Opened with ?behalf=1 a liaison applies for a member of
// their grid, named by employee number; the case is then the member's, and the liaison does not follow it. Opened
// with ?request_id= from the member's hardship request, the application is linked to that request.
// Nothing typed here is kept on the phone.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { ready, options } = require('../../utils/labels')
const { MESSAGES, fieldsText } = require('../../utils/care')

const MAX_SUMMARY = 2000
const FORM_MESSAGES = Object.assign({}, MESSAGES, {
  forbidden: '该会员不在您负责的网格内，无法代为申请',
  not_found: '未找到该工号的会员，请核对后重试',
})
const BEHALF_MESSAGES = Object.assign({}, FORM_MESSAGES, {
  case_open: '该会员已有一个同类的帮扶个案正在办理，无需重复申请',
})

Page({
  data: {
    behalf: false,
    employeeNo: '',
    categoryLabels: [],
    categoryIndex: -1,
    summary: '',
    count: 0,
    max: MAX_SUMMARY,
    submitting: false,
    error: '',
  },

  async onLoad(query = {}) {
    const behalf = query.behalf === '1'
    // Opened from one of the member's hardship requests: the application is linked to it (the server checks it is theirs).
    this.requestId = /^\d+$/.test(query.request_id || '') ? Number(query.request_id) : null
    if (behalf && wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: '为网格成员申请帮扶' })
    // The categories are the server's care_category vocabulary, in its order.
    await ready()
    this.categories = options('care_category')
    this.setData({
      behalf,
      categoryLabels: this.categories.map(c => c.label),
      error: this.categories.length ? '' : '困难类别加载失败，请检查网络后重新打开',
    })
  },

  onEmployeeNo(e) {
    this.setData({ employeeNo: e.detail.value, error: '' })
  },

  onCategory(e) {
    this.setData({ categoryIndex: Number(e.detail.value), error: '' })
  },

  onSummary(e) {
    const summary = e.detail.value
    this.setData({ summary, count: summary.length, error: '' })
  },

  problem() {
    const { behalf, employeeNo, categoryIndex, summary } = this.data
    if (behalf && !employeeNo.trim()) return '请填写会员工号'
    if (categoryIndex < 0) return '请选择困难类别'
    if (!summary.trim()) return '请简要说明遇到的困难'
    if (summary.length > MAX_SUMMARY) return `情况说明不能超过 ${MAX_SUMMARY} 字`
    return ''
  },

  async onSubmit() {
    // A second tap while the first is on its way sends nothing: the flag is set before anything waits.
    if (this.submitting) return
    const problem = this.problem()
    if (problem) return this.setData({ error: problem })
    this.submitting = true
    this.setData({ submitting: true, error: '' })
    const { behalf, employeeNo, categoryIndex, summary } = this.data
    const body = { category: this.categories[categoryIndex].value, summary: summary.trim() }
    if (behalf) body.member_employee_no = employeeNo.trim()
    else if (this.requestId) body.request_id = this.requestId
    try {
      await api.post('/care/cases', body, { silent: true })
      wx.showToast({ title: behalf ? '已代为申请' : '申请已提交', icon: 'success' })
      wx.navigateBack()
    } catch (err) {
      const fields = err.code === 'invalid_request' ? fieldsText(err) : ''
      this.setData({ error: fields || errorText(err, behalf ? BEHALF_MESSAGES : FORM_MESSAGES) })
      this.submitting = false
      this.setData({ submitting: false })
    }
  },
})
