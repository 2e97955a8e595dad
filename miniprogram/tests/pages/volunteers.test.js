// 我的志愿时长 and check-out scanning, answered with the server's own answers (fixtures/volunteers.json,
// anchored by tests/volunteers/test_miniprogram_fixture.py).
const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { event, page, registration } = require('../helpers/contract')
const { error } = require('../helpers/backend')
const REAL = require('../fixtures/volunteers.json')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('GET /me/volunteer-hours', { body: REAL.hours })
  wxs.backend.on('GET /volunteers/leaderboard', { body: REAL.leaderboard })
})

const sq = list => list.map(t => t.replace(/\s+/g, ''))

async function open() {
  const p = loadPage('pages/volunteers/index')
  await p.page.onLoad({})
  await wxs.settle()
  return p
}

test('shows my total, points, each event and adjustment, and the leaderboard with me marked', async () => {
  const p = await open()

  expect(p.texts('#total')).toEqual(['2 小时 45 分钟'])
  expect(p.texts('#points')).toEqual(['志愿积分 27 分'])
  const items = sq(p.texts('.item'))
  expect(items[0]).toContain('社区义务植树+30分钟')
  expect(items[0]).toContain('时长调整：活动前协助布置场地')
  expect(items[1]).toContain('社区义务植树2小时15分钟')
  expect(items[1]).toContain('08:30签到·10:45签退')
  expect(items[2]).toContain('敬老院探访0分钟')
  expect(items[2]).toContain('未签退，不计时长')
  expect(sq(p.texts('.rank-row'))).toEqual(sq(['1 李娜 装配车间 3 小时', '2 王芳（我） 总装车间 2.75 小时']))
  expect(p.text()).toContain('2026年志愿服务排行榜')
})

test('leaving the leaderboard is saved, and a failure puts the switch back', async () => {
  wxs.backend.on('PUT /me/volunteer-settings', req => ({ body: { leaderboard_opt_out: req.data.leaderboard_opt_out } }))
  const p = await open()

  p.fire('opt-out', 'change', { value: true })
  await wxs.settle()
  expect(wxs.backend.calls('PUT /me/volunteer-settings').map(r => r.data)).toEqual([{ leaderboard_opt_out: true }])
  expect(p.page.data.optedOut).toBe(true)
  expect(wxs.toasts).toContain('已不在排行榜中展示')

  wxs.backend.on('PUT /me/volunteer-settings', error(503, 'service_unavailable', '服务暂时不可用，请稍后重试'))
  p.fire('opt-out', 'change', { value: false })
  await wxs.settle()
  expect(p.page.data.optedOut).toBe(true)
})

test('the certificate is downloaded with my token and opened as a PDF', async () => {
  wxs.backend.on('GET /me/volunteer-hours/certificate.pdf', { body: '%PDF-1.4' })
  const p = await open()

  p.fire('certificate')
  await wxs.settle()
  const [download] = wxs.downloads
  expect(download.url).toMatch(/\/me\/volunteer-hours\/certificate\.pdf\?year=2026$/)
  expect(download.header.Authorization).toMatch(/^Bearer /)
  expect(wxs.documents).toEqual([expect.objectContaining({ fileType: 'pdf', showMenu: true })])
})

test('a failed certificate download opens nothing', async () => {
  wxs.backend.on('GET /me/volunteer-hours/certificate.pdf', error(503, 'poster_font_missing', ''))
  const p = await open()

  p.fire('certificate')
  await wxs.settle()
  expect(wxs.documents).toEqual([])
  expect(wxs.toasts).toEqual(['文件获取失败，请稍后重试'])
})

test('nothing recorded yet says how hours are recorded', async () => {
  wxs.backend.on('GET /me/volunteer-hours', { body: Object.assign({}, REAL.hours, { items: [], total_minutes: 0, total_hours: 0, points: 0 }) })
  wxs.backend.on('GET /volunteers/leaderboard', { body: Object.assign({}, REAL.leaderboard, { items: [] }) })
  const p = await open()

  expect(p.texts('#empty')).toEqual(['还没有志愿服务记录。参加志愿服务活动时，请在现场扫码签到和签退'])
  expect(p.text()).toContain('本年度暂无排行')
})

describe('scanning a check-out code', () => {
  const CHECKOUT_CODE = 'o1.1.59000000.AAAAAAAAAAAAAAAAAAAAAA'

  test('posts it to /checkouts (not /checkins) and opens the result with the hours', async () => {
    wxs.backend.on('POST /checkouts', { status: 201, body: REAL.checkout })
    wxs.scanResults.push({ result: CHECKOUT_CODE })
    const p = await open()

    p.fire('scan')
    await wxs.settle()

    expect(wxs.backend.calls('POST /checkouts').map(r => r.data)).toEqual([{ token: CHECKOUT_CODE }])
    expect(wxs.backend.calls('POST /checkins')).toEqual([])
    expect(wxs.navigations).toEqual([{
      type: 'navigateTo',
      url: '/pages/checkin/result?mode=checkout&event_id=1&at=2026-11-25T10%3A45%3A00%2B08%3A00&minutes=135&again=0',
    }])
    // The page reloads so the new hours show at once.
    expect(wxs.backend.calls('GET /me/volunteer-hours')).toHaveLength(2)
  })

  test('the events tab recognises it too, and a repeat (200) says it was already done', async () => {
    wxs.backend.on('GET /events', { body: page([]) })
    wxs.backend.on('POST /checkouts', { status: 200, body: REAL.checkout_again })
    wxs.scanResults.push({ result: CHECKOUT_CODE })
    const tab = loadPage('pages/events/index')
    await tab.page.onLoad({})
    tab.fire('scan')
    await wxs.settle()

    expect(wxs.navigations[0].url).toContain('mode=checkout')
    expect(wxs.navigations[0].url).toContain('again=1')
  })

  test('a refusal is shown with the server\'s reason under 签退未成功', async () => {
    wxs.backend.on('POST /checkouts', { status: 409, body: REAL.not_checked_in })
    wxs.scanResults.push({ result: CHECKOUT_CODE })
    const p = await open()

    p.fire('scan')
    await wxs.settle()
    expect(wxs.modals).toEqual([expect.objectContaining({ title: '签退未成功', content: '您尚未签到该活动，不能签退' })])
    expect(wxs.navigations).toEqual([])
  })

  test('the result page says 签退成功 with the hours served', async () => {
    wxs.backend.on('GET /events/1', { body: { id: 1, title: '社区义务植树' } })
    const r = loadPage('pages/checkin/result')
    await r.page.onLoad({ mode: 'checkout', event_id: '1', at: encodeURIComponent(REAL.checkout.checked_out_at), minutes: '135', again: '1' })
    await wxs.settle()

    expect(r.text()).toContain('签退成功 10:45')
    expect(r.texts('#duration')).toEqual(['本次志愿服务时长 2 小时 15 分钟'])
    expect(r.texts('#again')).toEqual(['您此前已完成签退，无需重复扫码'])
    expect(r.text()).toContain('社区义务植树')
  })
})

test('我的 has the entry', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})
  p.fire('to-volunteers')
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/volunteers/index' }])
})

test('a volunteer event I checked in to tells me to check out, and its scan button says so', async () => {
  wxs.backend.on('GET /events/101', { body: event({ kind: 'volunteer', my_registration: registration({ checked_in_at: '2026-11-25T08:30:00+08:00' }) }) })
  const p = loadPage('pages/events/detail')
  await p.page.onLoad({ id: '101' })
  await wxs.settle()
  expect(p.texts('#checkout-hint')).toEqual(['服务结束时请扫描现场签退二维码，签退后计入志愿时长'])
  expect(p.texts('#scan')).toEqual(['扫码签到 / 签退'])

  wxs.backend.on('GET /events/102', { body: event({ id: 102, my_registration: registration({ checked_in_at: '2026-11-25T08:30:00+08:00' }) }) })
  const other = loadPage('pages/events/detail')
  await other.page.onLoad({ id: '102' })
  await wxs.settle()
  expect(other.exists('checkout-hint')).toBe(false)
  expect(other.texts('#scan')).toEqual(['扫码签到'])
})
