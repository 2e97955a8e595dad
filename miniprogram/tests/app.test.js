const { installWx, MEMBER } = require('./helpers/fakeWx')

let wxs
let app

beforeEach(() => {
  wxs = installWx()
  global.App = options => { app = options }
  require('../app')
  delete global.App
})

const loginAnswer = member => req => ({
  body: { token: 'tok-' + req.data.code, expires_at: '2026-12-08T09:00:00+08:00', member },
})

test('launch signs in with wx.login and keeps the token', async () => {
  wxs.backend.on('POST /auth/login', loginAnswer(MEMBER))

  app.onLaunch()
  await expect(app.ready).resolves.toEqual(MEMBER)

  expect(wxs.backend.calls('POST /auth/login')[0].data).toEqual({ code: 'wx-code-1' })
  expect(wxs.storage.token).toBe('tok-wx-code-1')
  expect(wxs.navigations).toEqual([])
})

test('after sign-in the 通知 tab shows how many notices are unread', async () => {
  wxs.backend.on('POST /auth/login', loginAnswer(MEMBER))
  wxs.backend.on('GET /me/notices', { body: { items: [], page: 1, per_page: 1, total: 3, unread: 3 } })

  app.onLaunch()
  await app.ready
  await wxs.settle()

  expect(wxs.backend.calls('GET /me/notices')[0].query).toMatchObject({ unread: '1', per_page: '1' })
  expect(wxs.tabBadges).toEqual({ 1: '3' })
  expect(wxs.toasts).toEqual([])
})

test('a WeChat user not on the roster yet is taken to the bind page', async () => {
  wxs.backend.on('POST /auth/login', loginAnswer(null))

  app.onLaunch()
  await expect(app.ready).resolves.toBeNull()

  expect(wxs.navigations).toEqual([{ type: 'reLaunch', url: '/pages/bind/bind' }])
})

test('a failed sign-in is explained, not left blank', async () => {
  wxs.backend.on('POST /auth/login', { status: 503, body: { error: { code: 'wechat_unavailable', message: '微信服务暂时不可用，请稍后重试', details: {} } } })

  app.onLaunch()
  await app.ready

  expect(wxs.toasts).toEqual(['微信服务暂时不可用，请稍后重试'])
})

test('launch asks for the labels alongside sign-in, before it is done and without a token', async () => {
  // Sign-in is slow; the labels are asked for before its answer is back.
  wxs.backend.on('POST /auth/login', req => Object.assign(loginAnswer(MEMBER)(req), { delay: 30 }))

  app.onLaunch()
  await new Promise(resolve => setTimeout(resolve, 10))
  const [labels] = wxs.backend.calls('GET /meta/labels')
  expect(wxs.storage.token).toBeUndefined()
  await app.ready

  expect(labels.headers.Authorization).toBeUndefined()
  expect(wxs.storage.labels.etag).toBe('"labels-v1"')
})
