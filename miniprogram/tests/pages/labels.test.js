// Pages name kinds and statuses by the server's labels (GET /meta/labels), never by the raw value, and
// wait for them together with their own data.
const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { LABELS, labelsRoute, event, registration, calendar, slot, booking, page } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

/** The contract's labels with some names polished, as the server may: proof a name came from it. */
function polished(changes) {
  const body = JSON.parse(JSON.stringify(LABELS))
  Object.keys(changes).forEach(vocab => Object.assign(body[vocab], changes[vocab]))
  return body
}

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('a first launch with no stored labels', () => {
  test('the event list waits for slow labels and shows names, not values', async () => {
    wxs.backend.on('GET /meta/labels', req => Object.assign(labelsRoute()(req), { delay: 40 }))
    wxs.backend.on('GET /events', { body: page([
      event({ id: 1, kind: 'training', my_registration: registration() }),
      event({ id: 2, kind: 'volunteer' }),
    ]) })
    const p = loadPage('pages/events/index')

    await p.page.onLoad({})

    expect(p.texts('.kind')).toEqual(['培训', '志愿服务'])
    expect(p.texts('.badge')).toEqual(['已报名'])
    expect(p.text()).not.toMatch(/training|volunteer|confirmed/)
  })

  test('names are the server\'s, however it words them', async () => {
    wxs.backend.on('GET /meta/labels', labelsRoute(polished({
      event_kind: { lecture: '专题讲座' }, registration_status: { confirmed: '报名成功' },
    })))
    wxs.backend.on('GET /events/:id', { body: event({ kind: 'lecture', my_registration: registration() }) })

    const p = await open('pages/events/detail', { id: '101' })

    expect(p.texts('.kind')).toEqual(['专题讲座'])
    expect(p.texts('#my-status')).toEqual(['报名成功'])
  })

  test('a kind the labels do not know yet shows as it is', async () => {
    wxs.backend.on('GET /events', { body: page([event({ kind: 'tug_of_war' })]) })

    const p = await open('pages/events/index')

    expect(p.texts('.kind')).toEqual(['tug_of_war'])
  })
})

describe('stored labels', () => {
  const STORED = polished({ event_kind: { activity: '文体' } })

  test('a 304 keeps the stored copy, which the page shows', async () => {
    wxs.storage.labels = { etag: '"labels-v1"', vocabularies: STORED }
    wxs.backend.on('GET /events', { body: page([event({ kind: 'activity' })]) })

    const p = await open('pages/events/index')

    expect(wxs.backend.calls('GET /meta/labels')[0].headers['If-None-Match']).toBe('"labels-v1"')
    expect(p.texts('.kind')).toEqual(['文体'])
    expect(wxs.storage.labels.vocabularies).toEqual(STORED)
  })

  test('when the labels cannot be fetched, the stored copy names what the page shows', async () => {
    wxs.storage.labels = { etag: '"labels-v0"', vocabularies: STORED }
    wxs.backend.on('GET /meta/labels', { status: 502, body: '<html>Bad Gateway</html>' })
    wxs.backend.on('GET /events', { body: page([event({ kind: 'activity' })]) })

    const p = await open('pages/events/index')

    expect(p.texts('.kind')).toEqual(['文体'])
    // Nobody asked for the labels: their failure is not the member's business.
    expect(wxs.toasts).toEqual([])
  })

  test('offline, a page with a stored copy still names things and says the data failed', async () => {
    wxs.storage.labels = { etag: '"labels-v1"', vocabularies: LABELS }
    wxs.offline = true

    const p = await open('pages/bookings/index')

    expect(p.texts('.service .title')).toEqual(['体检', '书记接待日', '法律门诊'])
    expect(p.text()).toContain('预约服务加载失败，请下拉重试')
  })
})

describe('every page that names a kind or status', () => {
  beforeEach(() => {
    wxs.backend.on('GET /meta/labels', labelsRoute(polished({
      calendar_kind: { legal_clinic: '法律咨询门诊' },
      booking_status: { booked: '预约成功' },
      slot_status: { cancelled: '该时段已取消' },
      suggestion_category: { canteen_facilities: '食堂与后勤保障' },
      suggestion_status: { answered: '已回复' },
      member_role: { staff: '工会专干' },
    })))
  })

  test('the booking services: names from the labels, intros from the page', async () => {
    wxs.backend.on('GET /calendars', { body: page([calendar({ id: 33, kind: 'legal_clinic', title: '法律门诊（周三）' })]) })

    const p = await open('pages/bookings/index')

    expect(p.texts('.service .title')).toEqual(['体检', '书记接待日', '法律咨询门诊'])
    expect(p.texts('.service .intro')[2]).toBe('劳动合同、权益保障等法律咨询')
  })

  test('a calendar and my bookings name their service and status', async () => {
    wxs.backend.on('GET /calendars/:id', { body: calendar({ kind: 'legal_clinic' }) })
    wxs.backend.on('GET /calendars/:id/slots', { body: page([slot({ status: 'cancelled' })]) })
    wxs.backend.on('GET /me/bookings', { body: page([booking({}, { kind: 'legal_clinic' })]) })

    const cal = await open('pages/bookings/calendar', { id: '31' })
    const mine = await open('pages/bookings/mine')

    expect(cal.texts('.kind')).toEqual(['法律咨询门诊'])
    expect(cal.texts('.slot-seats')).toEqual(['该时段已取消'])
    expect(mine.texts('.booking .kind')).toEqual(['法律咨询门诊'])
    expect(mine.texts('.booking .badge')).toEqual(['预约成功'])
  })

  test('writing a suggestion offers the server\'s categories in its order and sends the value', async () => {
    wxs.backend.on('POST /suggestions', { status: 201, body: { id: 's-1', receipt: 'K7QH-2M9D-XR4T-PW8N', status: 'new' } })
    const p = await open('pages/suggestions/new')

    expect(p.page.data.categoryLabels).toEqual(['安全生产', '薪酬福利', '食堂与后勤保障', '管理与作风', '培训与发展', '评优异议', '其他'])
    p.fire('category', 'change', { value: 2 })
    await wxs.settle()
    expect(p.texts('#category-text')).toEqual(['食堂与后勤保障'])
    p.fire('content', 'input', { value: '夜班食堂 22 点就关门。' })
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /suggestions')[0].data.category).toBe('canteen_facilities')
  })

  test('with no labels at all a suggestion cannot be filed under a category, and the page says why', async () => {
    wxs.backend.on('GET /meta/labels', { status: 503, body: { error: { code: 'service_unavailable', message: '', details: {} } } })

    const p = await open('pages/suggestions/new')

    expect(p.page.data.categoryLabels).toEqual([])
    expect(p.texts('#error')).toEqual(['意见类别加载失败，请检查网络后重新打开'])
  })

  test('my suggestion shows its status by name', async () => {
    wxs.backend.on('GET /suggestions/mine', { body: {
      suggestion: { id: 's-1', category: 'canteen_facilities', category_label: '食堂与后勤', title: null, content: '夜班供餐',
        status: 'answered', public: false, submitted_on: '2026-11-20' },
      messages: [],
    } })
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: 'K7QH-2M9D-XR4T-PW8N' })
    p.fire('open')
    await wxs.settle()

    expect(p.texts('#suggestion .badge')).toEqual(['已回复'])
  })

  test('my profile names my roles beyond member', async () => {
    wxs.backend.on('GET /me', { body: Object.assign({}, MEMBER, { roles: ['member', 'staff'] }) })
    wxs.backend.on('GET /me/registrations', { body: page([]) })

    const p = await open('pages/me/index')

    expect(p.texts('.role')).toEqual(['工会专干'])
  })
})
