// Raise a request (诉求): category, title, content, urgent and confidential switches, up to 6 photos.
// Each photo is uploaded as soon as it is picked (POST /uploads answers its id) so that sending is one
// short POST /requests with those ids. Opened with ?behalf=1 a liaison raises it for a member of their
// grid, named by employee number.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { ready, options } = require('../../utils/labels')
const { photoData, photoMethods, photosProblem, photoIds } = require('../../utils/photoUploads')
const { MESSAGES, fieldsText } = require('../../utils/requests')

const MAX_TITLE = 100
const MAX_CONTENT = 2000
const FORM_MESSAGES = Object.assign({}, MESSAGES, {
  forbidden: '该会员不在您负责的网格内，无法代为提交',
  not_found: '未找到该工号的会员，请核对后重试',
})

Page(Object.assign({}, photoMethods, {
  data: Object.assign(photoData(), {
    behalf: false,
    employeeNo: '',
    categoryLabels: [],
    categoryIndex: -1,
    title: '',
    content: '',
    count: 0,
    maxTitle: MAX_TITLE,
    max: MAX_CONTENT,
    urgent: false,
    confidential: false,
    submitting: false,
    error: '',
  }),

  async onLoad(query = {}) {
    this.tasks = {}
    const behalf = query.behalf === '1'
    if (behalf && wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: '代会员提交诉求' })
    // The categories are the server's request_category vocabulary, in its order.
    await ready()
    this.categories = options('request_category')
    this.setData({
      behalf,
      categoryLabels: this.categories.map(c => c.label),
      error: this.categories.length ? '' : '诉求类别加载失败，请检查网络后重新打开',
    })
  },

  onUnload() {
    this.abortUploads()
  },

  onEmployeeNo(e) {
    this.setData({ employeeNo: e.detail.value, error: '' })
  },

  onCategory(e) {
    this.setData({ categoryIndex: Number(e.detail.value), error: '' })
  },

  onTitle(e) {
    this.setData({ title: e.detail.value, error: '' })
  },

  onContent(e) {
    const content = e.detail.value
    this.setData({ content, count: content.length, error: '' })
  },

  onUrgent(e) {
    this.setData({ urgent: !!e.detail.value })
  },

  onConfidential(e) {
    this.setData({ confidential: !!e.detail.value })
  },

  /** What keeps the form from being sent, in the member's words, or ''. */
  problem() {
    const { behalf, employeeNo, categoryIndex, title, content, photos } = this.data
    if (behalf && !employeeNo.trim()) return '请填写会员工号'
    if (categoryIndex < 0) return '请选择诉求类别'
    if (!title.trim()) return '请填写标题'
    if (title.trim().length > MAX_TITLE) return `标题不能超过 ${MAX_TITLE} 字`
    if (!content.trim()) return '请填写诉求内容'
    if (content.length > MAX_CONTENT) return `诉求内容不能超过 ${MAX_CONTENT} 字`
    return photosProblem(photos)
  },

  async onSubmit() {
    // A second tap while the first is on its way sends nothing: the flag is set before anything waits.
    if (this.submitting) return
    const problem = this.problem()
    if (problem) return this.setData({ error: problem })
    this.submitting = true
    this.setData({ submitting: true, error: '' })
    const { behalf, employeeNo, categoryIndex, title, content, urgent, confidential, photos } = this.data
    const body = {
      category: this.categories[categoryIndex].value,
      title: title.trim(),
      content,
      urgent,
      confidential,
      attachments: photoIds(photos),
    }
    // No member search is open to liaisons: the member is named by employee number (see the report).
    if (behalf) body.on_behalf_of_employee_no = employeeNo.trim()
    try {
      const created = await api.post('/requests', body, { silent: true })
      if (behalf) {
        wx.showToast({ title: '已代会员提交', icon: 'success' })
        wx.navigateBack()
      } else {
        wx.showToast({ title: '诉求已提交', icon: 'success' })
        wx.redirectTo({ url: `/pages/requests/detail?id=${created.id}` })
      }
    } catch (err) {
      const fields = err.code === 'invalid_request' ? fieldsText(err) : ''
      this.setData({ error: fields || errorText(err, FORM_MESSAGES) })
      this.submitting = false
      this.setData({ submitting: false })
    }
  },
}))
