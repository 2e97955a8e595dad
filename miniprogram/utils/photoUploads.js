// Photos picked on a form and uploaded at once (POST /uploads answers each one's id), so that sending the form
// is one short POST naming those ids: a request's photos, a craftsman nomination's. The page mixes these
// methods in, shows data.photos ({key, path, progress, status: uploading|done|failed, id}) with the WXML of
// pages/requests/new.wxml's photo card, and calls abortUploads() from onUnload.
const api = require('./api')
const wxp = require('./wxp')
const { errorText } = require('./errors')

const MAX_PHOTOS = 6
const MAX_PHOTO_BYTES = 5 * 1024 * 1024

let photoSeq = 0

/** The page data the photo card reads. */
function photoData(max = MAX_PHOTOS) {
  return { photos: [], maxPhotos: max, uploading: false }
}

/** What keeps the form from being sent because of its photos, in the member's words, or ''. */
function photosProblem(photos) {
  if (photos.some(p => p.status === 'uploading')) return '照片正在上传，请稍候'
  if (photos.some(p => p.status === 'failed')) return '有照片上传失败，请点击重试或删除后再提交'
  return ''
}

/** The uploads' ids, in the order shown. */
function photoIds(photos) {
  return photos.map(p => p.id)
}

const photoMethods = {
  async onAddPhoto() {
    const max = this.data.maxPhotos
    const left = max - this.data.photos.length
    if (left <= 0) {
      wx.showToast({ title: `最多上传 ${max} 张照片`, icon: 'none' })
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
    const room = max - this.data.photos.length
    const tooBig = files.filter(f => f.size > MAX_PHOTO_BYTES)
    const fitting = files.filter(f => !(f.size > MAX_PHOTO_BYTES))
    const taken = fitting.slice(0, Math.max(room, 0))
    if (tooBig.length) wx.showToast({ title: '单张照片不能超过 5 MB，已略过过大的照片', icon: 'none', duration: 2500 })
    else if (taken.length < fitting.length) wx.showToast({ title: `最多上传 ${max} 张照片`, icon: 'none' })
    if (!taken.length) return
    const added = taken.map(f => ({ key: 'p' + (++photoSeq), path: f.tempFilePath, progress: 0, status: 'uploading', id: null }))
    this.setData({ photos: this.data.photos.concat(added), error: '' })
    this.syncUploading()
    await Promise.all(added.map(p => this.upload(p.key)))
  },

  async upload(key) {
    const photo = this.data.photos.find(p => p.key === key)
    if (!photo) return
    this.tasks = this.tasks || {}
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
    if (this.tasks && this.tasks[key]) {
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

  /** Uploads still running belong to a form nobody will send. */
  abortUploads() {
    Object.keys(this.tasks || {}).forEach(key => this.tasks[key].abort())
  },
}

module.exports = { MAX_PHOTOS, MAX_PHOTO_BYTES, photoData, photoMethods, photosProblem, photoIds }
