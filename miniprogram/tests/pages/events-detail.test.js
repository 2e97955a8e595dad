const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { event, registration, error } = require('../helpers/contract')

let wxs
let current // the event as the fake server currently has it

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  current = event({ id: 101 })
  wxs.backend.on('GET /events/:id', req => (req.params.id === '101' ? { body: current } : error(404, 'not_found')))
})

async function open() {
  const p = loadPage('pages/events/detail')
  await p.page.onLoad({ id: '101' })
  return p
}

test('shows the event: time in Shanghai, place, seats, sign-up window and description', async () => {
  const p = await open()

  const text = p.text()
  expect(text).toContain('职工健步走')
  expect(text).toContain('12月1日 周二 09:00–11:00')
  expect(text).toContain('厂区东门广场')
  expect(text).toContain('剩余 18 个名额')
  expect(text).toContain('即日起 至 11月30日 周一 18:00')
  expect(text).toContain('沿厂区绿道 5 公里')
  expect(p.texts('#signup')).toEqual(['立即报名'])
  expect(p.prop('signup', 'disabled')).toBe(false)
})

test('signing up with seats left confirms the member', async () => {
  wxs.backend.on('POST /events/:id/registrations', () => {
    current = event({ id: 101, seats_left: 17, confirmed_count: 13, my_registration: registration() })
    return { status: 201, body: registration() }
  })
  const p = await open()

  p.fire('signup')
  await wxs.settle()

  expect(wxs.backend.calls('POST /events/101/registrations')).toHaveLength(1)
  expect(wxs.toasts).toEqual(['报名成功'])
  expect(p.texts('#my-status')).toEqual(['已报名'])
  expect(p.text()).toContain('您已报名成功')
  expect(p.text()).toContain('剩余 17 个名额')
  expect(p.exists('signup')).toBe(false)
  expect(p.texts('#ticket')).toEqual(['我的入场券'])
})

test('signing up when full puts the member on the waiting list and shows the position', async () => {
  current = event({ id: 101, seats_left: 0, waitlist_count: 2 })
  const waitlisted = registration({ status: 'waitlisted', waitlist_position: 3 })
  wxs.backend.on('POST /events/:id/registrations', () => {
    current = event({ id: 101, seats_left: 0, waitlist_count: 3, my_registration: waitlisted })
    return { status: 201, body: waitlisted }
  })
  const p = await open()
  expect(p.texts('#signup')).toEqual(['加入候补'])

  p.fire('signup')
  await wxs.settle()

  expect(wxs.modals[0]).toMatchObject({ title: '已加入候补' })
  expect(wxs.modals[0].content).toContain('候补第 3 位')
  expect(p.texts('#my-status')).toEqual(['候补第 3 位'])
  expect(p.text()).toContain('您在候补名单中，当前第 3 位')
  expect(p.exists('ticket')).toBe(false)
  expect(p.texts('#cancel')).toEqual(['退出候补'])
})

// The server's message (as server/events/services.py words it) says more, e.g. whether sign-up has
// not opened yet or has closed.
test.each([
  ['not_eligible', 403, '该活动不面向您所在的部门或群体'],
  ['signup_closed', 409, '报名尚未开始'],
  ['signup_closed', 409, '报名已截止'],
  ['event_full', 409, '名额已满'],
  ['event_cancelled', 409, '活动已取消'],
])('sign-up refused with %s %i shows the server\'s reason %s', async (code, status, message) => {
  wxs.backend.on('POST /events/:id/registrations', error(status, code, message))
  const p = await open()

  p.fire('signup')
  await wxs.settle()

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '报名未成功', content: message })])
  expect(wxs.toasts).toEqual([])
  expect(p.exists('my-status')).toBe(false)
})

test.each([
  ['not_eligible', 403, '该活动仅面向指定部门或群体，您不在报名范围内'],
  ['signup_closed', 409, '当前不在报名时间内'],
  ['event_full', 409, '名额已满，且该活动不设候补'],
  ['event_cancelled', 409, '该活动已取消'],
])('sign-up refused with %s and no message is explained in the app\'s words', async (code, status, text) => {
  wxs.backend.on('POST /events/:id/registrations', error(status, code, ''))
  const p = await open()

  p.fire('signup')
  await wxs.settle()

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '报名未成功', content: text })])
  expect(wxs.toasts).toEqual([])
  expect(p.exists('my-status')).toBe(false)
})

test('a cancelled event is shown as cancelled and offers no sign-up', async () => {
  current = event({ id: 101, status: 'cancelled' })
  const p = await open()

  expect(p.texts('#my-status')).toEqual(['活动已取消'])
  expect(p.texts('#signup')).toEqual(['活动已取消'])
  expect(p.prop('signup', 'disabled')).toBe(true)
  expect(p.exists('scan')).toBe(false)
})

test('cancelling asks first and does nothing when the member changes their mind', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('DELETE /events/:id/registrations/me', { body: { status: 'cancelled' } })
  const p = await open()

  p.fire('cancel')
  await wxs.settle()

  expect(wxs.modals[0]).toMatchObject({ title: '取消报名', confirmText: '确定取消' })
  expect(wxs.backend.calls('DELETE /events/101/registrations/me')).toHaveLength(0)
  expect(p.texts('#my-status')).toEqual(['已报名'])
})

test('cancelling after confirming frees the seat and offers sign-up again', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('DELETE /events/:id/registrations/me', () => {
    current = event({ id: 101 })
    return { body: { status: 'cancelled' } }
  })
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()

  p.fire('cancel')
  await wxs.settle()

  expect(wxs.backend.calls('DELETE /events/101/registrations/me')).toHaveLength(1)
  expect(wxs.toasts).toEqual(['已取消报名'])
  expect(p.exists('my-status')).toBe(false)
  expect(p.texts('#signup')).toEqual(['立即报名'])
})

test('cancelling after the start is refused with a reason', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('DELETE /events/:id/registrations/me', error(409, 'event_started', '活动已开始，不能取消报名'))
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()

  p.fire('cancel')
  await wxs.settle()

  expect(wxs.modals[1]).toMatchObject({ title: '取消未成功', content: '活动已开始，不能取消报名' })
})

test('after check-in the page shows it and offers no cancellation', async () => {
  current = event({ id: 101, my_registration: registration({ checked_in_at: '2026-12-01T08:55:00+08:00' }) })
  const p = await open()

  expect(p.text()).toContain('您已签到')
  expect(p.exists('cancel')).toBe(false)
  expect(p.exists('signup')).toBe(false)
})

test('a cancellation refused because the member checked in meanwhile shows the check-in', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('DELETE /events/:id/registrations/me', () => {
    // Staff scanned the ticket while the page was open.
    current = event({ id: 101, my_registration: registration({ checked_in_at: '2026-12-01T08:55:00+08:00' }) })
    return error(409, 'already_checked_in', '您已签到，不能取消报名')
  })
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()
  expect(p.texts('#cancel')).toEqual(['取消报名'])

  p.fire('cancel')
  await wxs.settle()

  expect(wxs.modals[1]).toMatchObject({ title: '取消未成功', content: '您已签到，不能取消报名' })
  expect(p.text()).toContain('您已签到')
  expect(p.exists('cancel')).toBe(false)
})

test('"我的入场券" shows the ticket QR downloaded with the member\'s token', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('GET /events/:id/ticket', req => (req.query.format === 'png' ? { body: '<png>' } : { body: { ticket: 't', qr_content: 't' } }))
  const p = await open()
  expect(p.exists('ticket-image')).toBe(false)

  p.fire('ticket')
  await wxs.settle()

  expect(wxs.downloads).toHaveLength(1)
  expect(wxs.downloads[0].url).toBe('http://127.0.0.1:5000/api/v1/events/101/ticket?format=png')
  expect(wxs.downloads[0].header.Authorization).toBe('Bearer token-of-7')
  expect(p.prop('ticket-image', 'src')).toMatch(/^wxfile:\/\/tmp\//)
  expect(p.text()).toContain('入场时向工作人员出示此码')

  p.fire('ticket-close')
  await wxs.settle()
  expect(p.exists('ticket-image')).toBe(false)

  p.fire('ticket')
  await wxs.settle()
  expect(wxs.downloads).toHaveLength(1) // the image is kept for the visit, also without network
  expect(p.exists('ticket-image')).toBe(true)
})

test('a ticket that cannot be fetched is reported', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('GET /events/:id/ticket', error(403, 'forbidden'))
  const p = await open()

  p.fire('ticket')
  await wxs.settle()

  expect(wxs.toasts).toEqual(['入场券获取失败，请稍后重试'])
  expect(p.exists('ticket-image')).toBe(false)
})

test('the detail page can scan the venue code too', async () => {
  current = event({ id: 101, my_registration: registration() })
  wxs.backend.on('POST /checkins', { status: 201, body: { event_id: 101, checked_in_at: '2026-12-01T09:02:00+08:00', status: 'checked_in' } })
  wxs.scanResults.push({ result: 'venue-code' })
  const p = await open()

  p.fire('scan')
  await wxs.settle()

  expect(wxs.backend.calls('POST /checkins')[0].data).toEqual({ token: 'venue-code' })
  expect(wxs.navigations[0].url).toMatch(/^\/pages\/checkin\/result\?event_id=101&/)
})

test('an unknown event shows an error state', async () => {
  const p = loadPage('pages/events/detail')
  await p.page.onLoad({ id: '999' })

  expect(p.text()).toContain('活动加载失败')
  expect(wxs.toasts).toEqual(['内容不存在或已被删除'])
})

test('an event poster link that WeChat opened the page with (?q=) shows that event', async () => {
  const p = loadPage('pages/events/detail')
  await p.page.onLoad({ q: encodeURIComponent('https://hub.example.com/e/101'), scancode_time: '1764036000' })

  expect(p.text()).toContain('职工健步走')
  expect(p.texts('#signup')).toEqual(['立即报名'])
})

describe('offering push reminders after a sign-up', () => {
  const TEMPLATE = 'notice-template-dev'

  beforeEach(() => {
    wxs.backend.on('POST /events/:id/registrations', () => {
      current = event({ id: 101, seats_left: 17, my_registration: registration() })
      return { status: 201, body: registration() }
    })
    wxs.backend.on('POST /me/subscriptions', { body: { remaining: { [TEMPLATE]: 1 } } })
  })

  test('is not shown before signing up', async () => {
    const p = await open()

    expect(p.exists('consent')).toBe(false)
  })

  test('a successful sign-up offers it, and accepting records the consent', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'accept' })
    const p = await open()
    p.fire('signup')
    await wxs.settle()
    expect(p.texts('#subscribe')).toEqual(['接收工会通知提醒'])

    p.fire('subscribe')
    await wxs.settle()

    expect(wxs.subscribeRequests).toEqual([[TEMPLATE]])
    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'accept' } }])
    expect(p.texts('#consent-note')).toEqual(['已开启，下次通知将推送给您'])
  })

  test('declining is answered calmly', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'reject' })
    const p = await open()
    p.fire('signup')
    await wxs.settle()

    p.fire('subscribe')
    await wxs.settle()

    expect(p.texts('#consent-note')).toEqual(['未开启提醒。新通知仍会保存在「通知」页，随时可以查看'])
    expect(wxs.modals).toEqual([])
    expect(wxs.toasts).toEqual(['报名成功'])
  })

  test('is not offered again once the member said "不再提示"', async () => {
    wxs.storage.noticeConsentDismissed = true
    const p = await open()

    p.fire('signup')
    await wxs.settle()

    expect(p.texts('#my-status')).toEqual(['已报名'])
    expect(p.exists('consent')).toBe(false)
  })

  test('a refused sign-up offers nothing', async () => {
    wxs.backend.on('POST /events/:id/registrations', error(409, 'signup_closed'))
    const p = await open()

    p.fire('signup')
    await wxs.settle()

    expect(p.exists('consent')).toBe(false)
  })
})
