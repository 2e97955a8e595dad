const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { calendar, page, error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

async function open() {
  const p = loadPage('pages/bookings/index')
  await p.page.onLoad({})
  return p
}

test('the three services list the calendars open to me', async () => {
  wxs.backend.on('GET /calendars', { body: page([
    calendar({ id: 31 }),
    calendar({ id: 32, kind: 'reception_day', title: '12 月书记接待日', location: '工会办公室 302', host: '李书记' }),
  ]) })
  const p = await open()

  expect(p.texts('.service')).toEqual([
    expect.stringMatching(/^体检.*2026 年冬季职工体检职工医院二楼体检中心选时段/),
    expect.stringMatching(/^书记接待日.*12 月书记接待日工会办公室 302· 李书记选时段/),
    expect.stringMatching(/^法律门诊.*暂无开放的预约/),
  ])

  p.fire('calendar-32')
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/bookings/calendar?id=32' }])
})

test('"我的预约" opens my bookings', async () => {
  wxs.backend.on('GET /calendars', { body: page([]) })
  const p = await open()

  p.fire('mine')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/bookings/mine' }])
})

test('a failed load says so', async () => {
  wxs.backend.on('GET /calendars', error(503, 'service_unavailable'))
  const p = await open()

  expect(p.text()).toContain('预约服务加载失败，请下拉重试')
  expect(wxs.toasts).toEqual(['服务暂时不可用，请稍后重试'])
})
