const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const REAL = require('../fixtures/procurements.json')

// Answers captured from the server; the suite's clock is 2026-11-25 12:00 in Shanghai and the award was decided
// that morning, so its notice period (5 working days) ends 12-03 00:00.
let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

const sq = list => list.map(t => t.replace(/\s+/g, ''))
const id = REAL.award_notice.id

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

test('the list shows an award on notice with its deadline and countdown', async () => {
  wxs.backend.on('GET /awards', { body: REAL.awards })
  const p = await open('pages/awards/index')

  expect(sq(p.texts('.item'))).toEqual(sq(['2026年 优秀工会积极分子 公示中 公示至 12月3日 周四 00:00（还剩 7 天 12 小时）']))
  p.fire(`award-${id}`)
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/awards/detail?id=${id}` }])
})

test('a named objection about a winner is sent once, with the winner chosen', async () => {
  wxs.backend.on(`GET /awards/${id}`, { body: REAL.award_notice })
  wxs.backend.on(`POST /awards/${id}/objections`, { status: 201, body: {}, delay: 20 })
  const p = await open('pages/awards/detail', { id: String(id) })

  expect(p.texts('#countdown')).toEqual(['公示至 12月3日 周四 00:00（还剩 7 天 12 小时）'])
  expect(sq(p.texts('.rep'))).toEqual(sq(['张伟 机加车间', '李娜 装配车间']))
  p.fire('submit')
  await wxs.settle()
  expect(p.texts('#error')).toEqual(['请写明异议内容'])

  p.fire('target', 'change', { value: 2 })
  p.fire('body', 'input', { value: '  该同志本年度有违纪记录 ' })
  p.fire('submit')
  p.fire('submit')
  await wxs.settle()

  expect(wxs.backend.calls(`POST /awards/${id}/objections`).map(r => r.data)).toEqual([
    { body: '该同志本年度有违纪记录', nominee_id: REAL.award_notice.nominees[1].id }])
  expect(p.texts('#sent')).toEqual(['异议已提交，工会将核实处理。'])
})

test('after the period the server refuses and the form goes', async () => {
  let answer = REAL.award_notice
  wxs.backend.on(`GET /awards/${id}`, () => ({ body: answer }))
  wxs.backend.on(`POST /awards/${id}/objections`, () => {
    answer = Object.assign({}, REAL.award_notice, { objections_open: false })
    return { status: 409, body: REAL.objection_closed }
  })
  const p = await open('pages/awards/detail', { id: String(id) })
  p.fire('body', 'input', { value: '有异议' })
  p.fire('submit')
  await wxs.settle()

  expect(wxs.backend.calls(`POST /awards/${id}/objections`)).toHaveLength(1)
  expect(p.exists('objection')).toBe(false)
  expect(p.exists('countdown')).toBe(false)
})

test('the anonymous way opens the suggestion box with 评优异议 chosen, and nothing of the member is sent there', async () => {
  wxs.backend.on(`GET /awards/${id}`, { body: REAL.award_notice })
  const p = await open('pages/awards/detail', { id: String(id) })
  p.fire('anonymous')
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/suggestions/new?category=award' }])

  wxs.backend.on('POST /suggestions', { status: 201, body: { id: 's-9', receipt: 'K7QH-2M9D-XR4T-PW8N', status: 'new' } })
  const box = await open('pages/suggestions/new', { category: 'award' })
  expect(box.texts('#category-text')).toEqual(['评优异议'])
  box.fire('content', 'input', { value: '对公示名单有异议' })
  box.fire('submit')
  await wxs.settle()
  expect(wxs.backend.calls('POST /suggestions').map(r => r.data)).toEqual([{ category: 'award', content: '对公示名单有异议' }])
})
