// Raise a request (诉求): category, title, content, urgent and confidential switches, up to 6 photos.
// Each photo is uploaded as soon as it is picked (POST /uploads answers its id) so that sending is one
// short POST /requests with those ids. Opened with ?behalf=1 a liaison raises it for a member of their
// grid, named by employee number.
const api = require('../../utils/api')
const wxp = require('../../utils/wxp')
const { errorText } = require('../../utils/errors')
const { ready, options } = require('../../utils/labels')
const { MAX_PHOTOS, MAX_PHOTO_BYTES, MESSAGES, fieldsText } = require('../../utils/requests')

const MAX_TITLE = 100
const MAX_CONTENT = 2000
const FORM_MESSAGES = Object.assign({}, MESSAGES, {
  forbidden: '该会员不在您负责的网格内，无法代为提交',
  not_found: '未找到该工号的会员，请核对后重试',
})

let photoSeq = 0

Page({
  data: {
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
    photos: [], // {key, path, progress, status: uploading|done|failed, id}
    maxPhotos: MAX_PHOTOS,
    uploading: false,
    submitting: false,
    error: '',
  },

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
    // Uploads still running belong to a form nobody will send.
    Object.keys(this.tasks || {}).forEach(key => this.tasks[key].abort())
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

  async onAddPhoto() {
    const left = MAX_PHOTOS - this.data.photos.length
    if (left <= 0) {
      wx.showToast({ title: `最多上传 ${MAX_PHOTOS} 张照片`, icon: 'none' })
      return
    }
    let res
    try {
      res = await wxp('chooseMedia', { count: left, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'] })
    } catch (err) {
      return // the member closed the picker
    }
    const files = res.tempFiles || []
    // Another pick may have filled places meanwhile; what does not fit is refused, not silently dropped.
    const room = MAX_PHOTOS - this.data.photos.length
    const tooBig = files.filter(f => f.size > MAX_PHOTO_BYTES)
    const fitting = files.filter(f => !(f.size > MAX_PHOTO_BYTES))
    const taken = fitting.slice(0, Math.max(room, 0))
    if (tooBig.length) wx.showToast({ title: '单张照片不能超过 5 MB，已略过过大的照片', icon: 'none', duration: 2500 })
    else if (taken.length < fitting.length) wx.showToast({ title: `最多上传 ${MAX_PHOTOS} 张照片`, icon: 'none' })
    if (!taken.length) return
    const added = taken.map(f => ({ key: 'p' + (++photoSeq), path: f.tempFilePath, progress: 0, status: 'uploading', id: null }))
    this.setData({ photos: this.data.photos.concat(added), error: '' })
    this.syncUploading()
    await Promise.all(added.map(p => this.upload(p.key)))
  },

  async upload(key) {
    const photo = this.data.photos.find(p => p.key === key)
    if (!photo) return
    try {
      const body = await api.upload('/uploads', photo.path, {
        silent: true,
        onTask: task => { this.tasks[key] = task },
        onProgress: progress => this.patchPhoto(key, { progress }),
      })
      if (!body || body.id === undefined || body.id === null) throw new Error('no upload id')
      this.patchPhoto(key, { status: 'done', progress: 100, id: body.id })
    } catch (err) {
      if (err && err.code === 'aborted') return
      this.patchPhoto(key, { status: 'failed' })
      wx.showToast({ title: '照片上传失败：' + errorText(err), icon: 'none', duration: 2500 })
    } finally {
      delete this.tasks[key]
      this.syncUploading()
    }
  },

  /** Change one photo, if it is still on the form (it may have been removed while uploading). */
  patchPhoto(key, changes) {
    const index = this.data.photos.findIndex(p => p.key === key)
    if (index < 0) return
    const data = {}
    Object.keys(changes).forEach(name => { data[`photos[${index}].${name}`] = changes[name] })
    this.setData(data)
  },

  syncUploading() {
    this.setData({ uploading: this.data.photos.some(p => p.status === 'uploading') })
  },

  onRemovePhoto(e) {
    const key = e.currentTarget.dataset.key
    if (this.tasks[key]) {
      this.tasks[key].abort()
      delete this.tasks[key]
    }
    this.setData({ photos: this.data.photos.filter(p => p.key !== key) })
    this.syncUploading()
  },

  onRetryPhoto(e) {
    const key = e.currentTarget.dataset.key
    this.patchPhoto(key, { status: 'uploading', progress: 0 })
    this.syncUploading()
    return this.upload(key)
  },

  onPreviewPhoto(e) {
    const urls = this.data.photos.map(p => p.path)
    wx.previewImage({ current: e.currentTarget.dataset.path, urls })
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
    if (photos.some(p => p.status === 'uploading')) return '照片正在上传，请稍候'
    if (photos.some(p => p.status === 'failed')) return '有照片上传失败，请点击重试或删除后再提交'
    return ''
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
      attachments: photos.map(p => p.id),
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
})
