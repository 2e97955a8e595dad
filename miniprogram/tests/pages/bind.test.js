const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  // Launch has signed in with wx.login: a token for a WeChat user not yet on the roster.
  wxs.storage.token = 'unbound-token'
  wxs.storage.member = null
})

async function pressBind(detail) {
  const p = loadPage('pages/bind/bind')
  p.fire('bind', 'getphonenumber', detail)
  await wxs.settle()
  return p
}

test('the button asks WeChat for the phone number', () => {
  const p = loadPage('pages/bind/bind')

  expect(p.prop('bind', 'openType')).toBe('getPhoneNumber')
  expect(p.texts('#bind')).toEqual(['微信手机号一键验证'])
})

test('the phone code binds the member, keeps the new token and opens the events', async () => {
  wxs.backend.on('POST /auth/bind', { body: { member: MEMBER, token: 'member-token', expires_at: '2026-12-08T09:00:00+08:00' } })

  await pressBind({ code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' })

  const [req] = wxs.backend.calls('POST /auth/bind')
  expect(req.data).toEqual({ phone_code: 'phone-code-1' })
  expect(req.headers.Authorization).toBe('Bearer unbound-token')
  expect(wxs.storage.token).toBe('member-token')
  expect(wxs.storage.member).toEqual(MEMBER)
  expect(wxs.toasts).toEqual(['欢迎，王芳'])
  expect(wxs.navigations).toEqual([{ type: 'reLaunch', url: '/pages/events/index' }])
})

test('a phone not on the roster is explained on the page in the server\'s words', async () => {
  wxs.backend.on('POST /auth/bind', error(404, 'not_on_roster', '该手机号不在工会会员名册中，请联系工会核对'))

  const p = await pressBind({ code: 'phone-code-1' })

  expect(p.texts('#bind-error')[0]).toContain('未找到您的会员信息')
  expect(p.texts('#bind-error')[0]).toContain('该手机号不在工会会员名册中，请联系工会核对')
  expect(wxs.navigations).toEqual([])
  expect(wxs.storage.token).toBe('unbound-token')
})

test('a phone not on the roster without a message is explained in the app\'s words', async () => {
  wxs.backend.on('POST /auth/bind', error(404, 'not_on_roster', ''))

  const p = await pressBind({ code: 'phone-code-1' })

  expect(p.texts('#bind-error')[0]).toContain('未找到您的会员信息')
  expect(p.texts('#bind-error')[0]).toContain('该手机号不在工会会员名册中。请确认使用的是登记在册的手机号，或联系本部门工会联络员核对。')
})

test('a roster entry bound to another WeChat is explained on the page', async () => {
  wxs.backend.on('POST /auth/bind', error(409, 'already_bound', '该会员已绑定其他微信账号，请联系工会'))

  const p = await pressBind({ code: 'phone-code-1' })

  expect(p.texts('#bind-error')[0]).toContain('该会员已绑定其他微信')
  expect(p.texts('#bind-error')[0]).toContain('该会员已绑定其他微信账号，请联系工会')
})

test('a phone authorisation WeChat no longer honours asks to authorise again', async () => {
  wxs.backend.on('POST /auth/bind', error(400, 'invalid_request', '手机号授权无效，请重新授权', { field: 'phone_code' }))

  const p = await pressBind({ code: 'phone-code-1' })

  expect(p.texts('#bind-error')[0]).toContain('验证未成功')
  expect(p.texts('#bind-error')[0]).toContain('手机号授权无效，请重新授权')
})

test('declining the phone prompt sends nothing and says why it is needed', async () => {
  const p = await pressBind({ errMsg: 'getPhoneNumber:fail user deny' })

  expect(wxs.backend.requests).toEqual([])
  expect(p.texts('#bind-error')[0]).toContain('需要验证手机号')
})

test('a second try after an error clears the old message', async () => {
  let answer = error(404, 'not_on_roster', '')
  wxs.backend.on('POST /auth/bind', () => answer)
  const p = await pressBind({ code: 'phone-code-1' })
  expect(p.exists('bind-error')).toBe(true)

  answer = { body: { member: MEMBER, token: 'member-token', expires_at: '2026-12-08T09:00:00+08:00' } }
  p.fire('bind', 'getphonenumber', { code: 'phone-code-2' })
  await wxs.settle()

  expect(p.exists('bind-error')).toBe(false)
  expect(wxs.navigations).toEqual([{ type: 'reLaunch', url: '/pages/events/index' }])
})
