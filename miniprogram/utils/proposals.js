// Congress proposals (职代会提案): how a Proposal from the API reads on the member's pages. Status names are the
// server's proposal_status labels; until the server serves that vocabulary (or when a value is missing) the
// Chinese names below stand in. Tones, the completion report and the invitation texts are presentation.
const { label } = require('./labels')
const { parseTime, formatDate, formatDateTime } = require('./format')

const STATUS_NAMES = {
  draft: '草稿',
  submitted: '已提交',
  accepted: '已立案',
  opinion: '转为意见',
  rejected: '不予立案',
  assigned: '已交办',
  in_progress: '办理中',
  completed: '已办结',
}

const TONES = {
  draft: 'muted',
  submitted: 'warning',
  accepted: 'info',
  opinion: 'info',
  rejected: 'muted',
  assigned: 'info',
  in_progress: 'info',
  completed: 'success',
}

// Timeline steps: the server's proposal_action labels when it has them, else these.
const ACTION_NAMES = {
  created: '起草提案',
  cosigned: '联名',
  cosign_withdrawn: '撤回联名',
  submitted: '提交提案',
  accepted: '立案',
  opinion: '转为意见',
  rejected: '不予立案',
  assigned: '交办',
  update: '办理进展',
  completed: '办结',
  rated: '提案人评价',
}

const GRADE_NAMES = { A: 'A（优）', B: 'B（良）', C: 'C（一般）' }
const SCORE_TEXTS = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

// Error codes as the proposal pages word them (the server's own message still wins when it sent one).
const MESSAGES = {
  not_found: '该提案不存在，或您无权查看',
  forbidden: '没有权限执行此操作',
  invalid_transition: '提案状态已变化，请刷新后查看',
  invalid_token: '邀请链接无效或已过期',
  token_expired: '邀请链接已过期，请联系提案人重新邀请',
  session_closed: '本次职代会提案征集已截止',
}

const FIELD_NAMES = {
  session_id: '届次',
  title: '标题',
  problem: '问题',
  solution: '建议',
  department: '责任部门',
  deadline: '办理期限',
  confidential: '保密',
  satisfaction: '满意度',
}

function named(vocab, value, fallback) {
  const text = label(vocab, value)
  return text === value && fallback[value] ? fallback[value] : text
}

function statusBadge(status) {
  return { text: named('proposal_status', status, STATUS_NAMES), tone: TONES[status] || 'muted' }
}

/** Field errors from a 400 invalid_request's details.fields, keyed by the form's field names. */
function fieldErrors(err) {
  const fields = err && err.details && err.details.fields
  if (!fields || typeof fields !== 'object') return {}
  const out = {}
  Object.keys(fields).forEach(name => { out[name.split('.')[0]] = String(fields[name]) })
  return out
}

/** "标题：不能为空；问题：…" from details.fields, or ''. */
function fieldsText(err) {
  const errors = fieldErrors(err)
  return Object.keys(errors).map(name => `${FIELD_NAMES[name] || name}：${errors[name]}`).join('；')
}

/** How many more co-signers a draft needs: from a 409 not_enough_cosigners' details when sent, else counted. */
function cosignersNeeded(proposal, details = {}) {
  if (Number.isInteger(details.needed)) return details.needed
  const required = Number.isInteger(details.required) ? details.required
    : (proposal && proposal.session && proposal.session.min_cosigners) || 0
  const have = Number.isInteger(details.cosigners) ? details.cosigners
    : Number.isInteger(details.current) ? details.current : (proposal && proposal.cosigner_count) || 0
  return Math.max(required - have, 0)
}

function proposerText(p) {
  if (p.proposer && p.proposer.name) return p.proposer.name
  return p.confidential ? '保密' : ''
}

/** A row of a list (a session's proposals, mine). */
function proposalRow(p, { me = null, now = Date.now() } = {}) {
  const mine = !!(me && p.proposer && String(p.proposer.id) === String(me.id))
  return {
    id: p.id,
    title: p.title,
    badge: statusBadge(p.status),
    proposerText: proposerText(p),
    confidential: !!p.confidential,
    leadDepartment: p.lead_department || '',
    overdue: !!p.overdue,
    cosignerCount: p.cosigner_count || 0,
    sessionName: (p.session && p.session.name) || '',
    role: mine ? '我提出的' : '我联名的',
    dueText: p.due_date ? formatDate(p.due_date, now) : '',
  }
}

function timelineView(timeline, now) {
  return (timeline || [])
    .map((step, i) => ({ step, i, t: parseTime(step.at) }))
    .sort((a, b) => (a.t - b.t) || (a.i - b.i))
    .map(({ step, i }) => ({
      key: i,
      action: step.action,
      actionText: named('proposal_action', step.action, ACTION_NAMES),
      byText: (step.by && step.by.name) || '',
      timeText: formatDateTime(step.at, now),
      body: step.body || '',
      images: (step.images || []).map(img => ({ id: img.id, url: img.url || `/uploads/${img.id}` })),
      videoUrl: step.video_url || '',
    }))
}

/** The completion report: the proposal's own report field if the server sends one, else the 办结 step's text. */
function completionReport(p) {
  if (p.status !== 'completed' && !p.grade) return null
  if (typeof p.report === 'string' && p.report) return p.report
  const done = (p.timeline || []).filter(s => s.action === 'completed').pop()
  return (done && done.body) || ''
}

/** One proposal as its page shows it, for the member me (or nobody). */
function proposalDetail(p, { me = null, now = Date.now() } = {}) {
  const myId = me ? String(me.id) : ''
  const isProposer = !!(myId && p.proposer && String(p.proposer.id) === myId)
  const cosigners = p.cosigners || []
  const cosigned = !!(myId && cosigners.some(c => String(c.id) === myId))
  const draft = p.status === 'draft'
  const session = p.session || {}
  const needed = cosignersNeeded(p)
  const report = completionReport(p)
  return Object.assign(proposalRow(p, { me, now }), {
    problem: p.problem || '',
    solution: p.solution || '',
    department: p.department || '',
    deadlineText: p.deadline ? formatDate(p.deadline, now) : '',
    coDepartments: (p.co_departments || []).join('、'),
    dueText: p.due_date ? formatDate(p.due_date, now) : '',
    assignmentDueText: p.assignment_due_at ? formatDateTime(p.assignment_due_at, now) : '',
    assignedText: p.assigned_at ? formatDateTime(p.assigned_at, now) : '',
    cosigners: cosigners.map(c => ({ id: c.id, name: c.name })),
    minCosigners: session.min_cosigners || 0,
    closesText: session.closes_at ? formatDateTime(session.closes_at, now) : '',
    needed,
    timeline: timelineView(p.timeline, now),
    completed: report !== null,
    report: report || '',
    gradeText: p.grade ? (GRADE_NAMES[p.grade] || p.grade) : '',
    satisfaction: p.satisfaction || 0,
    satisfactionText: p.satisfaction ? SCORE_TEXTS[p.satisfaction] || '' : '',
    isProposer,
    cosigned,
    draft,
    canEdit: isProposer && draft,
    canSubmit: isProposer && draft,
    canInvite: isProposer && draft,
    canWithdraw: cosigned && draft,
    canCosign: !!myId && !isProposer && !cosigned && draft,
    canRate: isProposer && p.status === 'completed' && !p.satisfaction,
  })
}

module.exports = {
  STATUS_NAMES, ACTION_NAMES, SCORE_TEXTS, MESSAGES, FIELD_NAMES,
  statusBadge, fieldErrors, fieldsText, cosignersNeeded, proposalRow, proposalDetail, timelineView,
}
