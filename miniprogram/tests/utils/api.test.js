const { installWx, MEMBER } = require('../helpers/fakeWx')
const { error } = require('../helpers/contract')

let wxs
let api

beforeEach(() => {
  wxs = installWx()
  api = require('../../utils/api')
})

const loginOk = (member = MEMBER) => req => ({ body: { token: 'fresh-' + req.data.code, expires_at: '2026-12-08T09:00:00+08:00', member } })

test('sends JSON with the stored bearer token and resolves the body', async () => {
  wxs.signIn()
  wxs.backend.on('POST /events/:id/registrations', { status: 201, body: { id: 1, status: 'confirmed', waitlist_position: null } })

  const reg = await api.post('/events/9/registrations', { note: '素食' })

  expect(reg.status).toBe('confirmed')
  const [req] = wxs.backend.calls('POST /events/9/registrations')
  expect(req.headers.Authorization).toBe('Bearer token-of-7')
  expect(req.headers['content-type']).toBe('application/json')
  expect(req.data).toEqual({ note: '素食' })
})

test('query parameters are encoded; empty ones are left out', async () => {
  wxs.signIn()
  wxs.backend.on('GET /events', { body: { items: [], page: 2, per_page: 20, total: 0 } })

  await api.get('/events', { query: { from: '2026-12-01T09:00:00+08:00', page: 2, kind: '' } })

  expect(wxs.backend.calls('GET /events')[0].query).toEqual({ from: '2026-12-01T09:00:00+08:00', page: '2' })
})

test('the error shape becomes an ApiError and the server\'s message is shown', async () => {
  wxs.signIn()
  wxs.backend.on('POST /events/:id/registrations', error(409, 'event_full', '名额已满'))

  await expect(api.post('/events/9/registrations')).rejects.toMatchObject({ code: 'event_full', status: 409, message: '名额已满' })
  expect(wxs.toasts).toEqual(['名额已满'])
})

test.each([
  ['empty', ''],
  ['blank', '  '],
  ['not a string', null],
])('a known code whose message is %s is shown in the app\'s words', async (_, message) => {
  wxs.signIn()
  wxs.backend.on('POST /events/:id/registrations', { status: 409, body: { error: { code: 'event_full', message, details: {} } } })

  await expect(api.post('/events/9/registrations')).rejects.toMatchObject({ code: 'event_full' })
  expect(wxs.toasts).toEqual(['名额已满，且该活动不设候补'])
})

test('a 5xx without the error shape is shown in the app\'s words', async () => {
  wxs.signIn()
  wxs.backend.on('GET /me', { status: 502, body: '<html>Bad Gateway</html>' })

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'service_unavailable', status: 502 })
  expect(wxs.toasts).toEqual(['服务暂时不可用，请稍后重试'])
})

test('silent calls leave the wording to the page', async () => {
  wxs.signIn()
  wxs.backend.on('POST /checkins', error(400, 'token_expired', '二维码已过期'))

  await expect(api.post('/checkins', { token: 'x' }, { silent: true })).rejects.toMatchObject({ code: 'token_expired' })
  expect(wxs.toasts).toEqual([])
})

test('an unknown code shows the server\'s own message', async () => {
  wxs.signIn()
  wxs.backend.on('GET /me', error(418, 'brand_new_code', '服务器说明'))

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'brand_new_code' })
  expect(wxs.toasts).toEqual(['服务器说明'])
})

test('an expired token is renewed with wx.login once and the request repeated', async () => {
  wxs.signIn()
  wxs.backend.on('POST /auth/login', loginOk())
  wxs.backend.on('GET /me', req => (req.headers.Authorization === 'Bearer fresh-wx-code-1'
    ? { body: MEMBER } : error(401, 'unauthenticated', '登录已过期，请重新登录')))

  await expect(api.get('/me')).resolves.toEqual(MEMBER)

  expect(wxs.backend.calls('POST /auth/login').map(r => r.data)).toEqual([{ code: 'wx-code-1' }])
  expect(wxs.backend.calls('GET /me')).toHaveLength(2)
  expect(wxs.storage.token).toBe('fresh-wx-code-1')
})

test('a second 401 is not retried again', async () => {
  wxs.signIn()
  wxs.backend.on('POST /auth/login', loginOk())
  wxs.backend.on('GET /me', error(401, 'unauthenticated', '账号已不在会员名册中，请联系工会'))

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'unauthenticated' })
  expect(wxs.backend.calls('POST /auth/login')).toHaveLength(1)
  expect(wxs.backend.calls('GET /me')).toHaveLength(2)
  // Refused right after a fresh sign-in: the server's reason alone (re-entering would not help).
  expect(wxs.toasts).toEqual(['账号已不在会员名册中，请联系工会'])
})

test('a second 401 without a message still says something in Chinese', async () => {
  wxs.signIn()
  wxs.backend.on('POST /auth/login', loginOk())
  wxs.backend.on('GET /me', { status: 401, body: { error: { code: 'unauthenticated', message: '' } } })

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'unauthenticated' })
  expect(wxs.toasts).toEqual(['登录失败，请重新进入小程序'])
})

test('without a token it signs in first, and parallel calls share one login', async () => {
  wxs.backend.on('POST /auth/login', loginOk())
  wxs.backend.on('GET /me', { body: MEMBER })
  wxs.backend.on('GET /me/registrations', { body: { items: [], page: 1, per_page: 20, total: 0 } })

  await Promise.all([api.get('/me'), api.get('/me/registrations')])

  expect(wxs.loginCodes).toBe(1)
  expect(wxs.backend.calls('GET /me')[0].headers.Authorization).toBe('Bearer fresh-wx-code-1')
  expect(wxs.storage.member).toEqual(MEMBER)
})

test('WeChat refusing the code is reported in the server\'s words', async () => {
  wxs.backend.on('POST /auth/login', error(401, 'wechat_login_failed', '微信登录失败，请重试'))

  await expect(api.login()).rejects.toMatchObject({ code: 'wechat_login_failed' })
  await expect(api.get('/me')).rejects.toMatchObject({ code: 'wechat_login_failed' })
  expect(wxs.toasts).toEqual(['微信登录失败，请重试'])
})

test('wx.login itself failing is reported in Chinese', async () => {
  wx.login = opts => setTimeout(() => opts.fail({ errMsg: 'login:fail system error' }), 0)

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'wechat_login_failed' })
  expect(wxs.toasts).toEqual(['微信登录失败，请稍后重试'])
})

test('a WeChat user not yet bound is sent to the bind page', async () => {
  wxs.signIn()
  wxs.backend.on('GET /events', error(403, 'not_bound', '请先绑定手机号以验证会员身份'))

  await expect(api.get('/events')).rejects.toMatchObject({ code: 'not_bound' })
  expect(wxs.navigations).toEqual([{ type: 'reLaunch', url: '/pages/bind/bind' }])
})

test('no network: a clear message, not a crash', async () => {
  wxs.signIn()
  wx.request = opts => setTimeout(() => opts.fail({ errMsg: 'request:fail timeout' }), 0)

  await expect(api.get('/me')).rejects.toMatchObject({ code: 'network_error' })
  expect(wxs.toasts).toEqual(['网络连接失败，请检查网络后重试'])
})

test('development sign-in by employee number when configured', async () => {
  require('../../config').devEmployeeNo = 'E1007'
  wxs.backend.on('POST /auth/dev-login', { body: { token: 'dev-token', expires_at: '2026-12-08T09:00:00+08:00', member: MEMBER } })

  await expect(api.login()).resolves.toEqual(MEMBER)
  expect(wxs.backend.calls('POST /auth/dev-login')[0].data).toEqual({ employee_no: 'E1007' })
  expect(wxs.loginCodes).toBe(0)
  expect(wxs.storage.token).toBe('dev-token')
})

test('protected files are downloaded with the auth header', async () => {
  wxs.signIn()
  wxs.backend.on('GET /events/:id/ticket', { body: 'PNG' })

  const file = await api.download('/events/9/ticket', { query: { format: 'png' } })

  expect(file).toMatch(/^wxfile:\/\/tmp\//)
  expect(wxs.downloads[0].url).toBe('http://127.0.0.1:5000/api/v1/events/9/ticket?format=png')
  expect(wxs.downloads[0].header).toEqual({ Authorization: 'Bearer token-of-7' })
})

test('an API path, a root-relative path and an absolute URL resolve as the API meant them', () => {
  expect(api.resolveUrl('/uploads/5')).toBe('http://127.0.0.1:5000/api/v1/uploads/5')
  expect(api.resolveUrl('/api/v1/uploads/5')).toBe('http://127.0.0.1:5000/api/v1/uploads/5')
  expect(api.resolveUrl('https://files.example.cn/x.jpg?sig=1')).toBe('https://files.example.cn/x.jpg?sig=1')
})

test('a file is uploaded as multipart with the token, its JSON answer read from text', async () => {
  wxs.signIn()
  wxs.backend.on('POST /uploads', { status: 201, body: { id: 'u1' } })
  const progress = []

  const body = await api.upload('/uploads', 'wxfile://tmp/a.jpg', { onProgress: p => progress.push(p) })

  expect(body).toEqual({ id: 'u1' })
  expect(progress).toEqual([50, 100])
  expect(wxs.uploads[0]).toMatchObject({ url: 'http://127.0.0.1:5000/api/v1/uploads', filePath: 'wxfile://tmp/a.jpg', name: 'file' })
  expect(wxs.uploads[0].header).toEqual({ Authorization: 'Bearer token-of-7' })
})

test('an upload on a lapsed token signs in again and is sent once more', async () => {
  wxs.signIn()
  wxs.backend.on('POST /auth/login', loginOk())
  wxs.backend.on('POST /uploads', req => (req.headers.Authorization === 'Bearer token-of-7'
    ? error(401, 'unauthenticated', '登录已过期') : { status: 201, body: { id: 'u2' } }))

  await expect(api.upload('/uploads', 'wxfile://tmp/a.jpg')).resolves.toEqual({ id: 'u2' })
  expect(wxs.uploads.map(u => u.header.Authorization)).toEqual(['Bearer token-of-7', 'Bearer fresh-wx-code-1'])
})

test('a refused upload rejects with the error shape and toasts the server\'s message', async () => {
  wxs.signIn()
  wxs.backend.on('POST /uploads', error(413, 'payload_too_large', '图片不能超过 5 MB'))

  await expect(api.upload('/uploads', 'wxfile://tmp/a.jpg')).rejects.toMatchObject({ code: 'payload_too_large', status: 413 })
  expect(wxs.toasts).toEqual(['图片不能超过 5 MB'])
})

test('an upload answered with something other than JSON is a service failure, not a crash', async () => {
  wxs.signIn()
  wxs.backend.on('POST /uploads', { status: 502, body: '<html>Bad Gateway</html>' })

  await expect(api.upload('/uploads', 'wxfile://tmp/a.jpg', { silent: true })).rejects.toMatchObject({ code: 'service_unavailable' })
  expect(wxs.toasts).toEqual([])
})
