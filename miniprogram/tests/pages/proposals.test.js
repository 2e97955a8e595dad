const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { proposal, proposalStep, congressSession, page, error } = require('../helpers/contract')

// The suite's clock: 2026-11-25 12:00 in Shanghai (tests/helpers/clock.js); the session closes on 12-10.
let wxs
let current // the proposal as the fake server has it (as its proposer sees it)

// Rendered text with all spacing dropped (adjacent WXML nodes run together in textContent).
const sq = list => list.map(t => t.replace(/\s+/g, ''))

const ZHANG = { id: 12, employee_no: 'E1012', name: '张伟', department: '机加车间', roles: ['member'] }

const CLOSED = congressSession({ id: 2, name: '第五届职代会第二次会议', closes_at: '2025-12-10T18:00:00+08:00', open: false })

/** The member a request comes from (the fake sign-in's token is token-of-ID). */
function caller(req) {
  return Number(String(req.headers.Authorization || '').replace('Bearer token-of-', ''))
}

/**
 * A proposal as the server answers the caller: mine and cosigned are the caller's, and a confidential one hides
 * its proposer, co-signers and their timeline steps from anyone but its proposer (presenters.py).
 */
function seenBy(p, req) {
  const me = caller(req)
  const mine = !!(p.proposer && p.proposer.id === me)
  const cosigned = (p.cosigners || []).some(c => c.id === me)
  if (!p.confidential || mine || !p.proposer) return Object.assign({}, p, { mine, cosigned })
  const hidden = new Set([p.proposer.id, ...(p.cosigners || []).map(c => c.id)])
  return Object.assign({}, p, {
    mine, cosigned, proposer: null, cosigners: null,
    timeline: p.timeline.map(step => (step.actor && hidden.has(step.actor.id) ? Object.assign({}, step, { actor: null }) : step)),
  })
}

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  current = proposal()
  // A draft is visible to its proposer and co-signers only (and to staff, and through an invitation).
  wxs.backend.on('GET /proposals/:id', req => {
    if (req.params.id !== String(current.id)) return error(404, 'not_found', '提案不存在')
    const seen = seenBy(current, req)
    return current.status === 'draft' && !seen.mine && !seen.cosigned ? error(404, 'not_found', '提案不存在') : { body: seen }
  })
  wxs.backend.on('GET /proposal-invites/:token', req => (req.params.token === 'tok-abc'
    ? { body: seenBy(current, req) } : error(400, 'invalid_token', '邀请链接无效，请让提案人重新分享')))
  wxs.backend.on('GET /congress-sessions', { body: page([congressSession(), CLOSED]) })
  wxs.backend.on('GET /congress-sessions/:id', req => ({ body: req.params.id === '2' ? CLOSED : congressSession() }))
})

describe('the fixtures', () => {
  // tests/fixtures/proposals.json holds real server answers; tests/proposals/test_miniprogram_fixture.py checks
  // it against the server, and this checks the suite's fixtures against it.
  const REAL = require('../fixtures/proposals.json')
  const keys = o => Object.keys(o).sort()

  test('have the keys of the server\'s answers', () => {
    expect(keys(congressSession())).toEqual(keys(REAL.session))
    expect(keys(proposal())).toEqual(keys(REAL.proposal))
    expect(keys(proposal().proposer)).toEqual(keys(REAL.proposal.proposer))
    expect(keys(proposalStep())).toEqual(keys(REAL.proposal.timeline[0]))
    expect(keys(proposalStep().actor)).toEqual(keys(REAL.proposal.timeline[0].actor))
    expect(keys(REAL.not_enough_cosigners.error.details)).toEqual(['cosigners', 'required'])
  })
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
    expect(p.texts('#session-info')).toEqual(['第五届职代会第三次会议 · 征集截止 12月10日 周四 18:00 · 提交前需 2 人附议'])
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
    expect(wxs.backend.calls('GET /congress-sessions/3')).toHaveLength(1)
    expect(p.texts('#session-info')).toEqual(['第五届职代会第三次会议 · 征集截止 12月10日 周四 18:00 · 提交前需 2 人附议'])
    p.fire('department', 'input', { value: '后勤保障部' })
    p.fire('save')
    await wxs.settle()

    expect(wxs.backend.calls('PATCH /proposals/901').map(r => r.data.department)).toEqual(['后勤保障部'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })
})

describe('co-signing', () => {
  test('the invitation page (a card or a notice) opens the proposal with its token', async () => {
    wxs.signIn(ZHANG)
    await open('pages/proposals/cosign', { token: 'tok-abc' })
    expect(wxs.navigations).toEqual([{ type: 'redirectTo', url: '/pages/proposals/detail?invite=tok-abc' }])

    const missing = await open('pages/proposals/cosign', {})
    expect(missing.texts('#missing')).toEqual(['邀请链接无效，请让提案人重新分享'])
  })

  test('a member holding a card reads the draft through the invitation and co-signs with its token', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', req => {
      current = proposal({ cosigners: [{ id: 12, name: '张伟', department: '机加车间' }], cosigners_count: 1 })
      return { status: 201, body: seenBy(current, req) }
    })
    const p = await open('pages/proposals/detail', { invite: 'tok-abc' })
    // The draft is not theirs to read without the card: the page reads it through the invitation.
    expect(wxs.backend.calls('GET /proposals/901')).toEqual([])
    expect(wxs.backend.calls('GET /proposal-invites/tok-abc')).toHaveLength(1)
    expect(p.text()).toContain('邀请您附议')
    expect(p.text()).toContain('征集截止 12月10日 周四 18:00')

    p.fire('cosign')
    p.fire('cosign')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/cosign').map(r => r.data)).toEqual([{ invite: 'tok-abc' }])
    expect(p.exists('invitation')).toBe(false)
    expect(p.texts('#cosigner-names')).toEqual(['张伟'])
    expect(p.exists('withdraw')).toBe(true)
  })

  test('co-signing again answers 您已附议', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', () => {
      current = proposal({ cosigners: [{ id: 12, name: '张伟', department: '机加车间' }], cosigners_count: 1 })
      return error(409, 'already_cosigned', '您已附议过该提案')
    })
    const p = await open('pages/proposals/detail', { invite: 'tok-abc' })
    p.fire('cosign')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['您已附议'])
    expect(p.exists('withdraw')).toBe(true)
  })

  test('a forged or broken invitation says so', async () => {
    wxs.signIn(ZHANG)
    const p = await open('pages/proposals/detail', { invite: 'tok-forged' })
    expect(p.texts('#load-error')).toEqual(['邀请链接无效，请让提案人重新分享'])
  })

  test('a co-signer withdraws while the proposal is a draft, after confirming', async () => {
    wxs.signIn(ZHANG)
    current = proposal({ cosigners: [{ id: 12, name: '张伟', department: '机加车间' }], cosigners_count: 1 })
    wxs.backend.on('DELETE /proposals/:id/cosign', req => {
      current = proposal()
      return { body: seenBy(current, req) }
    })
    wxs.modalAnswers.push({ confirm: true, cancel: false })
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('withdraw')
    await wxs.settle()

    expect(wxs.backend.calls('DELETE /proposals/901/cosign')).toHaveLength(1)
    // The answer shows the draft: reading it again would be refused (no longer a co-signer, no card).
    expect(p.exists('withdraw')).toBe(false)
    expect(p.texts('#cosigner-names')).toEqual(['暂无'])
    expect(p.exists('load-error')).toBe(false)

    current = proposal({ status: 'submitted', cosigners: [{ id: 12, name: '张伟', department: '机加车间' }], cosigners_count: 1 })
    await p.page.reload()
    await wxs.settle()
    expect(p.exists('withdraw')).toBe(false)
  })

  test('the proposer invites by name and shares a card carrying an invitation token', async () => {
    wxs.backend.on('POST /proposals/:id/invite', req => {
      const token = req.data.member_ids ? 'tok-m' : 'tok-card'
      return { body: { token, page: `pages/proposals/cosign?token=${token}` } }
    })
    wxs.backend.on('GET /proposals/:id/cosigner-candidates', req => ({ body: { items: [{ id: 12, name: '张伟', department: '机加车间' }].filter(c => c.name.includes(req.query.q)) } }))
    const p = await open('pages/proposals/detail', { id: '901' })

    // The card opens the page the server named for the invitation.
    expect(p.page.onShareAppMessage()).toEqual({ title: '邀请您附议：夜班职工通勤班车', path: 'pages/proposals/cosign?token=tok-card' })

    p.fire('query', 'input', { value: '张' })
    p.fire('search')
    await wxs.settle()
    expect(p.texts('#candidate-12')).toEqual(['张伟机加车间 · 邀请 ›'])
    p.fire('candidate-12')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/invite').map(r => r.data)).toEqual([{}, { member_ids: [12] }])
    expect(p.exists('candidate-12')).toBe(false)
    expect(wxs.toasts).toEqual(['已发送附议邀请'])
  })
  test('a card shared before the token came back waits for it', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { body: { token: 'tok-late', page: 'pages/proposals/cosign?token=tok-late' }, delay: 50 })
    const p = loadPage('pages/proposals/detail')
    await p.page.onLoad({ id: '901' })

    const card = p.page.onShareAppMessage()
    expect(card.path).toBe('pages/proposals/detail?id=901')
    expect(await card.promise).toEqual({ title: '邀请您附议：夜班职工通勤班车', path: 'pages/proposals/cosign?token=tok-late' })
    expect(wxs.backend.calls('POST /proposals/901/invite')).toHaveLength(1)
  })

  test('an invitation to a proposal already submitted offers no co-signing, and a late tap says why', async () => {
    wxs.signIn(ZHANG)
    wxs.backend.on('POST /proposals/:id/cosign', error(409, 'invalid_transition'))
    const p = await open('pages/proposals/detail', { invite: 'tok-abc' })
    current = proposal({ status: 'submitted', cosigners_count: 2, cosigners: [{ id: 13, name: '李娜', department: '质检部' }, { id: 14, name: '陈静', department: '总装车间' }] })
    p.fire('cosign')
    await wxs.settle()
    expect(wxs.toasts).toEqual(['提案状态已变化，请刷新后查看'])

    await p.page.reload()
    await wxs.settle()
    expect(p.exists('invitation')).toBe(false)
    expect(p.exists('cosign-plain')).toBe(false)
  })

  test('the proposer is offered no co-signing of their own proposal', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { body: { token: 't', page: 'pages/proposals/cosign?token=t' } })
    const p = await open('pages/proposals/detail', { invite: 'tok-abc' })
    expect(p.exists('invitation')).toBe(false)
    expect(p.exists('cosign-plain')).toBe(false)
    expect(p.exists('proposer-actions')).toBe(true)
  })
})

describe('submitting', () => {
  test('below the threshold the member is told how many co-signers are still needed', async () => {
    current = proposal({ cosigners: [{ id: 12, name: '张伟', department: '机加车间' }], cosigners_count: 1 })
    wxs.backend.on('POST /proposals/:id/invite', { body: { token: 't', page: 'pages/proposals/cosign?token=t' } })
    wxs.backend.on('POST /proposals/:id/submit', error(409, 'not_enough_cosigners', '附议人数不足：需要 2 人，目前 1 人', { required: 2, cosigners: 1 }))
    const p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#needed')).toEqual(['还需 1 人附议才能提交'])
    expect(sq(p.texts('#cosigners .section-label'))).toEqual(['附议人（1/需2）'])

    p.fire('submit')
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /proposals/901/submit')).toHaveLength(1)
    expect(wxs.toasts).toEqual(['附议人数不足（还需 1 人）'])
  })

  test('the count in the refusal\'s details wins over the page\'s own', async () => {
    wxs.backend.on('POST /proposals/:id/invite', { body: { token: 't', page: 'pages/proposals/cosign?token=t' } })
    wxs.backend.on('POST /proposals/:id/submit', error(409, 'not_enough_cosigners', '', { required: 3, cosigners: 0 }))
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('submit')
    await wxs.settle()

    expect(wxs.toasts).toEqual(['附议人数不足（还需 3 人）'])
  })

  test('with enough co-signers the proposal is submitted', async () => {
    current = proposal({ cosigners: [{ id: 12, name: '张伟', department: '机加车间' }, { id: 13, name: '李娜', department: '质检部' }], cosigners_count: 2 })
    wxs.backend.on('POST /proposals/:id/invite', { body: { token: 't', page: 'pages/proposals/cosign?token=t' } })
    wxs.backend.on('POST /proposals/:id/submit', () => ({ body: Object.assign({}, current, { status: 'submitted' }) }))
    const p = await open('pages/proposals/detail', { id: '901' })
    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#status')).toEqual(['待审查'])
    expect(p.exists('proposer-actions')).toBe(false)
  })
})

describe('the public list', () => {
  test('shows status, the proposer or 保密, the lead department and overdue ones', async () => {
    wxs.backend.on('GET /proposals', req => ({ body: page(req.query.session_id === '3' ? [
      proposal({ id: 1, status: 'assigned', lead_department: '行政部', overdue: true, mine: false, proposer: { id: 20, name: '刘洋', department: '设备部' } }),
      proposal({ id: 2, status: 'submitted', confidential: true, mine: false, proposer: null, cosigners: null, cosigners_count: 2, title: '车间噪声' }),
    ] : []) }))
    const p = await open('pages/proposals/index', {})

    expect(wxs.backend.calls('GET /proposals').map(r => r.query.session_id)).toEqual(['3'])
    expect(sq(p.texts('#proposal-1'))).toEqual(['刘洋已超期已交办夜班职工通勤班车主办部门行政部'])
    expect(sq(p.texts('#proposal-2'))).toEqual(['保密待审查车间噪声'])
    expect(p.exists('new')).toBe(true)

    p.fire('session', 'change', { value: 1 })
    await wxs.settle()
    expect(p.exists('empty')).toBe(true)
    expect(p.exists('new')).toBe(false) // that session has closed
  })

  test('a confidential proposal shows 保密 on its page to others, and its proposer to the proposer', async () => {
    // The server hides the proposer everywhere, the timeline's first step included.
    current = proposal({ status: 'submitted', confidential: true, cosigners_count: 1,
      cosigners: [{ id: 13, name: '李娜', department: '质检部' }],
      timeline: [proposalStep(), proposalStep({ action: 'cosigned', actor: { id: 13, name: '李娜', department: '质检部' } })] })
    wxs.signIn(ZHANG)
    let p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#proposer')).toEqual(['保密'])
    expect(p.texts('#cosigner-names')).toEqual(['保密'])
    expect(p.text()).not.toContain('王芳')
    expect(p.text()).not.toContain('李娜')

    wxs.signIn(MEMBER)
    p = await open('pages/proposals/detail', { id: '901' })
    expect(p.texts('#proposer')).toEqual(['王芳'])
    expect(p.texts('#cosigner-names')).toEqual(['李娜'])
    expect(p.texts('#confidential')).toEqual(['保密提案'])
  })

  test('我的提案 tells mine from the ones I co-signed', async () => {
    wxs.backend.on('GET /me/proposals', { body: page([proposal({ id: 1 }),
      proposal({ id: 2, mine: false, cosigned: true, proposer: { id: 20, name: '刘洋', department: '设备部' } })]) })
    const p = await open('pages/proposals/mine', {})

    expect(p.texts('#role-1')).toEqual(['我提出的'])
    expect(p.texts('#role-2')).toEqual(['我附议的'])
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
      report: '班车已于 11 月 25 日开通，每晚 23:15 发车。',
      cosigners: [{ id: 12, name: '张伟', department: '机加车间' }, { id: 13, name: '李娜', department: '质检部' }],
      cosigners_count: 2,
      timeline: [
        proposalStep(),
        proposalStep({ at: '2026-11-24T16:00:00+08:00', actor: { id: 30, name: '赵干事', department: '工会' }, action: 'update',
          body: '班车线路已确定。', images: ['/api/v1/uploads/i1', '/api/v1/uploads/i2'], video_url: 'https://video.example.cn/v/77' }),
        // A department head's step, through the signed link: the department, no actor.
        proposalStep({ at: '2026-11-24T18:00:00+08:00', actor: null, department: '行政部', action: 'answered', body: '已与公交公司签约。' }),
        proposalStep({ at: '2026-11-25T10:00:00+08:00', actor: { id: 30, name: '赵干事', department: '工会' }, action: 'completed', body: null }),
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

    expect(sq(p.texts('#step-1 .step-head'))).toEqual(['办理进展赵干事'])
    expect(sq(p.texts('#step-2 .step-head'))).toEqual(['部门答复行政部'])
    expect(p.texts('#step-2')[0]).toContain('已与公交公司签约。')
    expect(sq(p.texts('#step-3 .step-head'))).toEqual(['办结赵干事'])

    expect(p.texts('#report-body')).toEqual(['班车已于 11 月 25 日开通，每晚 23:15 发车。'])
    expect(p.texts('#grade')).toEqual(['评定 A（优秀）'])
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
