const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { calendar, slot, booking, page, error } = require('../helpers/contract')

let wxs
let cal
let slots // the slots as the fake server currently has them

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  cal = calendar({ id: 31 })
  slots = [
    slot({ id: 401 }),
    slot({ id: 402, starts_at: '2026-12-15T09:30:00+08:00', ends_at: '2026-12-15T10:00:00+08:00', booked: 3, seats_left: 0 }),
    // 00:30 on the 16th in Shanghai, sent in UTC: it belongs to the 16th whatever the phone's zone.
    slot({ id: 403, starts_at: '2026-12-15T16:30:00+00:00', ends_at: '2026-12-15T17:00:00+00:00', booked: 2, seats_left: 1 }),
  ]
  wxs.backend.on('GET /calendars/:id', req => (req.params.id === '31' ? { body: cal } : error(404, 'not_found')))
  wxs.backend.on('GET /calendars/:id/slots', () => ({ body: page(slots, { per_page: 100 }) }))
})

async function open() {
  const p = loadPage('pages/bookings/calendar')
  await p.page.onLoad({ id: '31' })
  return p
}

/** Each day as [label, "09:00–09:30 余 2", ...]. */
function days(p) {
  const text = (node, sel) => node.querySelector(sel).textContent.trim()
  return Array.from(p.comp.dom.querySelectorAll('.day')).map(day => [text(day, '.day-label')].concat(
    Array.from(day.querySelectorAll('.slot')).map(s => `${text(s, '.slot-time')} ${text(s, '.slot-seats')}`)))
}

function slotLine(p, id) {
  return days(p).flat().find(line => line.startsWith(id)) // by its time
}

async function pick(p, slotId) {
  p.fire(`slot-${slotId}`)
  await wxs.settle()
}

test('slots are grouped by their Shanghai day with the seats left; full ones are greyed', async () => {
  const p = await open()

  expect(p.text()).toContain('2026 年冬季职工体检')
  expect(p.text()).toContain('职工医院二楼体检中心')
  expect(p.text()).toContain('开始前 24 小时可在线取消')
  expect(p.texts('.day-label')).toEqual(['12月15日 周二', '12月16日 周三'])
  expect(days(p)).toEqual([
    ['12月15日 周二', '09:00–09:30 余 2', '09:30–10:00 已约满'],
    ['12月16日 周三', '00:30–01:00 余 1'],
  ])
  expect(p.comp.querySelector('#slot-402').dom.className).toContain('slot-off')
  expect(p.comp.querySelector('#slot-401').dom.className).not.toContain('slot-off')
  const q = wxs.backend.calls('GET /calendars/31/slots')[0].query
  expect(q.from).toBe('2026-11-25T12:00:00+08:00')
})

test('tapping a full slot offers nothing', async () => {
  const p = await open()

  await pick(p, 402)

  expect(p.exists('sheet')).toBe(false)
})

test('booking a health-check slot confirms first, then books without a topic', async () => {
  wxs.backend.on('POST /slots/:id/bookings', req => {
    slots[0] = slot({ id: 401, booked: 2, seats_left: 1 })
    return { status: 201, body: booking({ slot: slots[0] }) }
  })
  const p = await open()

  await pick(p, 401)
  expect(p.texts('#picked-time')).toEqual(['12月15日 周二 09:00–09:30'])
  expect(p.exists('topic')).toBe(false)
  expect(wxs.backend.calls('POST /slots/401/bookings')).toHaveLength(0)

  p.fire('book')
  await wxs.settle()

  expect(wxs.backend.calls('POST /slots/401/bookings').map(r => r.data)).toEqual([{}])
  expect(wxs.toasts).toEqual(['预约成功'])
  expect(p.exists('sheet')).toBe(false)
  expect(slotLine(p, '09:00')).toBe('09:00–09:30 余 1')
})

test('"再看看" closes the sheet without booking', async () => {
  const p = await open()
  await pick(p, 401)

  p.fire('book-cancel')
  await wxs.settle()

  expect(p.exists('sheet')).toBe(false)
  expect(wxs.backend.requests.filter(r => r.method === 'POST')).toHaveLength(0)
})

describe('the reception day', () => {
  beforeEach(() => {
    cal = calendar({ id: 31, kind: 'reception_day', title: '12 月书记接待日', host: '李书记', location: '工会办公室 302' })
    wxs.backend.on('POST /slots/:id/bookings', req => ({ status: 201, body: booking({ topic: req.data.topic || null }) }))
  })

  test('asks what the member wants to raise and sends it as the topic, at most 500 characters', async () => {
    const p = await open()
    expect(p.text()).toContain('李书记')
    await pick(p, 401)
    expect(p.prop('topic', 'placeholder')).toBe('想反映的问题（仅书记和工会工作人员可见）')

    p.fire('topic', 'input', { value: '  食堂晚班供餐时间太早  ' })
    await wxs.settle()
    expect(p.text()).toContain('/500')
    p.fire('book')
    await wxs.settle()

    expect(wxs.backend.calls('POST /slots/401/bookings').map(r => r.data)).toEqual([{ topic: '食堂晚班供餐时间太早' }])
    expect(wxs.toasts).toEqual(['预约成功'])
  })

  test('a topic longer than 500 characters is cut to 500', async () => {
    const p = await open()
    await pick(p, 401)

    p.fire('topic', 'input', { value: '长'.repeat(600) })
    await wxs.settle()
    p.fire('book')
    await wxs.settle()

    expect(wxs.backend.calls('POST /slots/401/bookings')[0].data.topic).toHaveLength(500)
  })

  test('an empty topic is left out', async () => {
    const p = await open()
    await pick(p, 401)

    p.fire('book')
    await wxs.settle()

    expect(wxs.backend.calls('POST /slots/401/bookings').map(r => r.data)).toEqual([{}])
  })
})

test('booking the same slot again says it is already booked', async () => {
  wxs.backend.on('POST /slots/:id/bookings', { status: 200, body: booking() })
  const p = await open()
  await pick(p, 401)

  p.fire('book')
  await wxs.settle()

  expect(wxs.toasts).toEqual(['您已预约该时段'])
})

// The server's message (as server/bookings/services.py words it) is shown, with the app's hint after it.
test.each([
  ['slot_full', 409, {}, '该时段已约满', '该时段已约满。请选择其他时段'],
  ['booking_limit', 409, { max_active_per_member: 1, active: 1 }, '您在“法律咨询”已有 1 个未到期的预约，最多可同时预约 1 个',
    '您在“法律咨询”已有 1 个未到期的预约，最多可同时预约 1 个。如需改约，请先在「我的预约」中取消原预约'],
  ['slot_not_open', 409, { reason: 'not_published' }, '该时段尚未开放预约', '该时段尚未开放预约。请留意工会通知'],
  ['slot_not_open', 409, { reason: 'started' }, '该时段已开始或已结束，不能预约', '该时段已开始或已结束，不能预约。请选择其他时段'],
  ['not_eligible', 403, {}, '该预约不面向您所在的部门或群体', '该预约不面向您所在的部门或群体'],
])('a booking refused with %s %j shows the server\'s reason', async (code, status, details, message, text) => {
  wxs.backend.on('POST /slots/:id/bookings', error(status, code, message, details))
  const p = await open()
  await pick(p, 401)

  p.fire('book')
  await wxs.settle()

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '预约未成功', content: text })])
  expect(wxs.toasts).toEqual([])
  expect(p.exists('consent')).toBe(false)
})

test.each([
  ['slot_full', 409, {}, '该时段已约满，请选择其他时段'],
  ['booking_limit', 409, { max_active_per_member: 1, active: 1 },
    '您在该项服务已有未到期的预约，已达可同时预约的上限。如需改约，请先在「我的预约」中取消原预约。'],
  ['slot_not_open', 409, { reason: 'not_published' }, '该时段尚未开放预约，请留意工会通知'],
  ['slot_not_open', 409, { reason: 'started' }, '该时段已开始或已结束，请选择其他时段'],
  ['slot_not_open', 409, {}, '该时段当前不可预约，请选择其他时段'],
  ['not_eligible', 403, {}, '该预约服务仅面向指定部门或群体，您不在预约范围内'],
])('a booking refused with %s %j and no message is explained in the app\'s words', async (code, status, details, text) => {
  wxs.backend.on('POST /slots/:id/bookings', error(status, code, '', details))
  const p = await open()
  await pick(p, 401)

  p.fire('book')
  await wxs.settle()

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '预约未成功', content: text })])
  expect(wxs.toasts).toEqual([])
  expect(p.exists('consent')).toBe(false)
})

test('a slot that filled up meanwhile is shown full after the refusal', async () => {
  wxs.backend.on('POST /slots/:id/bookings', () => {
    slots[0] = slot({ id: 401, booked: 3, seats_left: 0 })
    return error(409, 'slot_full')
  })
  const p = await open()
  await pick(p, 401)

  p.fire('book')
  await wxs.settle()

  expect(p.exists('sheet')).toBe(false)
  expect(slotLine(p, '09:00')).toBe('09:00–09:30 已约满')
})

test('a calendar with no slots says so', async () => {
  slots = []
  const p = await open()

  expect(p.text()).toContain('暂无可预约的时段')
})

test('an unknown calendar shows an error state', async () => {
  const p = loadPage('pages/bookings/calendar')
  await p.page.onLoad({ id: '999' })

  expect(p.text()).toContain('预约日历加载失败')
  expect(wxs.toasts).toEqual(['内容不存在或已被删除'])
})

describe('offering push reminders after a booking', () => {
  const TEMPLATE = 'notice-template-dev'

  beforeEach(() => {
    wxs.backend.on('POST /slots/:id/bookings', { status: 201, body: booking() })
    wxs.backend.on('POST /me/subscriptions', { body: { remaining: { [TEMPLATE]: 1 } } })
  })

  test('a successful booking offers it, and accepting records the consent', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'accept' })
    const p = await open()
    expect(p.exists('consent')).toBe(false)
    await pick(p, 401)
    p.fire('book')
    await wxs.settle()
    expect(p.texts('#subscribe')).toEqual(['接收工会通知提醒'])

    p.fire('subscribe')
    await wxs.settle()

    expect(wxs.subscribeRequests).toEqual([[TEMPLATE]])
    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'accept' } }])
    expect(p.texts('#consent-note')).toEqual(['已开启，下次通知将推送给您'])
  })

  test('is not offered again once the member said "不再提示"', async () => {
    wxs.storage.noticeConsentDismissed = true
    const p = await open()
    await pick(p, 401)

    p.fire('book')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['预约成功'])
    expect(p.exists('consent')).toBe(false)
  })
})
