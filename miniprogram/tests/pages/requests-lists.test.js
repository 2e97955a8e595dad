const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { request, page, LABELS } = require('../helpers/contract')

const STATUS = LABELS.request_status
const CATEGORY = LABELS.request_category

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

const squash = list => list.map(t => t.replace(/\s+/g, ''))

describe('my requests', () => {
  async function open() {
    const p = loadPage('pages/requests/mine')
    await p.page.onLoad({})
    return p
  }

  test('lists my requests with status badges, the overdue marker and the deadline each waits on', async () => {
    wxs.backend.on('GET /me/requests', { body: page([
      request({ id: 3, status: 'submitted', overdue: true, urgent: true, category: 'rights', title: '工伤认定材料',
        first_response_due_at: '2026-11-25T10:00:00+08:00' }),
      request({ id: 2, status: 'accepted', first_response_at: '2026-11-20T10:00:00+08:00', title: '夜班食堂' }),
      request({ id: 1, status: 'closed', resolved_at: '2026-11-10T10:00:00+08:00', title: '更衣柜' }),
    ]) })
    const p = await open()

    expect(squash(p.texts('.request'))).toEqual(squash([
      `${CATEGORY.rights} 紧急 已超期 ${STATUS.submitted} 工伤认定材料 提交于 11月24日 周二 09:00 首次响应期限 11月25日 周三 10:00`,
      `${CATEGORY.canteen} ${STATUS.accepted} 夜班食堂 提交于 11月24日 周二 09:00 办结期限 12月8日 周二 23:59`,
      `${CATEGORY.canteen} ${STATUS.closed} 更衣柜 提交于 11月24日 周二 09:00`,
    ]))
    expect(p.exists('overdue-3')).toBe(true)
    expect(p.exists('overdue-2')).toBe(false)
    expect(p.comp.querySelector('#request-3 .badge').dom.className).toContain('badge-warning')
    expect(p.comp.querySelector('#request-1 .badge').dom.className).toContain('badge-muted')
    expect(wxs.backend.calls('GET /me/requests')[0].query).toEqual({ page: '1', per_page: '20' })
  })

  test('pages on at the bottom', async () => {
    const items = n0 => Array.from({ length: n0 === 1 ? 20 : 2 }, (_, i) => request({ id: (n0 - 1) * 20 + i + 1 }))
    wxs.backend.on('GET /me/requests', req => ({ body: page(items(Number(req.query.page)), { page: Number(req.query.page), total: 22 }) }))
    const p = await open()

    await p.page.onReachBottom()

    expect(p.texts('.request')).toHaveLength(22)
    expect(p.texts('#list-footer')).toEqual(['没有更多了'])
  })

  test('a request opens its page, and a new one the form', async () => {
    wxs.backend.on('GET /me/requests', { body: page([request({ id: 9 })]) })
    const p = await open()

    p.fire('request-9')
    p.fire('new')
    await wxs.settle()

    expect(wxs.navigations).toEqual([
      { type: 'navigateTo', url: '/pages/requests/detail?id=9' },
      { type: 'navigateTo', url: '/pages/requests/new' },
    ])
  })

  test('with none yet it says what requests are for', async () => {
    wxs.backend.on('GET /me/requests', { body: page([]) })
    const p = await open()

    expect(p.texts('#empty')).toEqual(['还没有提交过诉求。工作和生活中遇到困难，可以告诉工会。'])
  })
})

describe('the grid\'s queue', () => {
  const LIAISON = Object.assign({}, MEMBER, { id: 40, name: '李强', roles: ['member', 'liaison'] })

  beforeEach(() => {
    wxs.signIn(LIAISON)
    // Overdue first, as the server orders it.
    wxs.backend.on('GET /requests', req => ({ body: page([
      request({ id: 12, overdue: true, member: { id: 8, name: '张伟' }, title: '宿舍热水' }),
      request({ id: 11, status: 'accepted', member: { id: 7, name: '王芳' } }),
    ].filter(r => !req.query.overdue || r.overdue)) }))
  })

  async function open() {
    const p = loadPage('pages/requests/queue')
    await p.page.onLoad({})
    return p
  }

  test('lists the grid\'s requests in the server\'s order, overdue ones marked, with who raised them', async () => {
    const p = await open()

    expect(p.texts('.request').map(t => t.replace(/\s+/g, ''))).toEqual([
      expect.stringContaining('已超期'),
      expect.not.stringContaining('已超期'),
    ])
    expect(p.texts('.request')[0]).toContain('张伟 · 第三网格')
    expect(p.texts('.request')[0]).toContain('宿舍热水')
    expect(p.comp.querySelector('#request-12').dom.className).toContain('overdue-card')
    expect(wxs.backend.calls('GET /requests')[0].query).toEqual({ page: '1', per_page: '20' })
  })

  test('filters by status and by overdue, starting from the first page', async () => {
    const p = await open()
    expect(p.page.data.statusLabels).toEqual(['全部状态'].concat(Object.values(STATUS)))

    p.fire('status-filter', 'change', { value: Object.keys(STATUS).indexOf('submitted') + 1 })
    await wxs.settle()
    p.fire('overdue-only', 'change', { value: true })
    await wxs.settle()

    const calls = wxs.backend.calls('GET /requests').map(c => c.query)
    expect(calls.slice(1)).toEqual([
      { page: '1', per_page: '20', status: 'submitted' },
      { page: '1', per_page: '20', status: 'submitted', overdue: '1' },
    ])
    expect(p.texts('.request')).toHaveLength(1)

    p.fire('status-filter', 'change', { value: 0 })
    p.fire('overdue-only', 'change', { value: false })
    await wxs.settle()
    expect(wxs.backend.calls('GET /requests').pop().query).toEqual({ page: '1', per_page: '20' })
  })

  test('a request opens as the liaison\'s, and 代会员提交 opens the form for a member', async () => {
    const p = await open()

    p.fire('request-11')
    p.fire('behalf')
    await wxs.settle()

    expect(wxs.navigations).toEqual([
      { type: 'navigateTo', url: '/pages/requests/detail?id=11&as=liaison' },
      { type: 'navigateTo', url: '/pages/requests/new?behalf=1' },
    ])
  })
})
