// A notice opened from the inbox, a push message or a poster: the full text, marked read on opening.
const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { notice, error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('POST /notices/:id/read', req => (req.params.id === '12'
    ? { body: notice({ id: 12, read: true, read_at: '2026-11-25T10:00:00+08:00' }) }
    : error(404, 'not_found', '通知不存在')))
})

async function open(query) {
  const p = loadPage('pages/notices/detail')
  await p.page.onLoad(query)
  return p
}

test('shows the whole notice with its line breaks and marks it read', async () => {
  const p = await open({ id: '12' })

  expect(wxs.backend.calls('POST /notices/12/read')).toHaveLength(1)
  expect(p.texts('#title')).toEqual(['关于开展冬季职工体检的通知'])
  expect(p.texts('#sent-at')).toEqual(['11月25日 周三 09:30'])
  // Each line of the body is its own line on screen; the blank line between paragraphs is kept.
  expect(p.texts('.line')).toEqual(['各位会员：', '冬季职工体检将于12月3日开始。', '', '请携带工牌到职工医院二楼登记。'])
  expect(p.comp.querySelectorAll('.gap')).toHaveLength(1)
  expect(wxs.toasts).toEqual([])
})

test('a notice that was not sent to me says so, without an error toast', async () => {
  const p = await open({ id: '99' })

  expect(p.texts('#missing')).toEqual(['该通知不存在或未发送给您'])
  expect(p.exists('title')).toBe(false)
  expect(wxs.toasts).toEqual([])
})

test('a poster link that WeChat opened the page with (?q=) shows that notice', async () => {
  const p = await open({ q: encodeURIComponent('https://union.example.com/n/12'), scancode_time: '1764036000' })

  expect(wxs.backend.calls('POST /notices/12/read')).toHaveLength(1)
  expect(p.texts('#title')).toEqual(['关于开展冬季职工体检的通知'])
})

test('a page opened without a usable id asks the server nothing', async () => {
  const p = await open({ q: encodeURIComponent('https://union.example.com/e/12') })

  expect(wxs.backend.requests).toHaveLength(0)
  expect(p.texts('#missing')).toEqual(['该通知不存在或未发送给您'])
})

test('a failed load says so and can be retried by pulling down', async () => {
  let up = false
  wxs.backend.on('POST /notices/:id/read', () => (up ? { body: notice({ read: true }) } : error(503, 'service_unavailable')))
  const p = await open({ id: '12' })
  expect(p.text()).toContain('通知加载失败，请下拉重试')
  expect(wxs.toasts).toEqual(['通知加载失败，请稍后重试'])

  up = true
  await p.page.onPullDownRefresh()

  expect(p.texts('#title')).toEqual(['关于开展冬季职工体检的通知'])
  expect(wxs.pullDownStopped).toBe(1)
})

test('"查看全部通知" goes to the inbox tab (opened from a push there is no page to go back to)', async () => {
  const p = await open({ id: '12' })

  p.fire('all')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'switchTab', url: '/pages/notices/index' }])
})
