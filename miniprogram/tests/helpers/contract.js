// JSON bodies shaped exactly as API.md and the server's schemas (EventOut, RegistrationOut, MemberOut,
// InboxItem, InboxPage).

function event(overrides = {}) {
  return Object.assign({
    id: 101,
    title: '职工健步走',
    description: '沿厂区绿道 5 公里，自备运动鞋。',
    kind: 'activity',
    location: '厂区东门广场',
    starts_at: '2026-12-01T09:00:00+08:00',
    ends_at: '2026-12-01T11:00:00+08:00',
    signup_opens_at: null,
    signup_closes_at: '2026-11-30T18:00:00+08:00',
    capacity: 30,
    waitlist: true,
    audience: { departments: [], grids: [], tags: [] },
    walk_in: false,
    checkin_opens_minutes_before: 60,
    checkin_closes_minutes_after: 120,
    status: 'published',
    confirmed_count: 12,
    waitlist_count: 0,
    seats_left: 18,
    my_registration: null,
  }, overrides)
}

function registration(overrides = {}) {
  return Object.assign({
    id: 5001,
    event_id: 101,
    status: 'confirmed',
    waitlist_position: null,
    created_at: '2026-11-20T10:15:00+08:00',
    checked_in_at: null,
  }, overrides)
}

function page(items, overrides = {}) {
  return Object.assign({ items, page: 1, per_page: 20, total: items.length }, overrides)
}

function notice(overrides = {}) {
  return Object.assign({
    id: 12,
    title: '关于开展冬季职工体检的通知',
    body: '各位会员：\n冬季职工体检将于12月3日开始。\n\n请携带工牌到职工医院二楼登记。',
    sent_at: '2026-11-25T09:30:00+08:00',
    read: false,
    read_at: null,
  }, overrides)
}

/** GET /me/notices: a page plus the member's unread count over all their notices. */
function inbox(items, overrides = {}) {
  return page(items, Object.assign({ unread: items.filter(n => !n.read).length }, overrides))
}

// Slot booking (CalendarOut, SlotOut, BookingOut of server/bookings/schemas.py).

function calendar(overrides = {}) {
  return Object.assign({
    id: 31,
    kind: 'health_check',
    title: '2026 年冬季职工体检',
    location: '职工医院二楼体检中心',
    host: null,
    cancel_cutoff_hours: 24,
    max_active_per_member: 1,
    audience: { departments: [], grids: [], tags: [] },
    created_at: '2026-11-10T09:00:00+08:00',
  }, overrides)
}

function slot(overrides = {}) {
  return Object.assign({
    id: 401,
    calendar_id: 31,
    starts_at: '2026-12-15T09:00:00+08:00',
    ends_at: '2026-12-15T09:30:00+08:00',
    location: '职工医院二楼体检中心',
    capacity: 3,
    booked: 1,
    seats_left: 2,
    published: true,
    status: 'open',
  }, overrides)
}

function booking(overrides = {}, cal = {}) {
  const c = calendar(cal)
  const s = overrides.slot || slot({ calendar_id: c.id })
  const cutoffMs = c.cancel_cutoff_hours * 3600 * 1000
  return Object.assign({
    id: 9001,
    slot: s,
    calendar: { id: c.id, kind: c.kind, title: c.title, location: c.location, host: c.host, cancel_cutoff_hours: c.cancel_cutoff_hours },
    status: 'booked',
    topic: null,
    created_at: '2026-11-20T10:00:00+08:00',
    cancelled_at: null,
    // starts_at minus the cut-off, as the server computes it (UTC here; the page shows it in Shanghai).
    cancel_until: new Date(Date.parse(s.starts_at) - cutoffMs).toISOString().replace('Z', '+00:00'),
  }, overrides)
}

function error(status, code, message = '', details = {}) {
  return { status, body: { error: { code, message, details } } }
}

// GET /meta/labels as the server answers it: tests/test_vocabulary.py checks this file against the server.
const LABELS = require('../fixtures/labels.json')

/**
 * The labels route as the server answers it: 200 with an ETag naming this body, or 304 with no body to
 * an If-None-Match that names it. labelsRoute(body, etag) serves other labels under another tag.
 */
function labelsRoute(body = LABELS, etag = '"labels-v1"') {
  return req => {
    const cache = { ETag: etag, 'Cache-Control': 'public, max-age=300' }
    if (req.headers['If-None-Match'] === etag) return { status: 304, body: '', headers: cache }
    return { status: 200, body, headers: cache }
  }
}

// Requests (诉求), shaped as API.md's "Requests" section, plus the fields these pages assume beyond it:
// attachments [{id, url}] (url: an authenticated GET of the photo) and raised_by ({id, name} of the liaison who
// raised it for the member, or null), as the console reads them too.
function request(overrides = {}) {
  return Object.assign({
    id: 301,
    category: 'canteen',
    title: '夜班食堂没有热饭',
    content: '夜班 22:00 以后食堂只剩凉菜，希望能保留一个热菜窗口。',
    urgent: false,
    confidential: false,
    status: 'submitted',
    grid: '第三网格',
    member: { id: 7, name: '王芳' },
    assignee: null,
    raised_by: null,
    created_at: '2026-11-24T09:00:00+08:00',
    first_response_due_at: '2026-11-25T23:59:59+08:00',
    resolve_due_at: '2026-12-08T23:59:59+08:00',
    first_response_at: null,
    resolved_at: null,
    escalation_level: 0,
    overdue: false,
    attachments: [],
    timeline: [
      { at: '2026-11-24T09:00:00+08:00', by: { id: 7, name: '王芳' }, action: 'created' },
    ],
  }, overrides)
}

// Surveys and votes as API.md's sections, plus what the member's pages assume beyond them:
// GET /surveys/{id} as a member → {id, title, description, anonymous, closes_at, questions: [{index, kind, text,
// options?, required}]}; GET /me/votes items {id, title, closes_at, voted}; GET /votes/{id} → {id, title,
// description, closes_at, max_choices, candidates: [{id, name, description, photo_url|null}]}; results may add
// "paper_ballots" (and per candidate "paper_votes") when paper ballots were counted too.
function survey(overrides = {}) {
  return Object.assign({
    id: 61,
    title: '2026 年职工需求调查',
    description: '请根据实际情况填写，约 3 分钟。',
    anonymous: false,
    closes_at: '2026-12-05T18:00:00+08:00',
    questions: [
      { index: 0, kind: 'single', text: '您的工作班次', options: ['白班', '夜班', '倒班'], required: true },
      { index: 1, kind: 'multiple', text: '您希望工会提供哪些服务', options: ['子女托管', '职工食堂', '健康体检', '技能培训'], required: true },
      { index: 2, kind: 'scale', text: '您对食堂的满意度', required: true },
      { index: 3, kind: 'text', text: '其他意见和建议', required: false },
    ],
  }, overrides)
}

function mySurvey(overrides = {}) {
  return Object.assign({ id: 61, title: '2026 年职工需求调查', anonymous: false,
    opens_at: '2026-11-20T09:00:00+08:00', closes_at: '2026-12-05T18:00:00+08:00', answered: false }, overrides)
}

function vote(overrides = {}) {
  return Object.assign({
    id: 71,
    title: '2026 年度“工匠之星”评选',
    description: '每人最多选 3 人。',
    opens_at: '2026-11-20T09:00:00+08:00',
    closes_at: '2026-12-01T18:00:00+08:00',
    max_choices: 3,
    candidates: [
      { id: 801, name: '张伟', description: '总装车间 焊工', photo_url: '/api/v1/uploads/p801' },
      { id: 802, name: '李娜', description: '质检部 质检员', photo_url: null },
      { id: 803, name: '王强', description: '机加车间 数控车工', photo_url: '/api/v1/uploads/p803' },
      { id: 804, name: '刘洋', description: '设备部 电工', photo_url: null },
      { id: 805, name: '陈静', description: '总装车间 装配工', photo_url: null },
    ],
  }, overrides)
}

function myVote(overrides = {}) {
  return Object.assign({ id: 71, title: '2026 年度“工匠之星”评选',
    opens_at: '2026-11-20T09:00:00+08:00', closes_at: '2026-12-01T18:00:00+08:00', voted: false }, overrides)
}

// Congress proposals: SessionOut and ProposalOut of server/proposals/schemas.py. The key sets and their order are
// copied from real answers of the server (GET /congress-sessions/{id}, GET /proposal-invites/{token}, made with
// Flask's test client through the API); only the values are the suite's (times in its week, its members).
function congressSession(overrides = {}) {
  return Object.assign({
    id: 3,
    name: '第五届职代会第三次会议',
    closes_at: '2026-12-10T18:00:00+08:00',
    min_cosigners: 2,
    open: true,
    assignment_due_at: '2026-12-19T00:00:00+08:00',
    proposals_count: 0,
    created_at: '2026-11-20T09:00:00+08:00',
  }, overrides)
}

/** A timeline step (TimelineOut): actor {id, name, department} or null; a head's step names its department. */
function proposalStep(overrides = {}) {
  return Object.assign({
    at: '2026-11-24T09:00:00+08:00',
    action: 'created',
    actor: { id: 7, name: '王芳', department: '机修车间' },
    department: null,
    body: null,
    images: [],
    video_url: null,
  }, overrides)
}

function proposal(overrides = {}) {
  return Object.assign({
    id: 901,
    number: '0901',
    session_id: 3,
    session_name: '第五届职代会第三次会议',
    title: '夜班职工通勤班车',
    problem: '夜班 23:00 下班后没有公交，职工只能打车。',
    solution: '开通 23:15 发车的厂区班车，途经三个生活区。',
    department: '行政部',
    deadline: '2027-03-31',
    confidential: false,
    status: 'draft',
    proposer: { id: 7, name: '王芳', department: '机修车间' },
    cosigners: [],
    cosigners_count: 0,
    min_cosigners: 2,
    mine: true,
    cosigned: false,
    created_at: '2026-11-24T09:00:00+08:00',
    submitted_at: null,
    reviewed_at: null,
    review_reason: null,
    assignment_due_at: null,
    assigned_at: null,
    lead_department: null,
    co_departments: [],
    due_date: null,
    overdue: false,
    completed_at: null,
    report: null,
    grade: null,
    satisfaction: null,
    timeline: [proposalStep()],
  }, overrides)
}

// The worker council and the craftsman star: real answers of the server (tests/fixtures/council.json and
// craftsman.json, checked against it by tests/council|craftsman/test_miniprogram_fixture.py), copied and varied.
const COUNCIL = require('../fixtures/council.json')
const CRAFTSMAN = require('../fixtures/craftsman.json')
const copy = value => JSON.parse(JSON.stringify(value))
const councilTopic = (overrides = {}) => Object.assign(copy(COUNCIL.topic), overrides)
const councilIdea = (overrides = {}) => Object.assign(copy(COUNCIL.ideas.items[1]), overrides)
const craftsmanRound = (overrides = {}) => Object.assign(copy(CRAFTSMAN.round_committee), overrides)
const craftsmanNomination = (overrides = {}) => Object.assign(copy(CRAFTSMAN.nominations_committee.items[0]), overrides)
const craftsmanWinner = (overrides = {}) => Object.assign(copy(CRAFTSMAN.winner), overrides)
// The published fund ledger (FundMonthSummary, FundMonthOut, FundVerifyOut of server/fund/schemas.py): every
// amount integer fen. tests/fixtures/fund.json holds real answers these are checked against.
function fundMonthSummary(overrides = {}) {
  return Object.assign({
    month: '2026-10',
    income_fen: 1684205700,
    expense_fen: 96024050,
    balance_fen: 1588181650,
    entries_count: 37,
    hash: 'c1a5'.repeat(16),
    prev_hash: '9a42'.repeat(16),
    published_at: '2026-11-02T10:00:00+08:00',
  }, overrides)
}

function fundMonth(overrides = {}) {
  return Object.assign(fundMonthSummary({
    month: '2026-11', income_fen: 386000, expense_fen: 131450, balance_fen: 254550, entries_count: 4,
    published_at: '2026-12-03T10:00:00+08:00',
  }), {
    by_category: [
      { category: '401', name: '会费收入', kind: 'income', amount_fen: 386000 },
      { category: '501', name: '职工活动支出', kind: 'expense', amount_fen: 123450 },
      { category: '503', name: '业务支出', kind: 'expense', amount_fen: 8000 },
    ],
    entries: [
      { id: 1, date: '2026-11-03', kind: 'income', category: '401', category_name: '会费收入', amount_fen: 386000, counterparty: '会员会费', note: '11月会费', reverses: null },
      { id: 2, date: '2026-11-05', kind: 'expense', category: '501', category_name: '职工活动支出', amount_fen: 123450, counterparty: '城东蛋糕坊', note: '生日蛋糕券', reverses: null },
      { id: 3, date: '2026-11-20', kind: 'expense', category: '503', category_name: '业务支出', amount_fen: 8880, counterparty: '文具店', note: '', reverses: null },
      { id: 4, date: '2026-11-25', kind: 'expense', category: '503', category_name: '业务支出', amount_fen: 880, counterparty: '文具店', note: '退货', reverses: 3 },
    ],
  }, overrides)
}

function fundVerify(overrides = {}) {
  return Object.assign({ ok: true, broken_at: null }, overrides)
}

function improvementEvent(overrides = {}) {
  return Object.assign({ id: 1, at: '2026-11-20T10:00:00+08:00', action: 'created', actor: { id: 1, name: '工会干事' },
    body: null }, overrides)
}

function improvement(overrides = {}) {
  return Object.assign({
    id: 31,
    title: '更衣室柜门维修',
    description: '二车间更衣室 12 个柜门损坏。',
    source: 'manual',
    audit: null,
    figure: null,
    figure_label: null,
    target: null,
    owner: { id: 7, name: '王芳' },
    due_date: '2026-11-30',
    due_at: '2026-12-01T00:00:00+08:00',
    overdue: false,
    status: 'open',
    result: null,
    cancel_reason: null,
    created_at: '2026-11-20T10:00:00+08:00',
    closed_at: null,
    events: [],
  }, overrides)
}

module.exports = {
  fundMonthSummary, fundMonth, fundVerify, improvement, improvementEvent,
  event, registration, page, notice, inbox, calendar, slot, booking, request, error, LABELS, labelsRoute,
  survey, mySurvey, vote, myVote, congressSession, proposal, proposalStep,
  COUNCIL, CRAFTSMAN, copy, councilTopic, councilIdea, craftsmanRound, craftsmanNomination, craftsmanWinner,
}
