// Congress proposals (职代会提案): how a Proposal from the API (ProposalOut, docs/proposals.md) reads on the
// member's pages. Status, action and grade names are the server's proposal_status, proposal_action and
// proposal_grade labels (GET /meta/labels); tones, scores and the error wording are presentation.
const { label } = require('./labels')
const { formatDate, formatDateTime, parseTime } = require('./format')
const { imageKey } = require('./images')

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

const SCORE_TEXTS = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

// Error codes as the proposal pages word them (the server's own message still wins when it sent one).
const MESSAGES = {
  not_found: '该提案不存在，或您无权查看',
  forbidden: '没有权限执行此操作',
  invalid_transition: '提案状态已变化，请刷新后查看',
  invalid_token: '邀请链接无效，请让提案人重新分享',
  already_cosigned: '您已附议',
  own_proposal: '不能附议自己的提案',
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

function statusBadge(status) {
  return { text: label('proposal_status', status), tone: TONES[status] || 'muted' }
}

/** Field errors from a 400 invalid_request's details.fields, keyed by the form's field names. */
function fieldErrors(err) {
  const fields = err && err.details && err.details.fields
  if (!fields || typeof fields !== 'object') return {}
  const out = {}
  Object.keys(fields).forEach(name => { out[name.split('.')[0]] = String(fields[name]) })
  return out
}

/** "标题：不能为空；问题：…" from details.fields, or ''; names: the form's field names (a proposal's by default). */
function fieldsText(err, names = FIELD_NAMES) {
  const errors = fieldErrors(err)
  return Object.keys(errors).map(name => `${names[name] || name}：${errors[name]}`).join('；')
}

/** How many more co-signers a draft needs: from a 409 not_enough_cosigners' details when sent, else counted. */
function cosignersNeeded(proposal, details = {}) {
  const p = proposal || {}
  const required = Number.isInteger(details.required) ? details.required : p.min_cosigners || 0
  const have = Number.isInteger(details.cosigners) ? details.cosigners : p.cosigners_count || 0
  return Math.max(required - have, 0)
}

function proposerText(p) {
  if (p.proposer && p.proposer.name) return p.proposer.name
  return p.confidential ? '保密' : ''
}

/** A row of a list (a session's proposals, mine). */
function proposalRow(p, { now = Date.now() } = {}) {
  return {
    id: p.id,
    number: p.number || '',
    title: p.title,
    badge: statusBadge(p.status),
    proposerText: proposerText(p),
    confidential: !!p.confidential,
    leadDepartment: p.lead_department || '',
    overdue: !!p.overdue,
    cosignerCount: p.cosigners_count || 0,
    sessionName: p.session_name || '',
    role: p.mine ? '我提出的' : '我附议的',
    dueText: p.due_date ? formatDate(p.due_date, now) : '',
  }
}

/** Who took a step: a member (actor), a department through its head's link, or nobody shown (system, hidden). */
function byText(step) {
  if (step.actor && step.actor.name) return step.actor.name
  return step.department || ''
}

function timelineView(timeline, now) {
  return (timeline || [])
    .map((step, i) => ({ step, i, t: parseTime(step.at) }))
    .sort((a, b) => (a.t - b.t) || (a.i - b.i))
    .map(({ step, i }) => ({
      key: i,
      action: step.action,
      actionText: label('proposal_action', step.action),
      byText: byText(step),
      timeText: formatDateTime(step.at, now),
      body: step.body || '',
      images: (step.images || []).map(url => ({ id: imageKey(url), url })),
      videoUrl: step.video_url || '',
    }))
}

/** The completion report (the proposal's report), or null before it is completed. */
function completionReport(p) {
  if (p.status !== 'completed') return null
  return p.report || ''
}

function gradeText(grade) {
  if (!grade) return ''
  const name = label('proposal_grade', grade)
  return name === grade ? grade : `${grade}（${name}）`
}

/**
 * One proposal as its page shows it, to the member signed in (signedIn) or nobody. The server says whether it
 * is mine and whether I co-signed it; session is the proposal's session (for its close time) when known.
 */
function proposalDetail(p, { signedIn = false, session = null, now = Date.now() } = {}) {
  const isProposer = !!p.mine
  const cosigned = !!p.cosigned
  const draft = p.status === 'draft'
  const report = completionReport(p)
  return Object.assign(proposalRow(p, { now }), {
    problem: p.problem || '',
    solution: p.solution || '',
    department: p.department || '',
    deadlineText: p.deadline ? formatDate(p.deadline, now) : '',
    coDepartments: (p.co_departments || []).join('、'),
    assignmentDueText: p.assignment_due_at ? formatDateTime(p.assignment_due_at, now) : '',
    assignedText: p.assigned_at ? formatDateTime(p.assigned_at, now) : '',
    // null: the names are hidden (a confidential proposal to anyone but staff and its proposer).
    cosignersHidden: p.cosigners === null,
    cosigners: (p.cosigners || []).map(c => ({ id: c.id, name: c.name })),
    minCosigners: p.min_cosigners || 0,
    closesText: session && session.closes_at ? formatDateTime(session.closes_at, now) : '',
    needed: cosignersNeeded(p),
    timeline: timelineView(p.timeline, now),
    completed: report !== null,
    report: report || '',
    gradeText: gradeText(p.grade),
    satisfaction: p.satisfaction || 0,
    satisfactionText: p.satisfaction ? SCORE_TEXTS[p.satisfaction] || '' : '',
    isProposer,
    cosigned,
    draft,
    canEdit: isProposer && draft,
    canSubmit: isProposer && draft,
    canInvite: isProposer && draft,
    canWithdraw: cosigned && draft,
    canCosign: signedIn && !isProposer && !cosigned && draft,
    canRate: isProposer && p.status === 'completed' && !p.satisfaction,
  })
}

module.exports = {
  SCORE_TEXTS, MESSAGES, FIELD_NAMES,
  statusBadge, fieldErrors, fieldsText, cosignersNeeded, proposalRow, proposalDetail, timelineView, gradeText,
}
