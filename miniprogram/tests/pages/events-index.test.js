const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { event, registration, page } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

function events(n, from = 1) {
  return Array.from({ length: n }, (_, i) => event({ id: from + i, title: `活动 ${from + i}` }))
}

test('lists upcoming events with Shanghai time, place, seats and my status', async () => {
  wxs.backend.on('GET /events', {
    body: page([
      event({ id: 1, title: '职工健步走', seats_left: 18 }),
      event({
        id: 2, title: '冬季职工体检', kind: 'health_check', location: '职工医院二楼',
        starts_at: '2026-12-03T00:30:00Z', ends_at: '2026-12-03T03:00:00Z',
        seats_left: 0, waitlist_count: 4, my_registration: registration({ status: 'waitlisted', waitlist_position: 2 }),
      }),
      event({ id: 3, title: '安全生产讲座', kind: 'lecture', capacity: null, seats_left: null, my_registration: registration() }),
    ]),
  })
  const p = loadPage('pages/events/index')

  await p.page.onLoad({})

  expect(p.texts('.title')).toEqual(['职工健步走', '冬季职工体检', '安全生产讲座'])
  const [walk, health, lecture] = p.texts('.event')
  expect(walk).toContain('12月1日 周二 09:00–11:00')
  expect(walk).toContain('厂区东门广场')
  expect(walk).toContain('剩余 18 个名额')
  expect(health).toContain('体检')
  expect(health).toContain('12月3日 周四 08:30–11:00')
  expect(health).toContain('名额已满 · 候补 4 人')
  expect(health).toContain('候补第 2 位')
  expect(lecture).toContain('不限名额')
  expect(lecture).toContain('已报名')
  expect(walk).not.toMatch(/已报名|候补第/)

  const [req] = wxs.backend.calls('GET /events')
  expect(req.query.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
  expect(req.query).toMatchObject({ page: '1', per_page: '20' })
})

test('scrolling to the bottom loads the next page and then says there is no more', async () => {
  wxs.backend.on('GET /events', req => (req.query.page === '1'
    ? { body: page(events(20), { total: 25 }) }
    : { body: page(events(5, 21), { page: 2, total: 25 }) }))
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})
  expect(p.text()).toContain('上拉加载更多')

  await p.page.onReachBottom()

  expect(p.texts('.title')).toHaveLength(25)
  expect(p.texts('.title')[24]).toBe('活动 25')
  const [first, second] = wxs.backend.calls('GET /events')
  expect(second.query.page).toBe('2')
  expect(second.query.from).toBe(first.query.from)
  expect(p.text()).toContain('没有更多了')

  await p.page.onReachBottom()
  expect(wxs.backend.calls('GET /events')).toHaveLength(2)
})

test('pull-down refresh reloads from the first page', async () => {
  let title = '旧标题'
  wxs.backend.on('GET /events', () => ({ body: page([event({ title })]) }))
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})

  title = '新标题'
  await p.page.onPullDownRefresh()

  expect(p.texts('.title')).toEqual(['新标题'])
  expect(wxs.pullDownStopped).toBe(1)
})

test('no events: a friendly empty state', async () => {
  wxs.backend.on('GET /events', { body: page([]) })
  const p = loadPage('pages/events/index')

  await p.page.onLoad({})

  expect(p.text()).toContain('近期暂无活动')
})

test('a failed load says how to retry', async () => {
  wxs.backend.on('GET /events', { status: 503, body: { error: { code: 'service_unavailable', message: '服务暂时不可用', details: {} } } })
  const p = loadPage('pages/events/index')

  await p.page.onLoad({})

  expect(p.text()).toContain('活动加载失败，请下拉重试')
  // The server's own words, when it sent some.
  expect(wxs.toasts).toEqual(['服务暂时不可用'])
})

test('tapping an event opens its detail page', async () => {
  wxs.backend.on('GET /events', { body: page([event({ id: 42 })]) })
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})

  p.fire('event-42')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/events/detail?id=42' }])
})

test('the scan button checks in with the scanned code and opens the result', async () => {
  wxs.backend.on('GET /events', { body: page([]) })
  wxs.backend.on('POST /checkins', { status: 201, body: { event_id: 101, checked_in_at: '2026-12-01T09:02:13+08:00', status: 'checked_in' } })
  wxs.scanResults.push({ result: 'ck1.101.29043.Zm9vYmFy' })
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})

  p.fire('scan')
  await wxs.settle()

  expect(wxs.lastScanOptions.onlyFromCamera).toBe(true)
  expect(wxs.backend.calls('POST /checkins').map(r => r.data)).toEqual([{ token: 'ck1.101.29043.Zm9vYmFy' }])
  expect(wxs.navigations).toEqual([{
    type: 'navigateTo',
    url: '/pages/checkin/result?event_id=101&at=2026-12-01T09%3A02%3A13%2B08%3A00&again=0',
  }])
})

test('the header leads to the booking services', async () => {
  wxs.backend.on('GET /events', { body: page([]) })
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})

  p.fire('to-bookings')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/bookings/index' }])
})
