const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { proposal, congressSession, page, error } = require('../helpers/contract')

// The suite's clock: 2026-11-25 12:00 in Shanghai (tests/helpers/clock.js); the session closes on 12-10.
let wxs
let current // the proposal as the fake server has it

// Rendered text with all spacing dropped (adjacent WXML nodes run together in textContent).
const sq = list => list.map(t => t.replace(/\s+/g, ''))

const ZHANG = { id: 12, employee_no: 'E1012', name: '张伟', department: '机加车间', roles: ['member'] }

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  current = proposal()
  wxs.backend.on('GET /proposals/:id', req => (req.params.id === String(current.id) ? { body: current } : error(404, 'not_found', '')))
  wxs.backend.on('GET /congress-sessions', { body: page([congressSession(), congressSession({ id: 2, name: '第五届职代会第二次会议', closes_at: '2025-12-10T18:00:00+08:00' })]) })
})

async function open(route, query) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('drafting', () => {
  test('shows the session\'s close time and the co-signers it needs, and names every missing field', async () => {
    const p = await open('pages/proposals/edit', { session_id: '3' })
    expect(p.texts('#session-info')).toEqual(['第五届职代会第三次会议 · 征集截止 12月10日 周四 18:00 · 提交前需 2 人联名'])
    expect(p.texts('#confidential-hint')).toEqual(['保密提案：提案人姓名不公开'])

    p.fire('title', 'input', { value: '夜班职工通勤班车' })
    p.fire('save')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals')).toEqual([])
    expect(p.exists('error-title')).toBe(false)
    expect(p.texts('#error-problem')).toEqual(['请写明存在的问题'])
    expect(p.texts('#error-solution')).toEqual(['请写明解决建议'])
    expect(p.texts('#error-department')).toEqual(['请填写责任部门'])
  })

  test('a draft is sent once however often the button is tapped, then its page opens', async () => {
    wxs.backend.on('POST /proposals', req => ({ status: 201, body: proposal(Object.assign({ id: 950 }, req.data)), delay: 20 }))
    const p = await open('pages/proposals/edit', { session_id: '3' })
    p.fire('title', 'input', { value: '夜班职工通勤班车' })
    p.fire('problem', 'input', { value: '夜班下班后没有公交。' })
    p.fire('solution', 'input', { value: '开通厂区班车。' })
    p.fire('department', 'input', { value: '行政部' })
    p.fire('deadline', 'change', { value: '2027-03-31' })
    p.fire('confidential', 'change', { value: true })
    p.fire('save')
    p.fire('save')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals').map(r => r.data)).toEqual([{
      session_id: 3, title: '夜班职工通勤班车', problem: '夜班下班后没有公交。', solution: '开通厂区班车。',
      department: '行政部', deadline: '2027-03-31', confidential: true,
    }])
    expect(wxs.navigations).toEqual([{ type: 'redirectTo', url: '/pages/proposals/detail?id=950' }])
  })

  test('the server\'s field errors are shown under their fields', async () => {
    wxs.backend.on('POST /proposals', error(400, 'invalid_request', '', { fields: { title: '长度不能超过 100 个字符' } }))
    const p = await open('pages/proposals/edit', { session_id: '3' })
    for (const [id, value] of [['title', '标题'], ['problem', '问题'], ['solution', '建议'], ['department', '行政部']]) p.fire(id, 'input', { value })
    p.fire('save')
    await wxs.settle()

    expect(p.texts('#error-title')).toEqual(['长度不能超过 100 个字符'])
    expect(wxs.toasts).toEqual(['标题：长度不能超过 100 个字符'])
  })

  test('a draft is changed with PATCH and its fields come prefilled', async () => {
    wxs.backend.on('PATCH /proposals/:id', req => ({ body: Object.assign({}, current, req.data) }))
    const p = await open('pages/proposals/edit', { id: '901' })
    expect(p.page.data.title).toBe('夜班职工通勤班车')
    p.fire('department', 'input', { value: '后勤保障部' })
    p.fire('save')
    await wxs.settle()

    expect(wxs.backend.calls('PATCH /proposals/901').map(r => r.data.department)).toEqual(['后勤保障部'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })
})

describe('co-signing', () => {
  test('a member opening a shared card is invited and co-signs with the card\'s token', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', () => {
      current = proposal({ cosigners: [{ id: 12, name: '张伟' }], cosigner_count: 1 })
      return { status: 201, body: {} }
    })
    const p = await open('pages/proposals/detail', { id: '901', invite: 'tok-abc' })
    expect(p.text()).toContain('邀请您联名')

    p.fire('cosign')
    p.fire('cosign')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/cosign').map(r => r.data)).toEqual([{ token: 'tok-abc' }])
    expect(p.exists('invitation')).toBe(false)
    expect(p.texts('#cosigner-names')).toEqual(['张伟'])
    expect(p.exists('withdraw')).toBe(true)
  })

  test('co-signing again answers 您已联名', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', () => {
      current = proposal({ cosigners: [{ id: 12, name: '张伟' }], cosigner_count: 1 })
      return error(409, 'already_cosigned')
    })
    const p = await open('pages/proposals/detail', { id: '901', invite: 'tok-abc' })
    p.fire('cosign')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['您已联名'])
  })

  test('a co-signer withdraws while the proposal is a draft, after confirming', async () => {
    wxs.signIn(ZHANG)
    current = proposal({ cosigners: [{ id: 12, name: '张伟' }], cosigner_count: 1 })
    wxs.backend.on('DELETE /proposals/:id/cosign', () => {
      current = proposal()
      return { status: 204, body: '' }
    })
    wxs.modalAnswers.push({ confirm: true, cancel: false })
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('withdraw')
    await wxs.settle()

    expect(wxs.backend.calls('DELETE /proposals/901/cosign')).toHaveLength(1)
    expect(p.exists('withdraw')).toBe(false)

    current = proposal({ status: 'submitted', cosigners: [{ id: 12, name: '张伟' }], cosigner_count: 1 })
    await p.page.reload()
    await wxs.settle()
    expect(p.exists('withdraw')).toBe(false)
  })

  test('the proposer invites by name and shares a card carrying an invitation token', async () => {
    wxs.backend.on('POST /proposals/:id/invite', req => ({ status: 201, body: { token: req.data.member_id ? 'tok-m' : 'tok-card' } }))
    wxs.backend.on('GET /proposals/:id/cosigner-candidates', req => ({ body: { items: [{ id: 12, name: '张伟', department: '机加车间' }].filter(c => c.name.includes(req.query.q)) } }))
    const p = await open('pages/proposals/detail', { id: '901' })

    expect(p.page.onShareAppMessage()).toEqual({ title: '邀请您联名：夜班职工通勤班车', path: 'pages/proposals/detail?id=901&invite=tok-card' })

    p.fire('query', 'input', { value: '张' })
    p.fire('search')
    await wxs.settle()
    expect(p.texts('#candidate-12')).toEqual(['张伟机加车间 · 邀请 ›'])
    p.fire('candidate-12')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/invite').map(r => r.data)).toEqual([{}, { member_id: 12 }])
    expect(p.exists('candidate-12')).toBe(false)
    expect(wxs.toasts).toEqual(['已发送联名邀请'])
  })
  test('a card shared before the token came back waits for it', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { status: 201, body: { token: 'tok-late' }, delay: 50 })
    const p = loadPage('pages/proposals/detail')
    await p.page.onLoad({ id: '901' })

    const card = p.page.onShareAppMessage()
    expect(card.path).toBe('pages/proposals/detail?id=901')
    expect(await card.promise).toEqual({ title: '邀请您联名：夜班职工通勤班车', path: 'pages/proposals/detail?id=901&invite=tok-late' })
    expect(wxs.backend.calls('POST /proposals/901/invite')).toHaveLength(1)
  })

  test('an invitation to a proposal already submitted offers no co-signing, and a late tap says why', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', error(409, 'invalid_transition'))
    const p = await open('pages/proposals/detail', { id: '901', invite: 'tok-abc' })
    current = proposal({ status: 'submitted', cosigner_count: 2, cosigners: [{ id: 13, name: '李娜' }, { id: 14, name: '陈静' }] })
    p.fire('cosign')
    await wxs.settle()
    expect(wxs.toasts).toEqual(['提案状态已变化，请刷新后查看'])

    await p.page.reload()
    await wxs.settle()
    expect(p.exists('invitation')).toBe(false)
    expect(p.exists('cosign-plain')).toBe(false)
  })

  test('the proposer is offered no co-signing of their own proposal', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { status: 201, body: { token: 't' } })
    const p = await open('pages/proposals/detail', { id: '901', invite: 'tok-abc' })
    expect(p.exists('invitation')).toBe(false)
    expect(p.exists('cosign-plain')).toBe(false)
    expect(p.exists('proposer-actions')).toBe(true)
  })
})

describe('submitting', () => {
  test('below the threshold the member is told how many co-signers are still needed', async () => {
    current = proposal({ cosigners: [{ id: 12, name: '张伟' }], cosigner_count: 1 })
    wxs.backend.on('POST /proposals/:id/invite', { status: 201, body: { token: 't' } })
    wxs.backend.on('POST /proposals/:id/submit', error(409, 'not_enough_cosigners'))
    const p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#needed')).toEqual(['还需 1 人联名才能提交'])

    p.fire('submit')
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/submit')).toHaveLength(1)
    expect(wxs.toasts).toEqual(['联名人数不足（还需 1 人）'])
  })

  test('the count in the refusal\'s details wins over the page\'s own', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { status: 201, body: { token: 't' } })
    wxs.backend.on('POST /proposals/:id/submit', error(409, 'not_enough_cosigners', '', { required: 3, cosigners: 0 }))
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('submit')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['联名人数不足（还需 3 人）'])
  })

  test('with enough co-signers the proposal is submitted', async () => {
    current = proposal({ cosigners: [{ id: 12, name: '张伟' }, { id: 13, name: '李娜' }], cosigner_count: 2 })
    wxs.backend.on('POST /proposals/:id/invite', { status: 201, body: { token: 't' } })
    wxs.backend.on('POST /proposals/:id/submit', () => ({ body: Object.assign({}, current, { status: 'submitted' }) }))
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#status')).toEqual(['已提交'])
    expect(p.exists('proposer-actions')).toBe(false)
  })
})

describe('the public list', () => {
  test('shows status, the proposer or 保密, the lead department and overdue ones', async () => {
    wxs.backend.on('GET /proposals', req => ({ body: page(req.query.session_id === '3' ? [
      proposal({ id: 1, status: 'assigned', lead_department: '行政部', overdue: true, proposer: { id: 20, name: '刘洋' } }),
      proposal({ id: 2, status: 'submitted', confidential: true, proposer: null, title: '车间噪声' }),
    ] : []) }))
    const p = await open('pages/proposals/index', {})

    expect(wxs.backend.calls('GET /proposals').map(r => r.query.session_id)).toEqual(['3'])
    expect(sq(p.texts('#proposal-1'))).toEqual(['刘洋已超期已交办夜班职工通勤班车主办部门行政部'])
    expect(sq(p.texts('#proposal-2'))).toEqual(['保密已提交车间噪声'])
    expect(p.exists('new')).toBe(true)

    p.fire('session', 'change', { value: 1 })
    await wxs.settle()
    expect(p.exists('empty')).toBe(true)
    expect(p.exists('new')).toBe(false) // that session has closed
  })

  test('a confidential proposal shows 保密 on its page to others, and its proposer to the proposer', async () => {
    // The server hides the proposer everywhere, the timeline's first step included.
    current = proposal({ status: 'submitted', confidential: true, proposer: null,
      timeline: [{ at: '2026-11-24T09:00:00+08:00', by: null, action: 'created', body: null }] })
    wxs.signIn(ZHANG)
    let p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#proposer')).toEqual(['保密'])
    expect(p.text()).not.toContain('王芳')

    wxs.signIn(MEMBER)
    current = proposal({ status: 'submitted', confidential: true })
    p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#proposer')).toEqual(['王芳'])
    expect(p.texts('#confidential')).toEqual(['保密提案'])
  })

  test('我的提案 tells mine from the ones I co-signed', async () => {
    wxs.backend.on('GET /me/proposals', { body: page([proposal({ id: 1 }), proposal({ id: 2, proposer: { id: 20, name: '刘洋' } })]) })
    const p = await open('pages/proposals/mine', {})

    expect(p.texts('#role-1')).toEqual(['我提出的'])
    expect(p.texts('#role-2')).toEqual(['我联名的'])
  })
})

describe('progress and completion', () => {
  function completed(overrides = {}) {
    return proposal(Object.assign({
      status: 'completed',
      lead_department: '行政部',
      co_departments: ['后勤保障部'],
      due_date: '2027-01-31',
      grade: 'A',
      cosigners: [{ id: 12, name: '张伟' }, { id: 13, name: '李娜' }],
      cosigner_count: 2,
      timeline: [
        { at: '2026-11-24T09:00:00+08:00', by: { name: '王芳' }, action: 'created', body: null },
        { at: '2026-11-24T16:00:00+08:00', by: { name: '赵干事' }, action: 'update', body: '班车线路已确定。',
          images: [{ id: 'i1', url: '/api/v1/uploads/i1' }, { id: 'i2', url: '/api/v1/uploads/i2' }], video_url: 'https://video.example.cn/v/77' },
        { at: '2026-11-25T10:00:00+08:00', by: { name: '赵干事' }, action: 'completed', body: '班车已于 11 月 25 日开通。' },
      ],
    }, overrides))
  }

  test('the timeline shows its pictures fetched with the token and a copyable video link', async () => {
    current = completed()
    wxs.backend.on('GET /uploads/:id', req => (req.params.id === 'i2' ? error(403, 'forbidden') : { body: 'JPEG' }))
    const p = await open('pages/proposals/detail', { id: '901' })

    expect(wxs.downloads.map(d => [d.url, d.header.Authorization])).toEqual([
      ['http://127.0.0.1:5000/api/v1/uploads/i1', 'Bearer token-of-7'],
      ['http://127.0.0.1:5000/api/v1/uploads/i2', 'Bearer token-of-7'],
    ])
    expect(p.comp.querySelector('#image-i1 .thumb').data.src).toMatch(/^wxfile:\/\/tmp\/\d+\.png$/)
    expect(p.texts('#image-i2')).toEqual(['图片加载失败'])
    expect(p.texts('#step-1')[0]).toContain('班车线路已确定。')
    p.fire('copy-video-1')
    await wxs.settle()
    expect(wxs.clipboard).toBe('https://video.example.cn/v/77')

    expect(p.texts('#report-body')).toEqual(['班车已于 11 月 25 日开通。'])
    expect(p.texts('#grade')).toEqual(['评定 A（优）'])
    expect(p.texts('#lead-department')).toEqual(['行政部'])
  })

  test('the proposer rates a completed proposal once; a double tap sends once', async () => {
    current = completed()
    wxs.backend.on('GET /uploads/:id', { body: 'JPEG' })
    wxs.backend.on('POST /proposals/:id/rating', req => {
      current = completed({ satisfaction: req.data.satisfaction })
      return { body: current, delay: 20 }
    })
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('score-4')
    p.fire('rate')
    p.fire('rate')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/rating').map(r => r.data)).toEqual([{ satisfaction: 4 }])
    expect(p.exists('rating')).toBe(false)
    expect(p.texts('#satisfaction')).toEqual(['提案人评价：4 分 满意'])
  })

  test('nobody else rates it, nor the proposer before it is completed', async () => {
    current = completed()
    wxs.backend.on('GET /uploads/:id', { body: 'JPEG' })
    wxs.signIn(ZHANG)
    let p = await open('pages/proposals/detail', { id: '901' })
    expect(p.exists('rating')).toBe(false)

    wxs.signIn(MEMBER)
    current = completed({ status: 'in_progress', grade: null, timeline: [] })
    p = await open('pages/proposals/detail', { id: '901' })
    expect(p.exists('rating')).toBe(false)
    expect(p.exists('report')).toBe(false)
  })
})

test('我的 has the 职代会提案 entry', async () => {
  wxs.backend.on('GET /me/registrations', { body: page([]) })
  const p = loadPage('pages/me/index')
  await p.page.onLoad({})
  p.fire('to-proposals')
  await wxs.settle()
  expect(wxs.navigations).toContainEqual({ type: 'navigateTo', url: '/pages/proposals/index' })
})
