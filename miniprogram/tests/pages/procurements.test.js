const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const REAL = require('../fixtures/procurements.json')

// Answers captured from the server (tests/awards/test_miniprogram_fixture.py checks their keys against it).
let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

const sq = list => list.map(t => t.replace(/\s+/g, ''))
const clone = o => JSON.parse(JSON.stringify(o))

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('待我确认的比价', () => {
  test('lists the purchases I am named in, marking the one awaiting my confirmation', async () => {
    const decided = clone(REAL.procurement_decided)
    decided.id = 77
    wxs.backend.on('GET /fund/procurements/mine', { body: Object.assign(clone(REAL.procurements_mine), {
      items: [REAL.procurements_mine.items[0], decided], total: 2 }) })
    const p = await open('pages/procurements/mine')

    const id = REAL.procurement_pending.id
    expect(sq(p.texts('.item'))).toEqual(sq([
      '职工之家健身器材 待我确认 预算 48,000.00 元 · 3 家报价',
      '职工之家健身器材 已定标 预算 48,000.00 元 · 3 家报价',
    ]))
    expect(p.exists(`todo-${id}`)).toBe(true)
    p.fire(`procurement-${id}`)
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/procurements/detail?id=${id}` }])
  })

  test('is reachable from the 我的 tab, with the published list and the awards', async () => {
    wxs.backend.on('GET /me', { body: wxs.storage.member })
    wxs.backend.on('GET /me/registrations', { body: { items: [], page: 1, per_page: 20, total: 0 } })
    const p = await open('pages/me/index')
    p.fire('to-my-procurements')
    p.fire('to-procurements')
    p.fire('to-awards')
    await wxs.settle()
    expect(wxs.navigations.map(n => n.url)).toEqual([
      '/pages/procurements/mine', '/pages/fund/procurements', '/pages/awards/index'])
  })
})

describe('one purchase', () => {
  const id = REAL.procurement_pending.id

  test('a named representative confirms once; the button is then gone', async () => {
    wxs.backend.on(`GET /fund/procurements/${id}`, { body: REAL.procurement_pending })
    wxs.backend.on(`POST /fund/procurements/${id}/confirm`, { body: REAL.procurement_confirmed, delay: 20 })
    const p = await open('pages/procurements/detail', { id: String(id) })

    expect(sq(p.texts('.quote'))).toEqual(sq(['康体器材有限公司 46,500.50 元', '健力体育用品 47,200.00 元', '舒华专卖店 49,800.00 元']))
    expect(sq(p.texts('.rep'))).toEqual(sq(['张伟 待确认', '李娜 已确认 11月25日 周三 10:00']))
    p.fire('confirm')
    p.fire('confirm')
    await wxs.settle()

    expect(wxs.backend.calls(`POST /fund/procurements/${id}/confirm`)).toHaveLength(1)
    expect(p.exists('confirm')).toBe(false)
    expect(p.texts('#confirmed')).toEqual(['您已确认参与本次比价'])
  })

  test('a second confirmation (another device) says so and shows the stored state', async () => {
    let answer = REAL.procurement_pending
    wxs.backend.on(`GET /fund/procurements/${id}`, () => ({ body: answer }))
    wxs.backend.on(`POST /fund/procurements/${id}/confirm`, () => {
      answer = REAL.procurement_confirmed
      return { status: 409, body: REAL.already_confirmed }
    })
    const p = await open('pages/procurements/detail', { id: String(id) })
    p.fire('confirm')
    await wxs.settle()

    expect(p.texts('#error')).toEqual([REAL.already_confirmed.error.message])
    expect(p.exists('confirm')).toBe(false)
  })

  test('the decided purchase shows the choice and its reason', async () => {
    wxs.backend.on(`GET /fund/procurements/${id}`, { body: REAL.procurement_decided })
    const p = await open('pages/procurements/detail', { id: String(id) })

    expect(p.texts('#status')).toEqual(['已定标'])
    expect(sq(p.texts('#chosen'))).toEqual(sq(['中选：康体器材有限公司（46,500.50 元）']))
    expect(p.texts('#reason')).toEqual(['理由：价格最低，含安装和三年保修'])
    expect(p.exists('confirm')).toBe(false)
  })
})

describe("a published month's procurements", () => {
  test('lists the month\'s decided purchases with the choice, the reason and the representatives', async () => {
    wxs.backend.on('GET /fund/procurements', { body: REAL.procurements_published })
    const p = await open('pages/fund/procurements', { month: '2026-11' })

    expect(wxs.backend.calls('GET /fund/procurements')[0].query).toEqual({ page: '1', per_page: '20', month: '2026-11' })
    expect(sq(p.texts('.item'))).toEqual(sq([
      '职工之家健身器材 2026-11 中选 康体器材有限公司（46,500.50 元） · 3 家报价 职工代表 张伟、李娜 理由：价格最低，含安装和三年保修',
    ]))
  })

  test('a malformed month is not sent', async () => {
    wxs.backend.on('GET /fund/procurements', { body: { items: [], page: 1, per_page: 20, total: 0 } })
    const p = await open('pages/fund/procurements', { month: '2026-13' })
    expect(wxs.backend.calls('GET /fund/procurements')[0].query).toEqual({ page: '1', per_page: '20' })
    expect(p.texts('#empty')).toEqual(['该月没有公开的比价采购'])
  })
})
