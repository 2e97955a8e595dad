const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { page, mySurvey, myVote, error } = require('../helpers/contract')

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('GET /events', { body: page([]) })
})

async function open() {
  const p = loadPage('pages/events/index')
  await p.page.onLoad({})
  await wxs.settle()
  return p
}

const rows = p => p.texts('.open-item').map(t => t.replace(/\s+/g, ''))

test('待参与 lists my open surveys and votes, those waiting for me first, each with its close time', async () => {
  wxs.backend.on('GET /me/surveys', { body: page([
    mySurvey({ id: 61, title: '职工需求调查', answered: true, closes_at: '2026-11-28T18:00:00+08:00' }),
    mySurvey({ id: 62, title: '食堂满意度调查', answered: false, closes_at: '2026-12-05T18:00:00+08:00' }),
  ]) })
  wxs.backend.on('GET /me/votes', { body: page([
    myVote({ id: 71, title: '工匠之星评选', voted: false, closes_at: '2026-12-01T18:00:00+08:00' }),
    myVote({ id: 72, title: '职工之家命名', voted: true, closes_at: '2026-12-10T18:00:00Z' }),
  ]) })
  const p = await open()

  expect(rows(p)).toEqual([
    '投票工匠之星评选截止：12月1日周二18:00去投票›',
    '问卷食堂满意度调查截止：12月5日周六18:00去填写›',
    '问卷职工需求调查截止：11月28日周六18:00已填写',
    '投票职工之家命名截止：12月11日周五02:00已投票',
  ])
  expect(p.texts('#open-todo')).toEqual(['2 项待完成'])
})

test('tapping an entry opens the survey, the vote, or a cast vote\'s receipt', async () => {
  wxs.backend.on('GET /me/surveys', { body: page([mySurvey({ id: 62 })]) })
  wxs.backend.on('GET /me/votes', { body: page([myVote({ id: 71 }), myVote({ id: 72, voted: true })]) })
  const p = await open()

  p.fire('open-survey-62')
  p.fire('open-vote-71')
  p.fire('open-vote-72')
  await wxs.settle()

  expect(wxs.navigations.map(n => n.url)).toEqual([
    '/pages/surveys/answer?id=62', '/pages/votes/vote?id=71', '/pages/votes/receipt?id=72',
  ])
})

test('with nothing open the section is not shown', async () => {
  wxs.backend.on('GET /me/surveys', { body: page([]) })
  wxs.backend.on('GET /me/votes', { body: page([]) })
  const p = await open()

  expect(p.exists('open')).toBe(false)
  expect(p.text()).not.toContain('待参与')
})

test('one list failing leaves the other shown, without bothering the member with a toast', async () => {
  wxs.backend.on('GET /me/surveys', error(500, 'internal_error'))
  wxs.backend.on('GET /me/votes', { body: page([myVote({ id: 71, title: '工匠之星评选' })]) })
  const p = await open()

  expect(rows(p)).toEqual(['投票工匠之星评选截止：12月1日周二18:00去投票›'])
  expect(wxs.toasts).toEqual([])
})

test('coming back after answering shows the entry as done', async () => {
  let answered = false
  wxs.backend.on('GET /me/surveys', () => ({ body: page([mySurvey({ id: 62, title: '食堂满意度调查', answered })]) }))
  wxs.backend.on('GET /me/votes', { body: page([]) })
  const p = await open()
  expect(p.texts('#open-todo')).toEqual(['1 项待完成'])

  answered = true
  await p.page.onShow()
  await wxs.settle()

  expect(rows(p)).toEqual(['问卷食堂满意度调查截止：12月5日周六18:00已填写'])
  expect(p.exists('open-todo')).toBe(false)
})
