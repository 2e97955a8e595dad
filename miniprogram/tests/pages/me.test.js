const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { event, registration, page } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('GET /me', { body: Object.assign({}, MEMBER, { roles: ['member', 'liaison'] }) })
})

function mine(reg, ev) {
  return Object.assign(registration(reg), { event: event(ev) })
}

test('shows my profile with the masked phone', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')

  await p.page.onLoad({})

  const text = p.text()
  expect(text).toContain('王芳')
  expect(text).toContain('联络员')
  expect(text).toContain('工号 E1007')
  expect(p.texts('#department')).toEqual(['总装车间'])
  expect(p.texts('#grid')).toEqual(['第三网格'])
  expect(p.texts('#phone')).toEqual(['138****5678'])
  expect(text).toContain('还没有报名任何活动')
})

test('lists my registrations with their status', async () => {
  wxs.backend.on('GET /me/registrations', {
    body: page([
      mine({ id: 1, event_id: 11 }, { id: 11, title: '职工健步走' }),
      mine({ id: 2, event_id: 12, status: 'waitlisted', waitlist_position: 4 }, { id: 12, title: '冬季体检' }),
      mine({ id: 3, event_id: 13, checked_in_at: '2026-11-02T09:01:00+08:00' }, {
        id: 13, title: '安全讲座', starts_at: '2026-11-02T09:00:00+08:00', ends_at: '2026-11-02T10:30:00+08:00',
      }),
      mine({ id: 4, event_id: 14, status: 'cancelled' }, { id: 14, title: '羽毛球赛' }),
    ]),
  })
  const p = loadPage('pages/me/index')

  await p.page.onLoad({})

  expect(p.texts('.reg')).toEqual([
    expect.stringMatching(/职工健步走.*已报名.*12月1日 周二 09:00–11:00/),
    expect.stringMatching(/冬季体检.*候补第 4 位/),
    expect.stringMatching(/安全讲座.*已签到.*11月2日 周一 09:00–10:30/),
    expect.stringMatching(/羽毛球赛.*已取消报名/),
  ])
  expect(wxs.backend.calls('GET /me/registrations')[0].query).toEqual({ page: '1', per_page: '20' })
})

test('tapping a registration opens its event', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([mine({ id: 1, event_id: 11 }, { id: 11 })]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  p.fire('reg-11')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/events/detail?id=11' }])
})

test('more registrations load at the bottom of the page', async () => {
  const regs = n0 => Array.from({ length: n0 === 1 ? 20 : 3 }, (_, i) => {
    const id = (n0 - 1) * 20 + i + 1
    return mine({ id, event_id: id }, { id, title: `活动 ${id}` })
  })
  wxs.backend.on('GET /me/registrations', req => ({ body: page(regs(Number(req.query.page)), { page: Number(req.query.page), total: 23 }) }))
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  await p.page.onReachBottom()

  expect(p.texts('.reg')).toHaveLength(23)
  expect(p.text()).toContain('没有更多了')
})

test('the booking services and my bookings are one tap away', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  p.fire('to-bookings')
  p.fire('to-my-bookings')
  await wxs.settle()

  expect(wxs.navigations).toEqual([
    { type: 'navigateTo', url: '/pages/bookings/index' },
    { type: 'navigateTo', url: '/pages/bookings/mine' },
  ])
})

test('the congress proposals, the worker council, the craftsman star and the fund ledger are one tap away', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  p.fire('to-proposals')
  p.fire('to-council')
  p.fire('to-craftsman')
  p.fire('to-fund')
  await wxs.settle()

  expect(wxs.navigations).toEqual([
    { type: 'navigateTo', url: '/pages/proposals/index' },
    { type: 'navigateTo', url: '/pages/council/index' },
    { type: 'navigateTo', url: '/pages/craftsman/index' },
    { type: 'navigateTo', url: '/pages/fund/index' },
  ])
})

test('hardship aid (困难帮扶) is one tap away for every member', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  p.fire('to-care')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/care/index' }])
})

test('a liaison has 我的诉求 and 网格诉求 one tap away', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  p.fire('to-my-requests')
  p.fire('to-grid-requests')
  await wxs.settle()

  expect(wxs.navigations).toEqual([
    { type: 'navigateTo', url: '/pages/requests/mine' },
    { type: 'navigateTo', url: '/pages/requests/queue' },
  ])
})

test('a member who is no liaison has 我的诉求 but no 网格诉求, whatever the copy stored at sign-in said', async () => {
  // Signed in as a liaison earlier; GET /me now says the role was revoked.
  wxs.signIn(Object.assign({}, MEMBER, { roles: ['member', 'liaison'] }))
  wxs.backend.on('GET /me', { body: MEMBER })
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})

  expect(p.exists('to-my-requests')).toBe(true)
  expect(p.exists('to-grid-requests')).toBe(false)
})

test('registrations that fail to load say so, and pulling down retries', async () => {
  let up = false
  wxs.backend.on('GET /me/registrations', () => (up
    ? { body: page([mine({ id: 1, event_id: 11 }, { id: 11, title: '职工健步走' })]) }
    : { status: 503, body: { error: { code: 'service_unavailable', message: '', details: {} } } }))
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})
  expect(p.text()).toContain('报名记录加载失败，请下拉重试')
  expect(p.text()).not.toContain('还没有报名任何活动')

  up = true
  await p.page.onPullDownRefresh()
  expect(p.texts('.reg .title')).toEqual(['职工健步走'])
  expect(wxs.pullDownStopped).toBe(1)
})

test('the improvement entry shows only for members who own an item', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  wxs.backend.on('GET /me/improvements', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})
  expect(p.exists('to-improvements')).toBe(false)

  wxs.backend.on('GET /me/improvements', { body: page([{ id: 31 }], { total: 1 }) })
  const q = loadPage('pages/me/index')
  await q.page.onLoad({})
  expect(wxs.backend.calls('GET /me/improvements').pop().query).toEqual({ page: '1', per_page: '1' })
  q.fire('to-improvements')
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/improvements/mine' }])
})
