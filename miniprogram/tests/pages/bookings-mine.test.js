const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { calendar, slot, booking, page, error } = require('../helpers/contract')

let wxs
let mine // my bookings as the fake server has them, upcoming first as the server sorts them

const RECEPTION = { id: 32, kind: 'reception_day', title: '12 月书记接待日', location: '工会办公室 302', cancel_cutoff_hours: 48 }

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  mine = [
    // Starts tomorrow 10:00: the 48-hour cut-off has passed.
    booking({ id: 1, topic: '食堂晚班供餐时间太早', slot: slot({ id: 501, calendar_id: 32, location: '工会办公室 302',
      starts_at: '2026-11-26T10:00:00+08:00', ends_at: '2026-11-26T10:20:00+08:00' }) }, RECEPTION),
    booking({ id: 2 }),
    // Past: not shown.
    booking({ id: 3, slot: slot({ id: 499, starts_at: '2026-11-20T09:00:00+08:00', ends_at: '2026-11-20T09:30:00+08:00' }) }),
  ]
  wxs.backend.on('GET /me/bookings', () => ({ body: page(mine) }))
})

async function open() {
  const p = loadPage('pages/bookings/mine')
  await p.page.onLoad({})
  return p
}

test('lists my upcoming bookings with time, place, topic and until when they can be cancelled', async () => {
  const p = await open()

  expect(p.texts('.booking')).toEqual([
    expect.stringMatching(/书记接待日.*12 月书记接待日.*11月26日 周四 10:00–10:20.*工会办公室 302.*食堂晚班供餐时间太早.*距开始不足 48 小时，无法在线取消，请联系工会/),
    expect.stringMatching(/体检.*2026 年冬季职工体检.*12月15日 周二 09:00–09:30.*12月14日 周一 09:00 前可在线取消.*取消预约/),
  ])
  expect(p.exists('cancel-1')).toBe(false)
  expect(wxs.backend.calls('GET /me/bookings')[0].query).toEqual({ status: 'booked', page: '1', per_page: '20' })
})

test('cancelling asks first and does nothing when the member changes their mind', async () => {
  wxs.backend.on('DELETE /bookings/:id', { body: { status: 'cancelled' } })
  const p = await open()

  p.fire('cancel-2')
  await wxs.settle()

  expect(wxs.modals[0]).toMatchObject({ title: '取消预约', confirmText: '确定取消' })
  expect(wxs.modals[0].content).toContain('12月15日 周二 09:00–09:30')
  expect(wxs.backend.calls('DELETE /bookings/2')).toHaveLength(0)
  expect(p.exists('booking-2')).toBe(true)
})

test('cancelling after confirming removes the booking', async () => {
  wxs.backend.on('DELETE /bookings/:id', req => {
    mine = mine.filter(b => String(b.id) !== req.params.id)
    return { body: { status: 'cancelled' } }
  })
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()

  p.fire('cancel-2')
  await wxs.settle()

  expect(wxs.backend.calls('DELETE /bookings/2')).toHaveLength(1)
  expect(wxs.toasts).toEqual(['已取消预约'])
  expect(p.exists('booking-2')).toBe(false)
  expect(p.exists('booking-1')).toBe(true)
})

test('a cancel the server refuses past the cut-off shows the server\'s reason', async () => {
  wxs.backend.on('DELETE /bookings/:id', error(409, 'cancel_cutoff_passed', '已过取消截止时间（开始前 24 小时），如需取消请联系工会',
    { cancel_until: '2026-12-14T09:00:00+08:00' }))
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()

  p.fire('cancel-2')
  await wxs.settle()

  expect(wxs.modals[1]).toMatchObject({ title: '取消未成功', content: '已过取消截止时间（开始前 24 小时），如需取消请联系工会' })
  expect(wxs.toasts).toEqual([])
  expect(p.exists('booking-2')).toBe(true)
})

test('a cut-off refusal without a message is explained with the calendar\'s hours', async () => {
  wxs.backend.on('DELETE /bookings/:id', error(409, 'cancel_cutoff_passed', '', { cancel_until: '2026-12-14T09:00:00+08:00' }))
  wxs.modalAnswers.push({ confirm: true, cancel: false })
  const p = await open()

  p.fire('cancel-2')
  await wxs.settle()

  expect(wxs.modals[1]).toMatchObject({ title: '取消未成功', content: '距开始不足 24 小时，无法在线取消，请联系工会' })
  expect(p.exists('booking-2')).toBe(true)
})

test('with nothing booked it points to the booking services', async () => {
  mine = []
  const p = await open()

  expect(p.text()).toContain('暂无待参加的预约')
  p.fire('browse')
  await wxs.settle()
  expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/bookings/index' }])
})
