const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { COUNCIL, copy, councilTopic, councilIdea, page, error } = require('../helpers/contract')
const APP = require('../../app.json')

// The worker council's pages on the server's real answers (tests/fixtures/council.json): the member signed in is
// the one those answers were made for (职工王芳 of 机修车间, who supports idea 1 and wrote idea 3).
let wxs
let ideas // the topic's ideas as the fake server has them, for the member signed in

const ME = Object.assign({}, MEMBER, { id: COUNCIL.idea_posted.author.id, name: '职工王芳', department: '机修车间' })
const sq = list => list.map(t => t.replace(/\s+/g, ''))

/** The fixture's answer to a refused call ({"error": …}) as a route's answer. */
const refusal = (status, answer) => ({ status, body: copy(answer) })

beforeEach(() => {
  wxs = installWx()
  wxs.signIn(ME)
  ideas = copy(COUNCIL.ideas.items)
  wxs.backend.on('GET /council/representatives', { body: copy(COUNCIL.representatives) })
  wxs.backend.on('GET /council/topics', { body: copy(COUNCIL.topics) })
  wxs.backend.on('GET /council/topics/:id', req => (req.params.id === '1' ? { body: councilTopic() } : error(404, 'not_found', '议题不存在')))
  wxs.backend.on('GET /council/topics/:id/ideas', req => {
    const items = req.query.sort === 'new' ? ideas.slice().reverse() : ideas.slice().sort((a, b) => b.supports - a.supports || a.id - b.id)
    return { body: page(items) }
  })
})

async function open(route, query) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('the fixture', () => {
  test('the topic notices open a page of the mini-program, the one these tests open', () => {
    const [route, query] = COUNCIL.topic_notice_page.split('?')
    expect(route).toBe('pages/council/topic')
    expect(query).toBe(`id=${COUNCIL.topic.id}`)
    expect(APP.pages).toEqual(expect.arrayContaining(['pages/council/index', 'pages/council/topic']))
  })
})

describe('the council page', () => {
  test('lists the topics, latest month first, open or closed, and who represents my department', async () => {
    const closed = Object.assign(copy(COUNCIL.closed_topic), { id: 2, month: '2026-11', title: '班车线路', selected: [] })
    wxs.backend.on('GET /council/topics', { body: page([COUNCIL.topics.items[0], closed]) })
    wxs.backend.on('GET /council/representatives', { body: { items: [
      { department: '质检中心', member: { id: 9, name: '代表赵六' }, appointed_at: COUNCIL.representatives.items[0].appointed_at },
      COUNCIL.representatives.items[0],
    ] } })
    const p = await open('pages/council/index', {})

    expect(sq(p.texts('.topic .month'))).toEqual(['2026年12月', '2026年11月'])
    expect(sq(p.texts('.topic .badge'))).toEqual(['征集中', '已截止'])
    expect(p.texts('#topic-1 .meta')[0]).toContain('3 条建议')
    expect(p.texts('#my-representative')).toEqual(['本部门（机修车间）代表：代表张三'])
    expect(p.exists('representative-list')).toBe(false)
    p.fire('toggle-representatives')
    await wxs.settle()
    expect(sq(p.texts('.rep-row'))).toEqual(['质检中心代表赵六', '机修车间代表张三'])

    p.fire('topic-1')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/council/topic?id=1' }])
  })

  test('a department without a representative says so', async () => {
    wxs.signIn(Object.assign({}, ME, { department: '后勤保障部' }))
    const p = await open('pages/council/index', {})
    expect(p.texts('#no-representative')).toEqual(['本部门（后勤保障部）暂未确定职工代表'])
  })
})

describe('a topic', () => {
  test('shows the topic, the published selection with management\'s answer, and the ideas by support', async () => {
    const p = await open('pages/council/topic', { id: '1' })

    expect(p.texts('#title')).toEqual(['食堂就餐与考勤打卡'])
    expect(p.texts('#status')).toEqual(['征集中'])
    expect(p.texts('#selected-1 .idea-title')).toEqual(['夜班增加热餐'])
    expect(p.texts('#answer-1')[0]).toContain('管理层答复')
    expect(p.texts('#answer-1')[0]).toContain('下月起夜班供应热餐')
    expect(wxs.backend.calls('GET /council/topics/1/ideas')[0].query).toMatchObject({ sort: 'support' })
    expect(p.texts('.idea .idea-title')).toEqual(['夜班增加热餐', '打卡机增加一台', '食堂增加窗口'])
    // Mine: no support button; supported: a withdraw button; others': a support button.
    expect(p.exists('support-3')).toBe(false)
    expect(p.texts('#idea-3 .muted')[0]).toContain('我的建议')
    expect(p.exists('withdraw-1')).toBe(true)
    expect(p.exists('support-2')).toBe(true)

    p.fire('sort-new')
    await wxs.settle()
    expect(wxs.backend.calls('GET /council/topics/1/ideas')[1].query).toMatchObject({ sort: 'new' })
    // The order as the page holds it: miniprogram-simulate's keyed list does not move rendered nodes on a
    // reorder (WeChat does), so the rendered order is not the thing to read here.
    expect(p.page.data.items.map(i => i.title)).toEqual(['食堂增加窗口', '打卡机增加一台', '夜班增加热餐'])
  })

  test('support and withdraw: the count follows the server\'s answer, and a second tap sends nothing', async () => {
    wxs.backend.on('POST /council/ideas/:id/support', () => ({
      status: 201, body: Object.assign(copy(COUNCIL.withdrawn), { supports: 1, supported: true }), delay: 20,
    }))
    wxs.backend.on('DELETE /council/ideas/:id/support', { body: copy(COUNCIL.withdrawn) })
    const p = await open('pages/council/topic', { id: '1' })
    expect(p.texts('#supports-2')).toEqual(['0 人支持'])

    p.fire('support-2')
    p.page.onSupport({ currentTarget: { dataset: { id: 2 } } })
    await wxs.settle()
    expect(wxs.backend.calls('POST /council/ideas/2/support')).toHaveLength(1)
    expect(p.texts('#supports-2')).toEqual(['1 人支持'])
    expect(p.exists('support-2')).toBe(false)

    p.fire('withdraw-2')
    await wxs.settle()
    expect(wxs.backend.calls('DELETE /council/ideas/2/support')).toHaveLength(1)
    expect(p.texts('#supports-2')).toEqual(['0 人支持'])
    expect(p.exists('support-2')).toBe(true)
    expect(wxs.toasts).toEqual([])
  })

  test('the server\'s refusals are shown in Chinese: own_idea, already_supported (then refreshed)', async () => {
    const p = await open('pages/council/topic', { id: '1' })
    wxs.backend.on('POST /council/ideas/:id/support', refusal(409, COUNCIL.own_idea))
    await p.page.onSupport({ currentTarget: { dataset: { id: 3 } } })
    await wxs.settle()
    expect(wxs.toasts).toEqual(['不能支持自己提出的建议'])

    // Supported meanwhile on another device: the list is fetched again and shows it supported.
    wxs.backend.on('POST /council/ideas/:id/support', refusal(409, COUNCIL.already_supported))
    ideas[1] = Object.assign(ideas[1], { supports: 1, supported: true })
    const before = wxs.backend.calls('GET /council/topics/1/ideas').length
    p.fire('support-2')
    await wxs.settle()
    expect(wxs.toasts[1]).toBe('您已支持过这条建议')
    expect(wxs.backend.calls('GET /council/topics/1/ideas')).toHaveLength(before + 1)
    expect(p.exists('withdraw-2')).toBe(true)

    // Without the server's message, the page's own words.
    wxs.backend.on('POST /council/ideas/:id/support', error(409, 'own_idea'))
    await p.page.onSupport({ currentTarget: { dataset: { id: 3 } } })
    expect(wxs.toasts[2]).toBe('不能支持自己提出的建议')
  })

  test('topic_closed: the page learns the topic has closed, with no form and no support buttons', async () => {
    const p = await open('pages/council/topic', { id: '1' })
    expect(p.exists('post')).toBe(true)
    wxs.backend.on('POST /council/ideas/:id/support', refusal(409, COUNCIL.topic_closed))
    wxs.backend.on('GET /council/topics/:id', { body: copy(COUNCIL.closed_topic) })
    p.fire('support-2')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['本议题已截止征集'])
    expect(p.texts('#status')).toEqual(['已截止'])
    expect(p.exists('post')).toBe(false)
    expect(p.exists('closed-note')).toBe(true)
    expect(p.exists('support-2')).toBe(false)
    expect(p.exists('withdraw-1')).toBe(false)
  })

  test('posting an idea: missing fields named, sent once, then shown newest first', async () => {
    wxs.backend.on('POST /council/topics/:id/ideas', req => {
      ideas.push(Object.assign(copy(COUNCIL.idea_posted), { id: 4 }, req.data))
      return { status: 201, body: ideas[ideas.length - 1], delay: 20 }
    })
    const p = await open('pages/council/topic', { id: '1' })
    p.fire('submit-idea')
    await wxs.settle()
    expect(wxs.backend.calls('POST /council/topics/1/ideas')).toEqual([])
    expect(p.texts('#error-title')).toEqual(['请填写建议标题'])
    expect(p.texts('#error-body')).toEqual(['请写明您的建议'])

    p.fire('idea-title', 'input', { value: ' 错峰就餐 ' })
    p.fire('idea-body', 'input', { value: '各车间错开十分钟' })
    p.fire('submit-idea')
    p.fire('submit-idea')
    await wxs.settle()

    expect(wxs.backend.calls('POST /council/topics/1/ideas').map(r => r.data)).toEqual([{ title: '错峰就餐', body: '各车间错开十分钟' }])
    expect(wxs.toasts).toEqual(['建议已提交'])
    expect(p.page.data.title).toBe('')
    expect(p.texts('#closes')[0]).toContain('共 4 条建议')
    expect(wxs.backend.calls('GET /council/topics/1/ideas').pop().query).toMatchObject({ sort: 'new' })
    expect(p.page.data.items[0].title).toBe('错峰就餐')
  })

  test('a closed topic takes no ideas; an unknown one says so', async () => {
    wxs.backend.on('GET /council/topics/:id', { body: copy(COUNCIL.closed_topic) })
    const p = await open('pages/council/topic', { id: '1' })
    expect(p.exists('post')).toBe(false)
    expect(p.texts('#closed-note')[0]).toContain('已截止征集')

    wxs.backend.on('GET /council/topics/:id', error(404, 'not_found'))
    const missing = await open('pages/council/topic', { id: '99' })
    expect(missing.texts('#load-error')).toEqual(['该议题或建议不存在'])
  })
})
