const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { CRAFTSMAN, copy, craftsmanRound, craftsmanNomination, craftsmanWinner, page, error } = require('../helpers/contract')
const APP = require('../../app.json')

// The craftsman star's pages on the server's real answers (tests/fixtures/craftsman.json): 职工王芳 (a member)
// nominated 工匠张伟 with a photo; 评委1 sits on the committee; the round moved from nominating to published.
let wxs

const ME = Object.assign({}, MEMBER, { id: CRAFTSMAN.nominated.nominated_by.id, name: '职工王芳', department: '总装车间' })
const JUDGE = Object.assign({}, MEMBER, { id: CRAFTSMAN.round_committee.committee[0].id, name: '评委1' })
const sq = list => list.map(t => t.replace(/\s+/g, ''))
const refusal = (status, answer) => ({ status, body: copy(answer) })
const PHOTO = CRAFTSMAN.upload.id

beforeEach(() => {
  wxs = installWx()
  wxs.signIn(ME)
  wxs.backend.on('GET /craftsman/rounds', { body: copy(CRAFTSMAN.rounds) })
  wxs.backend.on('GET /craftsman/winners', { body: copy(CRAFTSMAN.winners) })
  wxs.backend.on('GET /uploads/:id', { status: 200 })
})

async function open(route, query) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

/** The round as the member signed in reads it at a stage (the fixture's answers). */
function serveRound(answer) {
  wxs.backend.on('GET /craftsman/rounds/:id', { body: copy(answer) })
}

describe('the fixture', () => {
  test('every page the craftsman notices open is a page of the mini-program', () => {
    expect(CRAFTSMAN.notice_pages.length).toBeGreaterThan(0)
    CRAFTSMAN.notice_pages.forEach(target => expect(APP.pages).toContain(target.split('?')[0]))
  })
})

describe('the craftsman page', () => {
  test('lists the rounds with their stage, and the winners of past years by year and rank', async () => {
    const older = craftsmanWinner({ id: 9, year: 2025, rank: 1, member: { id: 30, name: '老工匠' }, department: '机修车间' })
    wxs.backend.on('GET /craftsman/winners', { body: page([...copy(CRAFTSMAN.winners.items), older]) })
    wxs.backend.on('GET /craftsman/rounds', { body: page([copy(CRAFTSMAN.round_voting), craftsmanRound({ id: 2, year: 2025, title: '2025年度工匠之星', stage: 'published' })]) })
    const p = await open('pages/craftsman/index', {})

    expect(sq(p.texts('.round .badge'))).toEqual(['投票中', '已公布'])
    expect(p.texts('#round-1 .meta')[0]).toContain('投票时间')
    expect(sq(p.texts('.year'))).toEqual(['2026年度', '2025年度'])
    expect(sq(p.texts('#year-2026 .winner'))).toEqual(['第1名工匠张伟数控车间›', '第2名工匠李强数控车间›', '第3名工匠赵敏数控车间›'])
    expect(sq(p.texts('#year-2025 .winner'))).toEqual(['第1名老工匠机修车间›'])

    p.fire('round-1')
    p.fire('winner-9')
    await wxs.settle()
    expect(wxs.navigations).toEqual([
      { type: 'navigateTo', url: '/pages/craftsman/round?id=1' },
      { type: 'navigateTo', url: '/pages/craftsman/winner?id=9' },
    ])
  })
})

describe('a round, for a member', () => {
  test('while nominating: the dates and the way to nominate; the nominations are not asked for', async () => {
    serveRound(CRAFTSMAN.rounds.items[0])
    const p = await open('pages/craftsman/round', { id: '1' })

    expect(p.texts('#stage')).toEqual(['推荐中'])
    expect(p.texts('#nomination-closes')).toEqual(['12月4日 周五 21:02'])
    expect(p.texts('#shortlist-pending')).toEqual(['评审结束后公布入围名单'])
    expect(wxs.backend.calls('GET /craftsman/rounds/1/nominations')).toEqual([])
    expect(p.exists('vote')).toBe(false)
    p.fire('nominate')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/craftsman/nominate?round_id=1' }])
  })

  test('while voting: the public shortlist without tally, its photos, and the button to the vote', async () => {
    serveRound(CRAFTSMAN.round_voting)
    wxs.backend.on('GET /craftsman/rounds/:id/nominations', { body: copy(CRAFTSMAN.shortlist) })
    const p = await open('pages/craftsman/round', { id: '1' })

    expect(p.texts('#stage')).toEqual(['投票中'])
    expect(sq(p.texts('.nomination .name'))).toEqual(['工匠张伟数控车间', '工匠李强数控车间', '工匠赵敏数控车间'])
    expect(p.exists('tally-1')).toBe(false)
    // The nominator is named to the nominator only (the server's answer to 职工王芳, who nominated 工匠张伟).
    expect(p.text()).not.toContain('已评')
    expect(p.texts('#nomination-1 .muted')).toContain('推荐人：职工王芳')
    expect(p.page.data.photos[PHOTO].path).toMatch(/^wxfile:/)
    expect(wxs.downloads.map(d => d.url).some(u => u.endsWith(`/uploads/${PHOTO}`))).toBe(true)
    expect(p.exists('nominate')).toBe(false)

    p.fire('vote')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/votes/vote?id=${CRAFTSMAN.round_voting.vote_id}` }])
  })

  test('once published: the way to the year\'s winners (where the notice points too)', async () => {
    serveRound(CRAFTSMAN.round_published)
    wxs.backend.on('GET /craftsman/rounds/:id/nominations', { body: copy(CRAFTSMAN.shortlist) })
    const p = await open('pages/craftsman/round', { id: '1' })
    p.fire('winners')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/craftsman/winners?year=2026' }])
    expect(CRAFTSMAN.notice_pages).toContain('pages/craftsman/winners?year=2026')
  })
})

describe('a round, for its committee', () => {
  beforeEach(() => {
    wxs.signIn(JUDGE)
    serveRound(CRAFTSMAN.round_committee)
  })

  test('every nomination with the nominator and the tally; a review with a comment updates the tally', async () => {
    const unreviewed = craftsmanNomination({ reviews: 0, approvals: 0, shortlisted: false, my_review: null })
    wxs.backend.on('GET /craftsman/rounds/:id/nominations', { body: page([unreviewed]) })
    wxs.backend.on('POST /craftsman/nominations/:id/review', () => ({ status: 201, body: copy(CRAFTSMAN.reviewed), delay: 20 }))
    const p = await open('pages/craftsman/round', { id: '1' })

    expect(p.texts('#committee-note')).toEqual(['您是本轮评审委员'])
    expect(p.texts('#nomination-1 .muted')).toContain('推荐人：职工王芳')
    expect(p.texts('#tally-1')).toEqual(['已评 0 人 · 同意 0 人'])
    p.fire('review-1')
    await wxs.settle()
    p.fire('comment', 'input', { value: ' 事迹突出 ' })
    p.fire('approve')
    p.fire('approve')
    await wxs.settle()

    expect(wxs.backend.calls('POST /craftsman/nominations/1/review').map(r => r.data)).toEqual([{ approve: true, comment: '事迹突出' }])
    expect(p.texts('#tally-1')).toEqual(['已评 1 人 · 同意 1 人'])
    expect(p.texts('#my-review-1')).toEqual(['我的评审：同意（事迹突出）'])
    expect(p.exists('review-1')).toBe(false)
    expect(p.exists('review-form-1')).toBe(false)
  })

  test('a rejection is sent as such; already_reviewed is shown in Chinese and the list refreshed', async () => {
    const unreviewed = craftsmanNomination({ reviews: 0, approvals: 0, shortlisted: false, my_review: null })
    let served = page([unreviewed])
    wxs.backend.on('GET /craftsman/rounds/:id/nominations', () => ({ body: served }))
    wxs.backend.on('POST /craftsman/nominations/:id/review', refusal(409, CRAFTSMAN.already_reviewed))
    const p = await open('pages/craftsman/round', { id: '1' })
    p.fire('review-1')
    await wxs.settle()
    served = copy(CRAFTSMAN.nominations_committee)
    p.fire('reject')
    await wxs.settle()

    expect(wxs.backend.calls('POST /craftsman/nominations/1/review').map(r => r.data)).toEqual([{ approve: false, comment: '' }])
    expect(wxs.toasts).toEqual(['您已评审过该推荐'])
    expect(p.texts('#my-review-1')).toEqual(['我的评审：同意（事迹突出）'])
    expect(p.exists('review-1')).toBe(false)
  })

  test('after the review closes the committee reads the tally but has nothing left to review', async () => {
    serveRound(Object.assign(copy(CRAFTSMAN.round_shortlisted), { on_committee: true }))
    wxs.backend.on('GET /craftsman/rounds/:id/nominations', { body: page([craftsmanNomination({ my_review: null })]) })
    const p = await open('pages/craftsman/round', { id: '1' })
    expect(p.texts('#tally-1')).toEqual(['已评 1 人 · 同意 1 人'])
    expect(p.exists('review-1')).toBe(false)
  })
})

describe('nominating', () => {
  beforeEach(() => serveRound(CRAFTSMAN.rounds.items[0]))

  test('myself: my id, the reason and evidence are sent, then back to the round', async () => {
    wxs.backend.on('POST /craftsman/rounds/:id/nominations', { status: 201, body: copy(CRAFTSMAN.self_nominated) })
    const p = await open('pages/craftsman/nominate', { round_id: '1' })
    expect(p.texts('#round-info')[0]).toContain('2026年度工匠之星')
    expect(sq(p.texts('#self-nominee'))).toEqual(['职工王芳总装车间'])

    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error-reason')).toEqual(['请填写推荐理由'])
    expect(wxs.backend.calls('POST /craftsman/rounds/1/nominations')).toEqual([])

    p.fire('reason', 'input', { value: '攻克多项工艺难题' })
    p.fire('evidence', 'input', { value: '三项国家专利' })
    p.fire('submit')
    await wxs.settle()
    expect(wxs.backend.calls('POST /craftsman/rounds/1/nominations').map(r => r.data)).toEqual([
      { nominee_id: ME.id, reason: '攻克多项工艺难题', evidence: '三项国家专利', photos: [] }])
    expect(wxs.toasts).toEqual(['推荐已提交'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })

  test('another member, found by name, with photos uploaded as they are picked', async () => {
    wxs.backend.on('GET /craftsman/rounds/:id/nominee-candidates', { body: copy(CRAFTSMAN.candidates) })
    wxs.backend.on('POST /uploads', { status: 201, body: copy(CRAFTSMAN.upload) })
    wxs.backend.on('POST /craftsman/rounds/:id/nominations', { status: 201, body: copy(CRAFTSMAN.nominated) })
    const p = await open('pages/craftsman/nominate', { round_id: '1' })

    p.fire('choose-other')
    await wxs.settle()
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error-nominee')).toEqual(['请搜索并选择被推荐的会员'])

    p.fire('query', 'input', { value: '工匠' })
    p.fire('search')
    await wxs.settle()
    expect(wxs.backend.calls('GET /craftsman/rounds/1/nominee-candidates')[0].query).toEqual({ q: '工匠' })
    expect(sq(p.texts('.candidate'))).toEqual(['工匠张伟数控车间·选择›', '工匠李强数控车间·选择›', '工匠赵敏数控车间·选择›'])
    p.fire('candidate-5')
    await wxs.settle()
    expect(sq(p.texts('#nominee'))).toEqual(['工匠张伟数控车间更换'])

    wxs.mediaChoices.push({ tempFiles: [{ tempFilePath: 'wxfile://tmp/lathe.jpg', size: 200000, fileType: 'image' }] })
    await p.page.onAddPhoto()
    await wxs.settle()
    expect(wxs.uploads.map(u => u.filePath)).toEqual(['wxfile://tmp/lathe.jpg'])
    expect(p.texts('#photo-count')).toEqual(['1/6'])

    p.fire('reason', 'input', { value: '三十年扎根数控一线' })
    p.fire('submit')
    await wxs.settle()
    expect(wxs.backend.calls('POST /craftsman/rounds/1/nominations').map(r => r.data)).toEqual([
      { nominee_id: 5, reason: '三十年扎根数控一线', evidence: '', photos: [PHOTO] }])
  })

  test('a photo still uploading holds the form back; already_nominated is shown in Chinese', async () => {
    wxs.backend.on('POST /uploads', { status: 201, body: copy(CRAFTSMAN.upload), delay: 60 })
    wxs.backend.on('POST /craftsman/rounds/:id/nominations', refusal(409, CRAFTSMAN.already_nominated))
    const p = await open('pages/craftsman/nominate', { round_id: '1' })
    p.fire('reason', 'input', { value: '技术骨干' })
    wxs.mediaChoices.push({ tempFiles: [{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000, fileType: 'image' }] })
    const adding = p.page.onAddPhoto()
    await wxs.settle.until(() => p.page.data.photos.length === 1)
    await p.page.onSubmit()
    expect(p.texts('#error')).toEqual(['照片正在上传，请稍候'])
    expect(wxs.backend.calls('POST /craftsman/rounds/1/nominations')).toEqual([])

    await adding
    await wxs.settle()
    p.fire('submit')
    await wxs.settle()
    expect(wxs.backend.calls('POST /craftsman/rounds/1/nominations')).toHaveLength(1)
    expect(p.texts('#error')).toEqual(['该会员本年度已被推荐'])
    expect(p.prop('submit', 'disabled')).toBe(false)
  })

  test('a round past its nominations takes none', async () => {
    serveRound(CRAFTSMAN.round_voting)
    const p = await open('pages/craftsman/nominate', { round_id: '1' })
    expect(p.texts('#load-error')).toEqual(['本轮推荐已截止'])
    expect(p.prop('submit', 'disabled')).toBe(true)
  })
})

describe('the winners', () => {
  test('a year\'s winners (the published notice\'s page) by rank', async () => {
    const p = await open('pages/craftsman/winners', { year: '2026' })
    expect(wxs.backend.calls('GET /craftsman/winners')[0].query).toMatchObject({ year: '2026' })
    expect(p.texts('#heading')).toEqual(['2026 年度工匠之星'])
    expect(sq(p.texts('.winner .rank'))).toEqual(['第1名', '第2名', '第3名'])
    p.fire('winner-1')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/craftsman/winner?id=1' }])
  })

  test('a winner\'s page: name, department, rank, votes, reason, evidence, and the photos with preview', async () => {
    wxs.backend.on('GET /craftsman/winners/:id', { body: copy(CRAFTSMAN.winner) })
    const p = await open('pages/craftsman/winner', { id: '1' })

    expect(p.texts('#name')).toEqual(['工匠张伟'])
    expect(p.texts('#department')).toEqual(['数控车间'])
    expect(p.texts('#rank')).toEqual(['2026 年度工匠之星 · 第 1 名 · 1 票'])
    expect(p.texts('#reason')).toEqual(['三十年扎根数控一线'])
    expect(p.texts('#evidence')).toEqual(['省级技能大赛一等奖'])
    const shown = p.page.data.photos[PHOTO].path
    expect(shown).toMatch(/^wxfile:/)
    expect(p.comp.querySelector('#image-0 .thumb').data.src).toBe(shown)
    p.page.onPreview({ currentTarget: { dataset: { path: shown } } })
    expect(wxs.previews).toEqual([{ current: shown, urls: [shown] }])
  })

  test('an unknown winner says so', async () => {
    wxs.backend.on('GET /craftsman/winners/:id', error(404, 'not_found'))
    const p = await open('pages/craftsman/winner', { id: '99' })
    expect(p.texts('#load-error')).toEqual(['该获奖者不存在'])
  })
})
