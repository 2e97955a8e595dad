const f = require('../../utils/format')
const labels = require('../../utils/labels')
const { installWx } = require('../helpers/fakeWx')
const { event, registration } = require('../helpers/contract')

// Names of kinds and statuses come from GET /meta/labels, served by the fake backend.
beforeAll(() => {
  installWx()
  return labels.ready()
})

// "now" for these tests: 2026-11-25 12:00 in Shanghai.
const NOW = Date.UTC(2026, 10, 25, 4, 0, 0)

describe('times are shown in Asia/Shanghai whatever the phone is set to', () => {
  test('the suite really runs in another time zone', () => {
    expect(new Date(NOW).getTimezoneOffset()).not.toBe(-480)
  })

  test('an event on one day reads like "12月1日 周二 09:00–11:00"', () => {
    expect(f.formatRange('2026-12-01T09:00:00+08:00', '2026-12-01T11:00:00+08:00', NOW)).toBe('12月1日 周二 09:00–11:00')
  })

  test('UTC and other offsets are converted to Shanghai time', () => {
    expect(f.formatRange('2026-12-01T01:00:00Z', '2026-12-01T03:30:00+00:00', NOW)).toBe('12月1日 周二 09:00–11:30')
    // 23:30 UTC on Nov 30 is already Dec 1 in Shanghai.
    expect(f.formatDateTime('2026-11-30T23:30:00Z', NOW)).toBe('12月1日 周二 07:30')
  })

  test('fractional seconds from the server parse', () => {
    expect(f.formatClock('2026-12-01T09:02:41.123456+08:00')).toBe('09:02')
  })

  test('a range across midnight shows both days', () => {
    expect(f.formatRange('2026-12-01T20:00:00+08:00', '2026-12-02T08:00:00+08:00', NOW))
      .toBe('12月1日 周二 20:00 – 12月2日 周三 08:00')
  })

  test('another year is named', () => {
    expect(f.formatDate('2027-01-05T09:00:00+08:00', NOW)).toBe('2027年1月5日 周二')
  })

  test('unreadable input gives an empty string, not "NaN"', () => {
    expect(f.formatRange('soon', 'later', NOW)).toBe('')
    expect(f.formatClock(null)).toBe('')
  })

  test('"now" is sent to the API with the +08:00 offset', () => {
    expect(f.toShanghaiISO(Date.UTC(2026, 10, 30, 16, 5, 9))).toBe('2026-12-01T00:05:09+08:00')
  })
})

describe('seats and my status', () => {
  test.each([
    [{ capacity: null, seats_left: null }, '不限名额'],
    [{ capacity: 30, seats_left: 18 }, '剩余 18 个名额'],
    [{ capacity: 30, seats_left: 0, waitlist: true, waitlist_count: 4 }, '名额已满 · 候补 4 人'],
    [{ capacity: 30, seats_left: 0, waitlist: true, waitlist_count: 0 }, '名额已满 · 可候补'],
    [{ capacity: 30, seats_left: 0, waitlist: false }, '名额已满'],
  ])('%j reads "%s"', (fields, text) => {
    expect(f.seatsText(event(fields))).toBe(text)
  })

  test.each([
    ['not signed up', null, 'published', null],
    ['confirmed', registration(), 'published', { text: '已报名', tone: 'success' }],
    ['waitlisted', registration({ status: 'waitlisted', waitlist_position: 3 }), 'published', { text: '候补第 3 位', tone: 'warning' }],
    ['checked in', registration({ checked_in_at: '2026-12-01T09:02:00+08:00' }), 'published', { text: '已签到', tone: 'info' }],
    ['confirmed, event cancelled', registration(), 'cancelled', { text: '活动已取消', tone: 'muted' }],
  ])('badge when %s', (_, reg, status, badge) => {
    expect(f.statusBadge(event({ my_registration: reg, status }))).toEqual(badge)
  })

  test('a cancelled sign-up in my list says so', () => {
    const view = f.myRegistrationView(Object.assign(registration({ status: 'cancelled' }), { event: event() }), NOW)
    expect(view.badge).toEqual({ text: '已取消报名', tone: 'muted' })
    expect(view.title).toBe('职工健步走')
    expect(view.id).toBe(101)
  })

  test('kinds have the server\'s Chinese names; a kind the labels do not know shows as it is', () => {
    expect(f.kindLabel('health_check')).toBe('体检')
    expect(f.kindLabel('something_new')).toBe('something_new')
  })
})

describe('what the sign-up button offers', () => {
  test('open with seats', () => {
    expect(f.signupState(event(), NOW)).toEqual({ canSignUp: true, label: '立即报名', hint: '报名截止：11月30日 周一 18:00' })
  })

  test('full with a waiting list', () => {
    expect(f.signupState(event({ seats_left: 0 }), NOW)).toMatchObject({ canSignUp: true, label: '加入候补' })
  })

  test('full without a waiting list', () => {
    expect(f.signupState(event({ seats_left: 0, waitlist: false }), NOW)).toMatchObject({ canSignUp: false, label: '名额已满' })
  })

  test('not open yet', () => {
    expect(f.signupState(event({ signup_opens_at: '2026-11-26T09:00:00+08:00' }), NOW))
      .toEqual({ canSignUp: false, label: '报名未开始', hint: '11月26日 周四 09:00 开始报名' })
  })

  test('closed by the deadline, or by the start when there is none', () => {
    expect(f.signupState(event({ signup_closes_at: '2026-11-25T11:59:00+08:00' }), NOW)).toMatchObject({ canSignUp: false, label: '报名已截止' })
    expect(f.signupState(event({ signup_closes_at: null, starts_at: '2026-11-25T11:00:00+08:00' }), NOW)).toMatchObject({ label: '报名已截止' })
  })

  test('already signed up: no sign-up button', () => {
    expect(f.signupState(event({ my_registration: registration() }), NOW).canSignUp).toBe(false)
  })
})

describe('notices', () => {
  test('the preview is the first line with text', () => {
    expect(f.firstLine('\r\n  各位会员：\r\n请于周五前报名。')).toBe('各位会员：')
    expect(f.firstLine('')).toBe('')
  })

  test('the body keeps its lines, blank ones included, without trailing blank lines', () => {
    expect(f.bodyLines('第一段\r\n\r\n第二段\n\n')).toEqual(['第一段', '', '第二段'])
  })

  test('a notice sent this year shows its Shanghai date and time without the year', () => {
    const view = f.noticeView({ id: 1, title: 't', body: 'a\nb', sent_at: '2026-11-24T16:30:00Z', read: false, read_at: null })
    expect(view.timeText).toBe('11月25日 周三 00:30')
    expect(view.preview).toBe('a')
    expect(view.lines).toEqual([{ i: 0, text: 'a' }, { i: 1, text: 'b' }])
  })

  test('a notice not yet sent has no time', () => {
    expect(f.noticeView({ id: 1, title: 't', body: 'x', sent_at: null }).timeText).toBe('')
  })
})

describe('money from integer fen, exact', () => {
  test('yuan with thousands separators and two decimals', () => {
    expect(f.formatFen(123456)).toBe('¥1,234.56')
    expect(f.formatFen(0)).toBe('¥0.00')
    expect(f.formatFen(5)).toBe('¥0.05')
    expect(f.formatFen(100)).toBe('¥1.00')
    expect(f.formatFen(100000000)).toBe('¥1,000,000.00')
  })

  test('a negative amount (a balance, a reversal) keeps its sign before the yuan mark', () => {
    expect(f.formatFen(-1)).toBe('-¥0.01')
    expect(f.formatFen(-123456)).toBe('-¥1,234.56')
  })

  test('the largest amounts lose no fen', () => {
    expect(f.formatFen(99999999999999)).toBe('¥999,999,999,999.99')
    expect(f.formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91')
    expect(f.formatFen(-Number.MAX_SAFE_INTEGER)).toBe('-¥90,071,992,547,409.91')
  })

  test('anything but a safe integer is shown as nothing, never as a wrong amount', () => {
    expect(f.formatFen(12.5)).toBe('')
    expect(f.formatFen('1234')).toBe('')
    expect(f.formatFen(null)).toBe('')
    expect(f.formatFen(2 ** 53)).toBe('')
  })

  test('a month as 2026年11月', () => {
    expect(f.formatMonth('2026-11')).toBe('2026年11月')
    expect(f.formatMonth('2027-01')).toBe('2027年1月')
    expect(f.formatMonth('2026-1')).toBe('')
  })
})
