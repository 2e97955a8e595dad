// 经费公开: the published months with the chain check, one month's totals, category bars, entries and hash.
const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { fundMonthSummary, fundMonth, fundVerify, page, error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

describe('the fixtures', () => {
  // tests/fixtures/fund.json holds real server answers; tests/fund/test_miniprogram_fixture.py checks it
  // against the server, and this checks the suite's fixtures against it.
  const REAL = require('../fixtures/fund.json')
  const keys = o => Object.keys(o).sort()

  test('have the keys of the server\'s answers', () => {
    expect(keys(fundMonthSummary())).toEqual(keys(REAL.months.items[0]))
    expect(keys(fundMonth())).toEqual(keys(REAL.month))
    expect(keys(fundMonth().by_category[0])).toEqual(keys(REAL.month.by_category[0]))
    expect(keys(fundMonth().entries[0])).toEqual(keys(REAL.month.entries[0]))
    expect(keys(fundVerify())).toEqual(keys(REAL.verify))
    expect(REAL.not_published.error.code).toBe('not_found')
  })

  test('the real month reads as the server summed it', async () => {
    wxs.backend.on('GET /fund/months/:month', { body: REAL.month })
    const p = await open('pages/fund/month', { month: REAL.month.month })
    expect(p.texts('#income')).toEqual(['¥3,860.00'])
    expect(p.texts('#expense')).toEqual(['¥1,314.50'])
    expect(p.texts('#balance')).toEqual(['¥2,545.50'])
  })
})

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('the months', () => {
  test('newest first as the server lists them, with exact totals and the chain check passed', async () => {
    wxs.backend.on('GET /fund/months', { body: page([
      fundMonthSummary({ month: '2026-11', income_fen: 386000, expense_fen: 131450, balance_fen: 254550, entries_count: 4 }),
      fundMonthSummary({ month: '2026-10', income_fen: 1684205701, expense_fen: 1684205702, balance_fen: -1 }),
    ]) })
    wxs.backend.on('GET /fund/verify', { body: fundVerify() })
    const p = await open('pages/fund/index')

    expect(p.texts('.month-title')).toEqual(['2026年11月', '2026年10月'])
    expect(p.texts('#month-2026-11 .income')).toEqual(['¥3,860.00'])
    expect(p.texts('#month-2026-11 .expense')).toEqual(['¥1,314.50'])
    expect(p.texts('#month-2026-10 .income')).toEqual(['¥16,842,057.01'])
    expect(p.texts('#month-2026-10 .balance')).toEqual(['-¥0.01'])
    expect(p.texts('#verify')).toEqual(['账目完整 · 哈希链校验通过'])
    expect(p.comp.querySelector('#verify').dom.className).toContain('badge-success')
    expect(wxs.backend.calls('GET /fund/months')[0].query).toEqual({ page: '1', per_page: '12' })

    p.fire('month-2026-10')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/fund/month?month=2026-10' }])
  })

  test('a broken chain names the first month that no longer matches', async () => {
    wxs.backend.on('GET /fund/months', { body: page([fundMonthSummary()]) })
    wxs.backend.on('GET /fund/verify', { body: fundVerify({ ok: false, broken_at: '2026-09' }) })
    const p = await open('pages/fund/index')

    expect(p.texts('#verify')).toEqual(['账目异常 · 2026年9月起与公开时不一致'])
    expect(p.comp.querySelector('#verify').dom.className).toContain('badge-danger')
  })

  test('no month published yet says so; a failed check leaves the list alone', async () => {
    wxs.backend.on('GET /fund/months', { body: page([]) })
    wxs.backend.on('GET /fund/verify', error(503, 'service_unavailable', '服务暂时不可用'))
    const p = await open('pages/fund/index')

    expect(p.texts('#empty')).toEqual(['还没有公开的月份'])
    expect(p.exists('verify')).toBe(false)
    expect(wxs.toasts).toEqual([])
  })
})

describe('one month', () => {
  beforeEach(() => {
    wxs.backend.on('GET /fund/months/:month', req => (req.params.month === '2026-11'
      ? { body: fundMonth() } : error(404, 'not_found', `${req.params.month} 的经费收支尚未公开`)))
  })

  test('totals, categories as bars sized by their shares, entries with a reversal negative, and the hash', async () => {
    const p = await open('pages/fund/month', { month: '2026-11' })

    expect(p.texts('#income')).toEqual(['¥3,860.00'])
    expect(p.texts('#expense')).toEqual(['¥1,314.50'])
    expect(p.texts('#balance')).toEqual(['¥2,545.50'])
    // 1234.50 and 80.00 of 1314.50 yuan: 93.9% and 6.1%; the only income is all of it.
    const width = id => p.comp.querySelector(`#bar-${id} .bar`).dom.style.width
    expect(width('401')).toBe('100.0%')
    expect(width('501')).toBe('93.9%')
    expect(width('503')).toBe('6.1%')
    expect(p.texts('#bar-501 .bar-amount')).toEqual(['¥1,234.50 · 93.9%'])
    expect(p.texts('.entry .amount')).toEqual(['¥3,860.00', '¥1,234.50', '¥88.80', '-¥8.80'])
    expect(p.texts('#entry-4 .entry-who')).toEqual(['文具店冲销'])
    expect(p.texts('#entry-1 .entry-date')).toEqual(['11月3日 · 会费收入'])
    expect(p.texts('#hash')).toEqual(['c1a5'.repeat(16)])
    expect(p.texts('#prev-hash')).toEqual(['9a42'.repeat(16)])

    p.fire('to-procurements')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/fund/procurements?month=2026-11' }])
  })

  test('the first month published has no previous hash', async () => {
    wxs.backend.on('GET /fund/months/:month', { body: fundMonth({ prev_hash: null }) })
    const p = await open('pages/fund/month', { month: '2026-11' })
    expect(p.texts('#prev-hash')).toEqual(['（首个公开月份）'])
  })

  test('the statement\'s QR code opens its month', async () => {
    const q = encodeURIComponent('https://hub.example.com/f/2026-11')
    const p = await open('pages/fund/month', { q })
    expect(wxs.backend.calls('GET /fund/months/2026-11')).toHaveLength(1)
    expect(p.texts('#income')).toEqual(['¥3,860.00'])
  })

  test('a month not yet published says so, quietly', async () => {
    const p = await open('pages/fund/month', { month: '2026-12' })
    expect(p.texts('#not-published')).toEqual(['该月经费收支尚未公开'])
    expect(wxs.toasts).toEqual([])
  })

  test('a link without a month asks nothing of the server', async () => {
    const p = await open('pages/fund/month', { month: '2026-13' })
    expect(p.texts('#load-error')).toEqual(['链接无效：没有指明月份'])
    expect(wxs.backend.calls()).toEqual([])
  })
})
