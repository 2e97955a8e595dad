// The 通知 tab: my notices, unread state, paging, and the offer to receive push reminders.
const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { notice, inbox, error } = require('../helpers/contract')

const TEMPLATE = 'notice-template-dev'

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

function notices(n, from = 1) {
  return Array.from({ length: n }, (_, i) => notice({ id: from + i, title: `通知 ${from + i}`, read: true }))
}

async function open() {
  const p = loadPage('pages/notices/index')
  await p.page.onLoad({})
  return p
}

test('lists my notices: title, first line of the body, Shanghai time and which are unread', async () => {
  wxs.backend.on('GET /me/notices', {
    body: inbox([
      notice({ id: 3, title: '停水通知', body: '\n  明日 8:00–12:00 厂区停水。\n请提前储水。', sent_at: '2026-11-26T01:00:00Z' }),
      notice({ id: 2, title: '体检通知' }),
      notice({
        id: 1, title: '工会会费说明', body: '会费按月从工资中代扣。', read: true,
        read_at: '2026-11-20T10:00:00+08:00', sent_at: '2026-11-19T16:05:00+08:00',
      }),
    ]),
  })

  const p = await open()

  expect(p.texts('.notice-title')).toEqual(['停水通知', '体检通知', '工会会费说明'])
  expect(p.texts('.preview')).toEqual(['明日 8:00–12:00 厂区停水。', '各位会员：', '会费按月从工资中代扣。'])
  expect(p.texts('.time')).toEqual(['11月26日 周四 09:00', '11月25日 周三 09:30', '11月19日 周四 16:05'])
  expect(p.texts('.unread .notice-title')).toEqual(['停水通知', '体检通知'])
  expect(p.comp.querySelectorAll('.dot')).toHaveLength(2)
  expect(p.texts('#unread-count')).toEqual(['2 条未读'])
  expect(wxs.tabBadges).toEqual({ 1: '2' })
  expect(wxs.backend.calls('GET /me/notices')[0].query).toEqual({ page: '1', per_page: '20' })
})

test('the unread count covers all my notices, not just the page shown', async () => {
  wxs.backend.on('GET /me/notices', { body: inbox([notice({ read: true })], { unread: 130 }) })

  const p = await open()

  expect(p.texts('#unread-count')).toEqual(['130 条未读'])
  expect(wxs.tabBadges).toEqual({ 1: '99+' })
})

test('scrolling to the bottom loads the next page, without repeating a notice, then says there is no more', async () => {
  // A notice sent between the two pages pushes notice 20 onto page 2 as well.
  wxs.backend.on('GET /me/notices', req => (req.query.page === '1'
    ? { body: inbox(notices(20), { total: 25 }) }
    : { body: inbox(notices(6, 20), { page: 2, total: 26 }) }))
  const p = await open()
  expect(p.text()).toContain('上拉加载更多')

  await p.page.onReachBottom()

  const titles = p.texts('.notice-title')
  expect(titles).toHaveLength(25)
  expect(new Set(titles).size).toBe(25)
  expect(titles[24]).toBe('通知 25')
  expect(wxs.backend.calls('GET /me/notices')[1].query.page).toBe('2')

  wxs.backend.on('GET /me/notices', { body: inbox([], { page: 3, total: 26 }) })
  await p.page.onReachBottom()
  expect(p.text()).toContain('没有更多了')
  await p.page.onReachBottom()
  expect(wxs.backend.calls('GET /me/notices')).toHaveLength(3)
})

test('pull-down refresh shows newly sent notices', async () => {
  wxs.backend.on('GET /me/notices', { body: inbox(notices(1)) })
  const p = await open()

  wxs.backend.on('GET /me/notices', { body: inbox([notice({ id: 9, title: '新通知' })].concat(notices(1))) })
  await p.page.onPullDownRefresh()

  expect(p.texts('.notice-title')).toEqual(['新通知', '通知 1'])
  expect(p.texts('#unread-count')).toEqual(['1 条未读'])
  expect(wxs.pullDownStopped).toBe(1)
})

test('no notices: a friendly empty state and no badge', async () => {
  wxs.backend.on('GET /me/notices', { body: inbox([]) })
  wxs.tabBadges[1] = '3' // left from before

  const p = await open()

  expect(p.text()).toContain('暂无通知')
  expect(p.texts('#unread-count')).toEqual(['全部已读'])
  expect(wxs.tabBadges).toEqual({})
})

test('a failed load says how to retry', async () => {
  wxs.backend.on('GET /me/notices', error(503, 'service_unavailable'))

  const p = await open()

  expect(p.text()).toContain('通知加载失败，请下拉重试')
  expect(wxs.toasts).toEqual(['服务暂时不可用，请稍后重试'])
})

test('opening an unread notice shows it as read here at once and keeps my place on return', async () => {
  wxs.backend.on('GET /me/notices', { body: inbox([notice({ id: 5 }), notice({ id: 4, title: '另一条' })]) })
  const p = await open()

  p.fire('notice-5')
  await wxs.settle()

  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/notices/detail?id=5' }])
  expect(p.texts('.unread .notice-title')).toEqual(['另一条'])
  expect(p.texts('#unread-count')).toEqual(['1 条未读'])
  expect(wxs.tabBadges).toEqual({ 1: '1' })

  await p.page.onShow()
  expect(wxs.backend.calls('GET /me/notices')).toHaveLength(1)

  // Coming back to the tab some other time checks for new notices.
  await p.page.onShow()
  expect(wxs.backend.calls('GET /me/notices')).toHaveLength(2)
})

describe('push reminder consent', () => {
  beforeEach(() => {
    wxs.backend.on('GET /me/notices', { body: inbox(notices(1)) })
    wxs.backend.on('POST /me/subscriptions', req => ({ body: { remaining: { [TEMPLATE]: 1 } } }))
  })

  async function subscribe(p) {
    p.fire('subscribe')
    await wxs.settle()
  }

  test('accepting records exactly what WeChat answered and says the next notice will be pushed', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'accept' }) // WeChat adds errMsg: 'requestSubscribeMessage:ok'
    const p = await open()
    expect(p.texts('#subscribe')).toEqual(['接收工会通知提醒'])

    const tapped = p.page.onSubscribe()
    // WeChat shows its dialog only when asked within the tap itself, before anything is awaited.
    expect(wxs.subscribeRequests).toHaveLength(1)
    await tapped
    await wxs.settle()

    expect(wxs.subscribeRequests).toEqual([[TEMPLATE]])
    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'accept' } }])
    expect(p.texts('#consent-note')).toEqual(['已开启，下次通知将推送给您'])
    expect(p.exists('subscribe')).toBe(false)
    expect(wxs.toasts).toEqual([])
    expect(wxs.modals).toEqual([])
  })

  test('declining is recorded and answered calmly', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'reject' })
    const p = await open()

    await subscribe(p)

    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'reject' } }])
    expect(p.texts('#consent-note')).toEqual(['未开启提醒。新通知仍会保存在「通知」页，随时可以查看'])
    expect(p.exists('subscribe')).toBe(true) // one may change one's mind
    expect(wxs.toasts).toEqual([])
    expect(wxs.modals).toEqual([])
  })

  test('reminders banned in WeChat: explains where to switch them back on and can open the settings', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'ban' })
    wxs.modalAnswers.push({ confirm: true, cancel: false })
    const p = await open()

    await subscribe(p)

    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'ban' } }])
    expect(p.texts('#consent-note')).toEqual(['您已在微信中关闭了本小程序的通知提醒'])
    expect(wxs.modals).toEqual([expect.objectContaining({ title: '通知提醒已关闭', confirmText: '去设置' })])
    expect(wxs.modals[0].content).toContain('「设置」→「通知管理」')
    expect(wxs.settingsOpened).toEqual([{ withSubscriptions: true }])
    expect(wxs.toasts).toEqual([])
  })

  test('all messages switched off (WeChat fails with 20004) is explained the same way', async () => {
    wxs.subscribeAnswers.push({ errMsg: 'requestSubscribeMessage:fail The main switch is switched off', errCode: 20004 })
    const p = await open()

    await subscribe(p)

    expect(wxs.backend.calls('POST /me/subscriptions')).toHaveLength(0)
    expect(p.texts('#consent-note')).toEqual(['您已在微信中关闭了本小程序的通知提醒'])
    expect(wxs.modals[0]).toMatchObject({ title: '通知提醒已关闭' })
    expect(wxs.settingsOpened).toEqual([]) // the member chose "暂不"
  })

  test('any other failure is a gentle note, not an error', async () => {
    wxs.subscribeAnswers.push({ errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.', errCode: 20003 })
    const p = await open()

    await subscribe(p)

    expect(wxs.backend.calls('POST /me/subscriptions')).toHaveLength(0)
    expect(p.texts('#consent-note')).toEqual(['暂时无法开启提醒，请稍后再试'])
    expect(wxs.toasts).toEqual([])
    expect(wxs.modals).toEqual([])
  })

  test('an accept the server could not record does not claim reminders are on', async () => {
    wxs.backend.on('POST /me/subscriptions', error(503, 'service_unavailable'))
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'accept' })
    const p = await open()

    await subscribe(p)

    expect(p.texts('#consent-note')).toEqual(['提醒未能开启，请检查网络后重试'])
    expect(p.exists('subscribe')).toBe(true)
    expect(wxs.toasts).toEqual([])
  })

  test('"不再提示" hides the offer, also on later visits', async () => {
    const p = await open()

    p.fire('subscribe-dismiss')
    await wxs.settle()
    expect(p.exists('consent')).toBe(false)

    const again = await open()
    expect(again.exists('consent')).toBe(false)
    expect(again.texts('.notice-title')).toEqual(['通知 1'])
    expect(wxs.subscribeRequests).toEqual([])
  })
})
