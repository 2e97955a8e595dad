const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { request, error, LABELS } = require('../helpers/contract')

// The suite's clock: 2026-11-25 12:00 in Shanghai (tests/helpers/clock.js).
const NOW = Date.parse('2026-11-25T12:00:00+08:00')
const DAY = 24 * 3600 * 1000
const STATUS = LABELS.request_status

let wxs
let current // the request as the fake server has it

const LIAISON = Object.assign({}, MEMBER, { id: 40, name: '李强', employee_no: 'E1040', roles: ['member', 'liaison'] })

// Text of each matching node with all spacing dropped (adjacent WXML nodes run together in textContent).
function squashed(p, selector) {
  return p.texts(selector).map(t => t.replace(/\s+/g, ''))
}
const sq = list => list.map(t => t.replace(/\s+/g, ''))

function iso(ms) {
  return new Date(ms).toISOString().replace('Z', '+00:00')
}

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  jest.setSystemTime(NOW)
  current = request()
  wxs.backend.on('GET /requests/:id', req => (req.params.id === String(current.id) ? { body: current } : error(404, 'not_found', '')))
})

async function open(query = { id: '301' }) {
  const p = loadPage('pages/requests/detail')
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

function resolvedAgo(ms, status = 'resolved') {
  return request({
    status,
    first_response_at: '2026-11-10T10:00:00+08:00',
    resolved_at: iso(NOW - ms),
    assignee: { id: 90, name: '赵干事' },
  })
}

test('the timeline shows every step oldest first, with its time and who took it', async () => {
  current = request({
    status: 'accepted',
    first_response_at: '2026-11-24T15:20:00+08:00',
    timeline: [
      // Out of order on purpose: the page orders by time.
      { at: '2026-11-24T15:20:00+08:00', by: { id: 40, name: '李强' }, action: 'message', body: '已联系食堂，明天答复您。' },
      { at: '2026-11-24T09:00:00+08:00', by: { id: 7, name: '王芳' }, action: 'created' },
      { at: '2026-11-24T14:05:00+08:00', by: '李强', action: 'accepted' },
      { at: '2026-11-25T08:00:00+08:00', by: null, action: 'escalated' },
    ],
  })
  const p = await open()

  expect(squashed(p, '.step')).toEqual(sq([
    '提交诉求 王芳 11月24日 周二 09:00',
    '受理 李强 11月24日 周二 14:05',
    '留言 李强 11月24日 周二 15:20 已联系食堂，明天答复您。',
    '超时升级 系统 11月25日 周三 08:00',
  ]))
  expect(p.texts('#status')).toEqual([STATUS.accepted])
})

test('the two deadlines are shown, and when each was met', async () => {
  current = request({ status: 'resolved', first_response_at: '2026-11-24T15:20:00+08:00', resolved_at: '2026-11-25T10:00:00+08:00' })
  const p = await open()

  expect(squashed(p, '#clocks')).toEqual(sq([
    '首次响应期限 11月25日 周三 23:59 已于 11月24日 周二 15:20 响应 办结期限 12月8日 周二 23:59 已于 11月25日 周三 10:00 办结']))
})

test('a deadline at 24:00 of a working day reads as that day\'s 24:00, not the next day\'s 00:00', async () => {
  current = request({ first_response_due_at: '2026-11-26T00:00:00+08:00', resolve_due_at: '2026-12-08T16:00:00+00:00' })
  const p = await open()

  expect(p.texts('#first-response-due')).toEqual(['11月25日 周三 24:00'])
  expect(p.texts('#resolve-due')).toEqual(['12月8日 周二 24:00'])
})

test('a request a liaison raised for the member says who raised it', async () => {
  current = request({ raised_by: { id: 40, name: '李强' } })
  const p = await open()

  expect(p.texts('#raised-by')).toEqual(['（由 李强 代为提交）'])
})

test('an overdue, urgent, confidential request says so', async () => {
  current = request({ overdue: true, urgent: true, confidential: true, category: 'rights' })
  const p = await open()

  expect(p.texts('#overdue')).toEqual(['已超期'])
  expect(p.texts('#urgent')).toEqual(['紧急'])
  expect(p.texts('#confidential')).toEqual(['保密'])
  expect(p.text()).toContain(LABELS.request_category.rights)
})

test('photos are fetched with the member\'s token and shown from the downloaded files', async () => {
  current = request({ attachments: [
    { id: 'a1', url: '/api/v1/uploads/a1' },
    { id: 'a2', url: 'http://127.0.0.1:5000/api/v1/uploads/a2' },
    { id: 'a3', url: 'https://bucket.example.cn/a3.jpg?X-Amz-Signature=abc' },
    { id: 'a4', url: '/api/v1/uploads/a4' },
  ] })
  wxs.backend.on('GET /uploads/:id', req => (req.params.id === 'a4' ? error(403, 'forbidden') : { body: 'JPEG' }))
  const p = await open()

  expect(wxs.downloads.map(d => [d.url, d.header.Authorization])).toEqual([
    ['http://127.0.0.1:5000/api/v1/uploads/a1', 'Bearer token-of-7'],
    ['http://127.0.0.1:5000/api/v1/uploads/a2', 'Bearer token-of-7'],
    // Our token never goes to another host.
    ['https://bucket.example.cn/a3.jpg?X-Amz-Signature=abc', undefined],
    ['http://127.0.0.1:5000/api/v1/uploads/a4', 'Bearer token-of-7'],
  ])
  const srcs = [0, 1, 2].map(i => p.comp.querySelector(`#photo-${i} .thumb`).data.src)
  srcs.forEach(src => expect(src).toMatch(/^wxfile:\/\/tmp\/\d+\.png$/))
  expect(p.texts('#photo-3')).toEqual(['图片加载失败'])
  expect(wxs.toasts).toEqual([])

  p.comp.querySelector('#photo-1 .thumb').dispatchEvent('tap')
  await wxs.settle()
  expect(wxs.previews[0]).toEqual(expect.objectContaining({ current: srcs[1], urls: srcs }))
})

test('an attachment without a url is fetched from /uploads/{id}', async () => {
  current = request({ attachments: [{ id: 17 }] })
  wxs.backend.on('GET /uploads/:id', { body: 'PNG' })
  await open()

  expect(wxs.downloads.map(d => d.url)).toEqual(['http://127.0.0.1:5000/api/v1/uploads/17'])
})

describe('confirm and reopen', () => {
  test('are not offered before the request is resolved', async () => {
    for (const status of ['submitted', 'accepted', 'reopened']) {
      current = request({ status })
      const p = await open()
      expect([status, p.exists('open-confirm'), p.exists('open-reopen')]).toEqual([status, false, false])
    }
  })

  test('a resolved request can be confirmed or reopened until 15 days after its resolution', async () => {
    current = resolvedAgo(3 * DAY)
    const p = await open()

    expect(p.exists('open-confirm')).toBe(true)
    expect(p.exists('open-reopen')).toBe(true)
    expect(p.text()).toContain('可在 12月7日 周一 12:00 前重新打开')
  })

  test('after 15 days the reopen button is gone; confirming still is not', async () => {
    current = resolvedAgo(15 * DAY + 60 * 1000)
    const p = await open()

    expect(p.exists('open-confirm')).toBe(true)
    expect(p.exists('open-reopen')).toBe(false)
  })

  test('the window is read on the clock: a minute before its end it is open, a minute after it is not', async () => {
    current = request({ status: 'resolved', resolved_at: '2026-11-25T12:00:00+08:00' })
    jest.setSystemTime(new Date('2026-12-10T11:59:00+08:00'))
    expect((await open()).exists('open-reopen')).toBe(true)

    jest.setSystemTime(new Date('2026-12-10T12:01:00+08:00'))
    expect((await open()).exists('open-reopen')).toBe(false)
  })

  test('a closed request within the window can be reopened but not confirmed again', async () => {
    current = resolvedAgo(2 * DAY, 'closed')
    const p = await open()

    expect(p.exists('open-confirm')).toBe(false)
    expect(p.exists('open-reopen')).toBe(true)
    expect(p.exists('send')).toBe(false)
  })

  test('neither is offered to someone who is not the request\'s member', async () => {
    wxs.signIn(LIAISON)
    current = resolvedAgo(DAY)
    const p = await open({ id: '301', as: 'liaison' })

    expect(p.exists('open-confirm')).toBe(false)
    expect(p.exists('open-reopen')).toBe(false)
  })

  test('confirming sends the chosen score and shows the request closed', async () => {
    current = resolvedAgo(DAY)
    wxs.backend.on('POST /requests/:id/confirm', () => {
      current = Object.assign({}, current, { status: 'closed' })
      return { body: current }
    })
    const p = await open()

    p.fire('open-confirm')
    await wxs.settle()
    expect(p.prop('confirm', 'disabled')).toBe(true)
    p.fire('score-4')
    await wxs.settle()
    expect(p.texts('#score-text')).toEqual(['满意'])
    p.fire('confirm')
    await wxs.settle()

    expect(wxs.backend.calls('POST /requests/301/confirm').map(r => r.data)).toEqual([{ satisfaction: 4 }])
    expect(p.texts('#status')).toEqual([STATUS.closed])
    expect(p.exists('confirm-sheet')).toBe(false)
    expect(p.exists('open-confirm')).toBe(false)
    expect(wxs.toasts).toEqual(['已确认办结'])
  })

  test('reopening asks for a reason and sends it', async () => {
    current = resolvedAgo(DAY)
    wxs.backend.on('POST /requests/:id/reopen', req => {
      current = Object.assign({}, current, { status: 'reopened', timeline: current.timeline.concat(
        [{ at: '2026-11-25T12:00:00+08:00', by: { id: 7, name: '王芳' }, action: 'reopened', body: req.data.reason }]) })
      return { body: current }
    })
    const p = await open()

    p.fire('open-reopen')
    await wxs.settle()
    p.fire('reopen')
    await wxs.settle()
    expect(wxs.toasts).toEqual(['请写明重新打开的原因'])
    expect(wxs.backend.calls('POST /requests/301/reopen')).toHaveLength(0)

    p.fire('reason', 'input', { value: '热菜窗口只开了两天又关了' })
    p.fire('reopen')
    await wxs.settle()

    expect(wxs.backend.calls('POST /requests/301/reopen').map(r => r.data)).toEqual([{ reason: '热菜窗口只开了两天又关了' }])
    expect(p.texts('#status')).toEqual([STATUS.reopened])
    expect(squashed(p, '.step').pop()).toBe('重新打开王芳11月25日周三12:00热菜窗口只开了两天又关了')
    expect(p.exists('open-reopen')).toBe(false)
  })

  test('when staff acted first (409 invalid_transition) the page reloads and tells the member', async () => {
    current = resolvedAgo(DAY)
    wxs.backend.on('POST /requests/:id/confirm', () => {
      // Staff reopened it a moment earlier.
      current = Object.assign({}, current, { status: 'reopened' })
      return error(409, 'invalid_transition', '当前状态不能执行该操作')
    })
    const p = await open()

    p.fire('open-confirm')
    await wxs.settle()
    p.fire('score-5')
    await wxs.settle()
    p.fire('confirm')
    await wxs.settle()

    expect(wxs.backend.calls('GET /requests/301')).toHaveLength(2)
    expect(p.texts('#status')).toEqual([STATUS.reopened])
    expect(wxs.toasts).toEqual(['状态已变化，已为您刷新'])
    expect(p.exists('confirm-sheet')).toBe(false)
    expect(p.exists('open-confirm')).toBe(false)
  })
})

test('a message is posted and the timeline reloaded', async () => {
  wxs.backend.on('POST /requests/:id/messages', req => {
    current = Object.assign({}, current, { timeline: current.timeline.concat(
      [{ at: '2026-11-25T12:00:00+08:00', by: { id: 7, name: '王芳' }, action: 'message', body: req.data.body }]) })
    return { status: 201, body: { at: '2026-11-25T12:00:00+08:00', body: req.data.body } }
  })
  const p = await open()

  p.fire('message', 'input', { value: '  补充：周六夜班也一样。 ' })
  p.fire('send')
  p.fire('send')
  await wxs.settle()

  expect(wxs.backend.calls('POST /requests/301/messages').map(r => r.data)).toEqual([{ body: '补充：周六夜班也一样。' }])
  expect(squashed(p, '.step')).toEqual(sq(['提交诉求 王芳 11月24日 周二 09:00', '留言 王芳 11月25日 周三 12:00 补充：周六夜班也一样。']))
  expect(p.page.data.message).toBe('')
})

test('a request that is not one\'s own (404) says so instead of a blank page', async () => {
  const p = await open({ id: '999' })

  expect(p.texts('#load-error')).toEqual(['该诉求不存在，或您无权查看'])
})

describe('a liaison from the grid\'s queue', () => {
  beforeEach(() => wxs.signIn(LIAISON))

  test('accepts a submitted request', async () => {
    wxs.backend.on('POST /requests/:id/accept', () => {
      current = Object.assign({}, current, { status: 'accepted', assignee: { id: 40, name: '李强' }, timeline: current.timeline.concat(
        [{ at: '2026-11-25T12:00:00+08:00', by: { id: 40, name: '李强' }, action: 'accepted' }]) })
      return { body: current }
    })
    const p = await open({ id: '301', as: 'liaison' })
    expect(p.comp.querySelector('#message').data.placeholder).toBe('回复会员')

    p.fire('accept')
    p.fire('accept')
    await wxs.settle()

    expect(wxs.backend.calls('POST /requests/301/accept')).toHaveLength(1)
    expect(p.texts('#status')).toEqual([STATUS.accepted])
    expect(p.exists('accept')).toBe(false)
    expect(p.text()).toContain('承办人李强')
    expect(wxs.toasts).toEqual(['已受理'])
  })

  test('a request another handler accepted first is reloaded, not errored', async () => {
    wxs.backend.on('POST /requests/:id/accept', () => {
      current = Object.assign({}, current, { status: 'accepted', assignee: { id: 41, name: '陈静' } })
      return error(409, 'invalid_transition', '')
    })
    const p = await open({ id: '301', as: 'liaison' })

    p.fire('accept')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['状态已变化，已为您刷新'])
    expect(p.exists('accept')).toBe(false)
    expect(p.text()).toContain('承办人陈静')
  })

  test('is offered accept only on submitted or reopened requests', async () => {
    for (const [status, offered] of [['submitted', true], ['reopened', true], ['accepted', false], ['resolved', false]]) {
      current = request({ status })
      const p = await open({ id: '301', as: 'liaison' })
      expect([status, p.exists('accept')]).toEqual([status, offered])
    }
  })

  test('the member, opening their own request, is never offered accept', async () => {
    wxs.signIn(MEMBER)
    const p = await open({ id: '301', as: 'liaison' })
    expect(p.exists('accept')).toBe(false)
  })
})
