// Labels from GET /meta/labels: kept in memory and in storage, revalidated with If-None-Match.
const { installWx } = require('../helpers/fakeWx')
const { LABELS, labelsRoute } = require('../helpers/contract')

let wxs
let labels

beforeEach(() => {
  wxs = installWx()
  // A fresh module per test is a fresh launch: nothing in memory, storage as the test leaves it.
  jest.isolateModules(() => { labels = require('../../utils/labels') })
})

const labelCalls = () => wxs.backend.calls('GET /meta/labels')

test('a first launch fetches the labels, keeps them with their ETag and names values by them', async () => {
  await labels.ready()

  expect(labels.label('event_kind', 'training')).toBe('培训')
  expect(labels.label('suggestion_status', 'in_progress')).toBe('处理中')
  expect(wxs.storage.labels).toEqual({ etag: '"labels-v1"', vocabularies: LABELS })
  expect(labelCalls()[0].headers['If-None-Match']).toBeUndefined()
})

test('the labels need no sign-in and never carry the member\'s token', async () => {
  wxs.signIn()
  await labels.ready()

  expect(labelCalls()[0].headers.Authorization).toBeUndefined()
  expect(wxs.backend.calls('POST /auth/login')).toHaveLength(0)
})

test('every caller during a launch shares one request', async () => {
  await Promise.all([labels.ready(), labels.ready(), labels.withLabels(Promise.resolve(1))])
  await labels.ready()

  expect(labelCalls()).toHaveLength(1)
})

test('a 304 keeps the stored copy', async () => {
  const stored = { event_kind: { training: '职工培训' } }
  wxs.storage.labels = { etag: '"labels-v1"', vocabularies: stored }

  await labels.ready()

  expect(labelCalls()[0].headers['If-None-Match']).toBe('"labels-v1"')
  expect(labels.label('event_kind', 'training')).toBe('职工培训')
  expect(wxs.storage.labels).toEqual({ etag: '"labels-v1"', vocabularies: stored })
})

test('labels changed on the server replace the stored copy', async () => {
  wxs.storage.labels = { etag: '"labels-v0"', vocabularies: { event_kind: { training: '旧名' } } }
  // The server names its ETag header in lower case on some platforms.
  wxs.backend.on('GET /meta/labels', req => Object.assign(labelsRoute()(req), { headers: { etag: '"labels-v2"' } }))

  await labels.ready()

  expect(labelCalls()[0].headers['If-None-Match']).toBe('"labels-v0"')
  expect(labels.label('event_kind', 'training')).toBe('培训')
  expect(wxs.storage.labels.etag).toBe('"labels-v2"')
})

test('offline with a stored copy: the stored names serve', async () => {
  wxs.storage.labels = { etag: '"labels-v1"', vocabularies: LABELS }
  wxs.offline = true

  await labels.ready()

  expect(labels.label('calendar_kind', 'reception_day')).toBe('书记接待日')
  expect(wxs.toasts).toEqual([])
})

test('offline on a first launch: values show as they are, and nothing is said about it', async () => {
  wxs.offline = true

  await expect(labels.ready()).resolves.toBeNull()

  expect(labels.label('event_kind', 'training')).toBe('training')
  expect(labels.options('suggestion_category')).toEqual([])
  expect(wxs.toasts).toEqual([])
})

test('a server error keeps the stored copy too', async () => {
  wxs.storage.labels = { etag: '"labels-v1"', vocabularies: LABELS }
  wxs.backend.on('GET /meta/labels', { status: 503, body: { error: { code: 'service_unavailable', message: '', details: {} } } })

  await labels.ready()

  expect(labels.label('booking_status', 'booked')).toBe('已预约')
  expect(wxs.storage.labels.vocabularies).toEqual(LABELS)
})

test('an unknown value or vocabulary shows the value itself', async () => {
  await labels.ready()

  expect(labels.label('event_kind', 'tug_of_war')).toBe('tug_of_war')
  expect(labels.label('no_such_vocabulary', 'x')).toBe('x')
  // A value that happens to be the name of an object property is still unknown.
  expect(labels.label('event_kind', 'constructor')).toBe('constructor')
})

test('options list a vocabulary in the server\'s order', async () => {
  await labels.ready()

  expect(labels.options('registration_status')).toEqual([
    { value: 'confirmed', label: '已报名' },
    { value: 'waitlisted', label: '候补' },
    { value: 'cancelled', label: '已取消' },
  ])
})
