// Scanning the venue code from the events tab, and the result page it opens.
const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { event, page, error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('GET /events', { body: page([]) })
})

async function eventsTab() {
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})
  return p
}

async function scan(p) {
  p.fire('scan')
  await wxs.settle()
}

// The server's message (as server/events/checkin.py words it) is shown, with the app's hint after it.
test.each([
  ['waitlisted', '您在候补名单中，尚未获得名额，不能签到', '您在候补名单中，尚未获得名额，不能签到。如有疑问请联系现场工作人员'],
  ['cancelled', '报名已取消，不能签到', '报名已取消，不能签到。如有疑问请联系现场工作人员'],
  ['none', '您没有报名该活动', '您没有报名该活动。如有疑问请联系现场工作人员'],
])('not_registered with reason %s shows the server\'s reason and whom to ask', async (reason, message, text) => {
  wxs.backend.on('POST /checkins', error(403, 'not_registered', message, { reason }))
  wxs.scanResults.push({ result: 'some-code' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '签到未成功', content: text, confirmText: '知道了' })])
})

test.each([
  ['waitlisted', '您在候补名单中，尚未获得名额，无法签到。如有疑问请联系现场工作人员。'],
  ['cancelled', '您已取消报名，无法签到。如有疑问请联系现场工作人员。'],
  ['none', '您未报名该活动，无法签到。如有疑问请联系现场工作人员。'],
])('not_registered with reason %s and no message still says what the member\'s registration is', async (reason, text) => {
  wxs.backend.on('POST /checkins', error(403, 'not_registered', '', { reason }))
  wxs.scanResults.push({ result: 'some-code' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '签到未成功', content: text, confirmText: '知道了' })])
})

test.each([
  ['token_expired', 400, '签到码已过期，请扫描现场最新的二维码', '签到码已过期，请扫描现场最新的二维码', '重新扫描'],
  ['invalid_token', 400, '签到码无效，请重新扫码', '签到码无效，请重新扫码', '重新扫描'],
  ['checkin_closed', 409, '签到已结束', '签到已结束', '知道了'],
])('%s shows the server\'s message', async (code, status, message, text, button) => {
  wxs.backend.on('POST /checkins', error(status, code, message))
  wxs.scanResults.push({ result: 'some-code' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '签到未成功', content: text, confirmText: button })])
  expect(wxs.navigations).toEqual([])
  expect(wxs.toasts).toEqual([])
})

test.each([
  ['token_expired', 400, '二维码已过期，请重新扫描现场二维码', '重新扫描'],
  ['invalid_token', 400, '无法识别该二维码，请扫描活动现场大屏上的签到二维码', '重新扫描'],
  ['not_registered', 403, '您未报名该活动，无法签到。如有疑问请联系现场工作人员。', '知道了'],
  ['checkin_closed', 409, '当前不在签到时间内，请在活动开始前后规定时间内签到', '知道了'],
])('%s without a message is explained in the app\'s words', async (code, status, text, button) => {
  wxs.backend.on('POST /checkins', error(status, code, ''))
  wxs.scanResults.push({ result: 'some-code' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.modals).toEqual([expect.objectContaining({ title: '签到未成功', content: text, confirmText: button })])
  expect(wxs.navigations).toEqual([])
  expect(wxs.toasts).toEqual([])
})

test('after an expired code, "重新扫描" scans again and the fresh code checks in', async () => {
  wxs.backend.on('POST /checkins', req => (req.data.token === 'old-code'
    ? error(400, 'token_expired', '二维码已过期')
    : { status: 201, body: { event_id: 101, checked_in_at: '2026-12-01T09:02:00+08:00', status: 'checked_in' } }))
  wxs.scanResults.push({ result: 'old-code' }, { result: 'new-code' })
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.backend.calls('POST /checkins').map(r => r.data.token)).toEqual(['old-code', 'new-code'])
  expect(wxs.navigations).toHaveLength(1)
  expect(wxs.navigations[0].url).toContain('again=0')
})

test('closing the camera sends nothing and shows no error', async () => {
  const p = await eventsTab()

  await scan(p) // no scan result queued: the fake camera reports "cancel"

  expect(wxs.backend.calls('POST /checkins')).toHaveLength(0)
  expect(wxs.toasts).toEqual([])
  expect(wxs.modals).toEqual([])
})

test('the scanned text is sent without stray whitespace', async () => {
  wxs.backend.on('POST /checkins', { status: 201, body: { event_id: 101, checked_in_at: '2026-12-01T09:02:00+08:00', status: 'checked_in' } })
  wxs.scanResults.push({ result: '  ck1.101.xyz\n' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.backend.calls('POST /checkins')[0].data).toEqual({ token: 'ck1.101.xyz' })
})

test('a repeat check-in (200) opens the result marked as already done', async () => {
  wxs.backend.on('POST /checkins', { status: 200, body: { event_id: 101, checked_in_at: '2026-12-01T08:55:00+08:00', status: 'checked_in' } })
  wxs.scanResults.push({ result: 'code' })
  const p = await eventsTab()

  await scan(p)

  expect(wxs.navigations[0].url).toContain('again=1')
})

describe('result page', () => {
  beforeEach(() => {
    wxs.backend.on('GET /events/:id', { body: event({ id: 101, title: '职工健步走' }) })
  })

  test('says "签到成功" with the Shanghai time and the event', async () => {
    const p = loadPage('pages/checkin/result')

    await p.page.onLoad({ event_id: '101', at: encodeURIComponent('2026-12-01T01:02:13Z'), again: '0' })

    expect(p.text()).toContain('签到成功 09:02')
    expect(p.text()).toContain('12月1日 周二')
    expect(p.text()).toContain('职工健步走')
    expect(p.exists('again')).toBe(false)
  })

  test('a repeat says no second scan is needed', async () => {
    const p = loadPage('pages/checkin/result')

    await p.page.onLoad({ event_id: '101', at: '2026-12-01T08%3A55%3A00%2B08%3A00', again: '1' })

    expect(p.text()).toContain('签到成功 08:55')
    expect(p.texts('#again')).toEqual(['您此前已完成签到，无需重复扫码'])
  })

  test('"完成" goes back', async () => {
    const p = loadPage('pages/checkin/result')
    await p.page.onLoad({ event_id: '101', at: '2026-12-01T09%3A02%3A00%2B08%3A00', again: '0' })

    p.fire('done')
    await wxs.settle()

    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })
})

describe('poster codes', () => {
  beforeEach(() => {
    wxs.backend.on('POST /checkins', { status: 201, body: { event_id: 101, checked_in_at: '2026-12-01T09:02:00+08:00', status: 'checked_in' } })
  })

  test('a notice poster opens that notice and does not try to check in', async () => {
    wxs.scanResults.push({ result: 'http://127.0.0.1:5000/n/12' })
    const p = await eventsTab()

    await scan(p)

    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/notices/detail?id=12' }])
    expect(wxs.backend.calls('POST /checkins')).toHaveLength(0)
    expect(wxs.modals).toEqual([])
  })

  test('an event poster opens the event', async () => {
    wxs.scanResults.push({ result: 'http://127.0.0.1:5000/e/5' })
    const p = await eventsTab()

    await scan(p)

    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/events/detail?id=5' }])
    expect(wxs.backend.calls('POST /checkins')).toHaveLength(0)
  })

  test('a poster on an https address under a sub-path works too', async () => {
    wxs.scanResults.push({ result: ' https://hub.example.com/union/n/34/?from=poster\n' })
    const p = await eventsTab()

    await scan(p)

    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/notices/detail?id=34' }])
  })

  test.each([
    'c1.101.29043.Zm9vYmFy',
    'http://127.0.0.1:5000/x/12', // not a poster link: the server decides what it is
  ])('anything else (%s) is still a check-in code', async code => {
    wxs.scanResults.push({ result: code })
    const p = await eventsTab()

    await scan(p)

    expect(wxs.backend.calls('POST /checkins').map(r => r.data)).toEqual([{ token: code }])
    expect(wxs.navigations[0].url).toMatch(/^\/pages\/checkin\/result\?event_id=101&/)
  })
})
