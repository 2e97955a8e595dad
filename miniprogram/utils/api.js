// The one way pages talk to the Union Hub API: JSON over wx.request with our bearer token, the
// contract's error shape turned into a rejected ApiError, and a silent re-login when the token lapses.
const config = require('../config')
const wxp = require('./wxp')
const { ApiError, fromResponse, errorText } = require('./errors')

const TOKEN_KEY = 'token'
const MEMBER_KEY = 'member'
const BIND_PAGE = 'pages/bind/bind'

function getToken() {
  return wx.getStorageSync(TOKEN_KEY) || ''
}

function getMember() {
  return wx.getStorageSync(MEMBER_KEY) || null
}

/** Keep a session from /auth/login or /auth/bind. */
function saveSession({ token, member }) {
  if (token) wx.setStorageSync(TOKEN_KEY, token)
  if (member !== undefined) wx.setStorageSync(MEMBER_KEY, member)
}

function buildUrl(path, query) {
  const qs = Object.keys(query || {})
    .filter(k => query[k] !== undefined && query[k] !== null && query[k] !== '')
    .map(k => `${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`)
    .join('&')
  return config.apiBase + path + (qs ? '?' + qs : '')
}

function authHeader() {
  const token = getToken()
  return token ? { Authorization: 'Bearer ' + token } : {}
}

/**
 * One HTTP exchange; resolves {statusCode, data} for any status, rejects only when nothing came back.
 * A receipt (the anonymous suggestion box) goes in X-Receipt and never travels with our token, so the
 * server cannot tie the follow-up to the member.
 */
function send(method, path, { data, query, auth = true, receipt, headers } = {}) {
  const header = Object.assign(
    { 'content-type': 'application/json' },
    receipt ? { 'X-Receipt': receipt } : auth ? authHeader() : {},
    headers
  )
  return wxp('request', { url: buildUrl(path, query), method, data, header, dataType: 'json' })
    .catch(err => {
      throw new ApiError('network_error', (err && err.errMsg) || 'request failed')
    })
}

let pendingLogin = null

/**
 * Sign in: wx.login -> POST /auth/login {code}. Resolves the member, or null while the WeChat user is
 * not yet bound to the roster. Concurrent callers share one round trip.
 */
function login() {
  if (!pendingLogin) {
    pendingLogin = doLogin().then(
      member => { pendingLogin = null; return member },
      err => { pendingLogin = null; throw err }
    )
  }
  return pendingLogin
}

async function doLogin() {
  let res
  if (config.devEmployeeNo) {
    res = await send('POST', '/auth/dev-login', { data: { employee_no: config.devEmployeeNo }, auth: false })
  } else {
    const { code } = await wxp('login').catch(() => {
      throw new ApiError('wechat_login_failed', '')
    })
    res = await send('POST', '/auth/login', { data: { code }, auth: false })
  }
  if (res.statusCode !== 200) throw fromResponse(res.statusCode, res.data)
  saveSession(res.data)
  return res.data.member || null
}

function currentRoute() {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
  return pages.length ? pages[pages.length - 1].route : ''
}

/** Send a signed-in but unbound WeChat user to the page that binds them to the roster. */
function goBind() {
  if (currentRoute() !== BIND_PAGE) wx.reLaunch({ url: '/' + BIND_PAGE })
}

function toast(err) {
  wx.showToast({ title: errorText(err), icon: 'none', duration: 2500 })
}

/**
 * Call the API. Resolves the JSON body (or {status, data, header} with full: true); rejects an ApiError
 * with code and message, after showing its Chinese text in a toast unless silent: true. With receipt:
 * '<code>' the call is anonymous: X-Receipt instead of the bearer token, and no sign-in first. headers
 * adds request headers; a 304 (only ever the answer to a caller's If-None-Match) resolves like a 2xx.
 */
async function request(method, path, options = {}) {
  const { silent = false, full = false } = options
  const auth = options.auth !== false && !options.receipt
  try {
    if (auth && !getToken()) await login()
    const sendOptions = Object.assign({}, options, { auth })
    let res = await send(method, path, sendOptions)
    if (res.statusCode === 401 && auth) {
      // Tokens expire; one fresh wx.login is all it takes, so try exactly once more.
      await login()
      res = await send(method, path, sendOptions)
    }
    if ((res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 304) {
      return full ? { status: res.statusCode, data: res.data, header: res.header || {} } : res.data
    }
    const err = fromResponse(res.statusCode, res.data)
    if (err.code === 'not_bound') goBind()
    throw err
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('client_error', String((e && e.message) || e))
    if (!silent) toast(err)
    throw err
  }
}

function origin(url) {
  const m = /^https?:\/\/[^/]+/i.exec(url)
  return m ? m[0].toLowerCase() : ''
}

/**
 * Where a path or a URL the API handed out points: an API path ('/uploads/5') is under apiBase, a
 * root-relative one ('/api/v1/uploads/5') on the API's host, an absolute one stays as it is.
 */
function resolveUrl(pathOrUrl, query) {
  const value = String(pathOrUrl || '')
  if (/^https?:\/\//i.test(value)) return value
  const base = config.apiBase.replace(/^https?:\/\/[^/]+/i, '')
  if (base && value.startsWith(base + '/')) return buildUrl(value.slice(base.length), query)
  return buildUrl(value, query)
}

/** Our token goes only to our own API's host, never to wherever else a URL points (e.g. a storage bucket). */
function authHeaderFor(url) {
  return origin(url) === origin(config.apiBase) ? authHeader() : {}
}

/**
 * Download a protected file (e.g. a QR image, a request's photo) to a temp path with our auth header;
 * resolves the path. path is an API path or a URL the API gave (see resolveUrl). Image endpoints answer
 * errors as JSON we cannot read from a temp file, so those become download_failed.
 */
async function download(path, options = {}) {
  const { query, silent = false } = options
  const url = resolveUrl(path, query)
  const attempt = () => wxp('downloadFile', { url, header: authHeaderFor(url) })
    .catch(err => {
      throw new ApiError('network_error', (err && err.errMsg) || 'download failed')
    })
  try {
    if (!getToken()) await login()
    let res = await attempt()
    if (res.statusCode === 401) {
      await login()
      res = await attempt()
    }
    if (res.statusCode !== 200) throw new ApiError('download_failed', '', res.statusCode)
    return res.tempFilePath
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('client_error', String((e && e.message) || e))
    if (!silent) toast(err)
    throw err
  }
}

/**
 * Upload one local file (multipart, field `name`) with our token; resolves the JSON body of a 2xx answer
 * and rejects an ApiError otherwise, toasting like request() unless silent. onProgress(percent) follows
 * the transfer; onTask(task) receives the wx UploadTask so the caller can abort it.
 */
async function upload(path, filePath, options = {}) {
  const { name = 'file', formData, silent = false, onProgress, onTask } = options
  const attempt = () => new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: buildUrl(path),
      filePath,
      name,
      formData,
      header: authHeader(),
      success: resolve,
      fail: err => reject(new ApiError(/abort/i.test((err && err.errMsg) || '') ? 'aborted' : 'network_error',
        (err && err.errMsg) || 'upload failed')),
    })
    if (task && onProgress && task.onProgressUpdate) task.onProgressUpdate(p => onProgress(p.progress))
    if (task && onTask) onTask(task)
  })
  try {
    if (!getToken()) await login()
    let res = await attempt()
    if (res.statusCode === 401) {
      await login()
      res = await attempt()
    }
    // wx.uploadFile hands the body over as text, whatever its type.
    let body = res.data
    if (typeof body === 'string') {
      try { body = JSON.parse(body) } catch (e) { body = null }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return body
    const err = fromResponse(res.statusCode, body)
    if (err.code === 'not_bound') goBind()
    throw err
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('client_error', String((e && e.message) || e))
    if (!silent && err.code !== 'aborted') toast(err)
    throw err
  }
}

module.exports = {
  login,
  request,
  download,
  upload,
  resolveUrl,
  get: (path, options) => request('GET', path, options),
  post: (path, data, options = {}) => request('POST', path, Object.assign({}, options, { data })),
  del: (path, options) => request('DELETE', path, options),
  put: (path, data, options = {}) => request('PUT', path, Object.assign({}, options, { data })),
  getToken,
  getMember,
  saveSession,
  buildUrl,
}
