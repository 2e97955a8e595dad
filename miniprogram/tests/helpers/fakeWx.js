// Stand-ins for the WeChat runtime (wx.*): the network goes to a FakeBackend, storage lives in memory,
// UI calls (toast, modal, navigation) are recorded so tests can assert what the member was shown.
const config = require('../../config')
const { FakeBackend } = require('./backend')
const { labelsRoute } = require('./contract')

function installWx() {
  // GET /meta/labels answers as the server does unless a test says otherwise (later routes win).
  const backend = new FakeBackend().on('GET /meta/labels', labelsRoute())
  const storage = {}
  const state = {
    backend,
    storage,
    pending: 0,
    toasts: [],
    modals: [],
    navigations: [],
    loginCodes: 0,
    scanResults: [], // queue of {result} or {errMsg} (failure)
    modalAnswers: [], // queue of {confirm, cancel}; default is {confirm: false, cancel: true}
    pullDownStopped: 0,
    downloads: [],
    // wx.requestSubscribeMessage answers, queued: {<template id>: 'accept'|...} or {errMsg, errCode} (failure);
    // with none queued the dialog is closed without a choice, which WeChat reports as a rejection.
    subscribeAnswers: [],
    subscribeRequests: [],
    settingsOpened: [],
    tabBadges: {}, // tab index -> badge text shown
    clipboard: null, // last text put on the clipboard
    offline: false, // when true, wx.request fails as it does with no network (nothing reaches the backend)
    // wx.chooseMedia answers, queued: {tempFiles: [{tempFilePath, size, fileType}]} or {errMsg} (cancelled);
    // with none queued the member closes the picker.
    mediaChoices: [],
    mediaRequests: [], // the options each wx.chooseMedia was called with
    uploads: [], // the options of each wx.uploadFile
    uploadTasks: [], // the UploadTask each wx.uploadFile returned ({aborted})
    previews: [], // wx.previewImage options
    documents: [], // wx.openDocument options
    brightness: 0.4, // the screen's brightness as wx.getScreenBrightness reports it
    brightnessSet: [], // each value a page set
    keepScreenOn: false,
    savedFiles: [], // paths wx.saveFile handed out and not removed since
  }

  // Answer on a later macrotask, as the real runtime does, and count what is still in flight.
  function later(fn, delay = 0) {
    state.pending += 1
    setTimeout(() => {
      state.pending -= 1
      fn()
    }, delay)
  }

  function respond(opts, ok, res, delay) {
    later(() => {
      if (ok && opts.success) opts.success(res)
      if (!ok && opts.fail) opts.fail(res)
      if (opts.complete) opts.complete(res)
    }, delay)
  }

  const fake = {
    getStorageSync: key => (key in storage ? storage[key] : ''),
    setStorageSync: (key, value) => { storage[key] = value },
    removeStorageSync: key => { delete storage[key] },

    login: opts => {
      state.loginCodes += 1
      respond(opts, true, { code: 'wx-code-' + state.loginCodes, errMsg: 'login:ok' })
    },
    request: opts => {
      if (state.offline) return respond(opts, false, { errMsg: 'request:fail -101:net::ERR_INTERNET_DISCONNECTED' })
      const res = backend.handle(opts)
      return respond(opts, true, { statusCode: res.status, data: res.body, header: res.headers, errMsg: 'request:ok' }, res.delay)
    },
    downloadFile: opts => {
      state.downloads.push(opts)
      // A URL elsewhere than our API (a storage bucket's signed link) just serves the file.
      const res = opts.url.startsWith(config.apiBase) ? backend.handle(Object.assign({ method: 'GET' }, opts)) : { status: 200 }
      respond(opts, true, {
        statusCode: res.status,
        tempFilePath: res.status === 200 ? 'wxfile://tmp/' + backend.requests.length + '.png' : 'wxfile://tmp/error',
        errMsg: 'downloadFile:ok',
      })
    },
    // The backend sees a multipart upload as POST with data {name, filePath, formData}; as on a phone the
    // answer's body arrives as text, and progress is reported at half way and at the end.
    uploadFile: opts => {
      state.uploads.push(opts)
      const task = { aborted: false, listeners: [] }
      task.onProgressUpdate = cb => { task.listeners.push(cb) }
      task.abort = () => { task.aborted = true }
      state.uploadTasks.push(task)
      const res = backend.handle({ method: 'POST', url: opts.url, header: opts.header,
        data: { name: opts.name, filePath: opts.filePath, formData: opts.formData } })
      later(() => {
        if (task.aborted) return
        task.listeners.forEach(cb => cb({ progress: 50, totalBytesSent: 1, totalBytesExpectedToSend: 2 }))
      }, Math.floor(res.delay / 2))
      later(() => {
        if (task.aborted) {
          if (opts.fail) opts.fail({ errMsg: 'uploadFile:fail abort' })
          return
        }
        task.listeners.forEach(cb => cb({ progress: 100, totalBytesSent: 2, totalBytesExpectedToSend: 2 }))
        const data = typeof res.body === 'string' ? res.body : JSON.stringify(res.body)
        if (opts.success) opts.success({ statusCode: res.status, data, errMsg: 'uploadFile:ok' })
      }, res.delay)
      return task
    },
    chooseMedia: opts => {
      state.mediaRequests.push(opts)
      const next = state.mediaChoices.shift() || { errMsg: 'chooseMedia:fail cancel' }
      respond(opts, !next.errMsg, Object.assign({ errMsg: 'chooseMedia:ok', type: 'image' }, next))
    },
    previewImage: opts => { state.previews.push(opts); respond(opts, true, {}) },
    openDocument: opts => { state.documents.push(opts); respond(opts, true, { errMsg: 'openDocument:ok' }) },

    scanCode: opts => {
      state.lastScanOptions = opts
      const next = state.scanResults.shift() || { errMsg: 'scanCode:fail cancel' }
      respond(opts, !next.errMsg, Object.assign({ errMsg: 'scanCode:ok', scanType: 'QR_CODE' }, next))
    },

    requestSubscribeMessage: opts => {
      state.subscribeRequests.push(opts.tmplIds)
      const next = state.subscribeAnswers.shift() || { [opts.tmplIds[0]]: 'reject' }
      respond(opts, !next.errMsg, Object.assign({ errMsg: 'requestSubscribeMessage:ok' }, next))
    },
    openSetting: opts => { state.settingsOpened.push(opts); respond(opts, true, {}) },
    setTabBarBadge: opts => { state.tabBadges[opts.index] = opts.text; respond(opts, true, {}) },
    removeTabBarBadge: opts => { delete state.tabBadges[opts.index]; respond(opts, true, {}) },

    // The screen: what a page sets is recorded (brightness 0..1 as WeChat reports it; the phone starts at 0.4).
    getScreenBrightness: opts => respond(opts, true, { value: state.brightness, errMsg: 'getScreenBrightness:ok' }),
    setScreenBrightness: opts => { state.brightness = opts.value; state.brightnessSet.push(opts.value); respond(opts, true, {}) },
    setKeepScreenOn: opts => { state.keepScreenOn = opts.keepScreenOn; respond(opts, true, {}) },

    // Saved files: a temporary path kept (wx.saveFile) and deleted again (wx.removeSavedFile).
    saveFile: opts => {
      const savedFilePath = 'wxfile://store/' + (state.savedFiles.length + 1) + '.png'
      state.savedFiles.push(savedFilePath)
      respond(opts, true, { savedFilePath, errMsg: 'saveFile:ok' })
    },
    removeSavedFile: opts => {
      state.savedFiles = state.savedFiles.filter(f => f !== opts.filePath)
      respond(opts, true, { errMsg: 'removeSavedFile:ok' })
    },

    setClipboardData: opts => { state.clipboard = opts.data; respond(opts, true, { errMsg: 'setClipboardData:ok' }) },
    showToast: opts => { state.toasts.push(opts.title); respond(opts, true, {}) },
    showModal: opts => {
      state.modals.push(opts)
      respond(opts, true, Object.assign({ confirm: false, cancel: true }, state.modalAnswers.shift()))
    },
    showLoading: opts => respond(opts, true, {}),
    hideLoading: () => {},
    stopPullDownRefresh: () => { state.pullDownStopped += 1 },

    navigateTo: opts => { state.navigations.push({ type: 'navigateTo', url: opts.url }); respond(opts, true, {}) },
    redirectTo: opts => { state.navigations.push({ type: 'redirectTo', url: opts.url }); respond(opts, true, {}) },
    reLaunch: opts => { state.navigations.push({ type: 'reLaunch', url: opts.url }); respond(opts, true, {}) },
    switchTab: opts => { state.navigations.push({ type: 'switchTab', url: opts.url }); respond(opts, true, {}) },
    navigateBack: opts => { state.navigations.push({ type: 'navigateBack' }); respond(opts || {}, true, {}) },
  }

  // miniprogram-simulate installs its own generic wx; ours replaces the calls the pages make.
  global.wx = Object.assign(global.wx || {}, fake)
  global.getCurrentPages = () => []

  /** Wait until every answered wx call has run, including calls those callbacks made in turn. */
  state.settle = async () => {
    for (let idle = 0; idle < 3;) {
      await new Promise(resolve => setTimeout(resolve, 0))
      idle = state.pending === 0 ? idle + 1 : 0
    }
  }

  /** Wait (on real timers) until check() holds, e.g. an upload half way; fails the test after timeout ms. */
  state.settle.until = async (check, timeout = 3000) => {
    // Counted in steps: Date is the suite's fixed clock and does not move.
    for (let waited = 0; !check(); waited += 5) {
      if (waited > timeout) throw new Error('condition not reached in ' + timeout + ' ms')
      await new Promise(resolve => setTimeout(resolve, 5))
    }
  }

  /** Sign the member in as if a previous launch had done it. */
  state.signIn = (member = MEMBER) => {
    storage.token = 'token-of-' + member.id
    storage.member = member
  }

  return state
}

const MEMBER = {
  id: 7,
  employee_no: 'E1007',
  name: '王芳',
  department: '总装车间',
  grid: '第三网格',
  roles: ['member'],
  tags: ['生产一线'],
  phone_masked: '138****5678',
}

module.exports = { installWx, MEMBER }
