const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { improvement, improvementEvent, page, error } = require('../helpers/contract')

let wxs
let items // the caller's items as the fake server has them

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  items = [
    improvement({ id: 31, title: '更衣室柜门维修', due_date: '2026-11-20', overdue: true }),
    improvement({ id: 32, title: '安全通道清理', due_date: '2026-12-10' }),
    improvement({ id: 33, title: '职工书屋延长开放', status: 'done', result: '已延长至 21:00' }),
  ]
  wxs.backend.on('GET /me/improvements', { body: page(items) })
  wxs.backend.on('POST /improvements/:id/notes', req => {
    const i = items.find(x => String(x.id) === req.params.id)
    Object.assign(i, { events: [improvementEvent(), improvementEvent({ id: 2, action: 'note', body: req.data.body })] })
    return { status: 201, body: i }
  })
  wxs.backend.on('POST /improvements/:id/complete', req => {
    const i = items.find(x => String(x.id) === req.params.id)
    if (i.status !== 'open') return error(409, 'invalid_transition', '当前状态下不能进行此操作，请刷新后查看')
    Object.assign(i, { status: 'done', result: req.data.result, overdue: false })
    return { body: i }
  })
})

describe('the fixtures', () => {
  const REAL = require('../fixtures/improvements.json')
  const keys = o => Object.keys(o).sort()

  test('have the keys of the server\'s answers', () => {
    expect(keys(improvement())).toEqual(keys(REAL.item))
    expect(keys(improvementEvent())).toEqual(keys(REAL.item.events[0]))
    expect(keys(page([]))).toEqual(keys(REAL.page))
  })
})

test('lists my items with due dates, overdue flagged, only open ones take steps', async () => {
  const p = loadPage('pages/improvements/mine')
  await p.page.onLoad({})

  expect(p.texts('.improvement')).toEqual([
    expect.stringMatching(/手动登记.*已逾期.*整改中.*更衣室柜门维修.*期限 2026-11-20/),
    expect.stringMatching(/安全通道清理.*期限 2026-12-10/),
    expect.stringMatching(/已完成.*职工书屋延长开放.*整改结果：已延长至 21:00/),
  ])
  expect(p.exists('overdue-31')).toBe(true)
  expect(p.exists('overdue-32')).toBe(false)
  expect(p.exists('note-31') && p.exists('complete-32')).toBe(true)
  expect(p.exists('note-33') || p.exists('complete-33')).toBe(false)
  expect(wxs.backend.calls('GET /me/improvements')[0].query).toEqual({ page: '1', per_page: '20' })
})

test('a progress note is posted and shown', async () => {
  const p = loadPage('pages/improvements/mine')
  await p.page.onLoad({})

  p.fire('note-32')
  await wxs.settle()
  expect(p.prop('submit', 'disabled')).toBe(true) // nothing typed yet
  p.fire('text', 'input', { value: '已清走杂物两车' })
  await wxs.settle()
  p.fire('submit')
  await wxs.settle()

  expect(wxs.backend.calls('POST /improvements/32/notes')[0].data).toEqual({ body: '已清走杂物两车' })
  expect(p.texts('#improvement-32')[0]).toContain('最新进展：已清走杂物两车')
  expect(p.exists('text')).toBe(false)
})

test('marking done sends the result; a step taken meanwhile reloads the list', async () => {
  const p = loadPage('pages/improvements/mine')
  await p.page.onLoad({})

  p.fire('complete-31')
  await wxs.settle()
  p.fire('text', 'input', { value: '柜门全部更换' })
  await wxs.settle()
  p.fire('submit')
  await wxs.settle()
  expect(wxs.backend.calls('POST /improvements/31/complete')[0].data).toEqual({ result: '柜门全部更换' })
  expect(p.texts('#result-31')).toEqual(['整改结果：柜门全部更换'])
  expect(p.exists('overdue-31')).toBe(false)

  // Staff completed 32 meanwhile: the page still shows it open; completing it is refused and the list reloads.
  items[1].status = 'done'
  items[1].result = '干事代为确认'
  const before = wxs.backend.calls('GET /me/improvements').length
  p.fire('complete-32')
  await wxs.settle()
  p.fire('text', 'input', { value: '已完成' })
  await wxs.settle()
  p.fire('submit')
  await wxs.settle()
  expect(wxs.backend.calls('GET /me/improvements').length).toBe(before + 1)
  expect(p.texts('#result-32')).toEqual(['整改结果：干事代为确认'])
})

test('without items the page says so', async () => {
  items = []
  wxs.backend.on('GET /me/improvements', { body: page([]) })
  const p = loadPage('pages/improvements/mine')
  await p.page.onLoad({})
  expect(p.texts('#empty')).toEqual(['没有由您负责的整改事项'])
})
