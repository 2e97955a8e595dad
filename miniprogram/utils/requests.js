// Requests (诉求): how a Request from the API reads on the member's and the liaison's pages. Names of
// categories, statuses and timeline steps are the server's labels (request_category, request_status,
// timeline_action); tones, the 15-day reopen window and the texts around them are presentation.
const { label } = require('./labels')
const { parseTime, shanghaiParts, formatDate, formatDateTime } = require('./format')

const { MAX_PHOTOS, MAX_PHOTO_BYTES } = require('./photoUploads')
const REOPEN_DAYS = 15
const DAY_MS = 24 * 60 * 60 * 1000

const TONES = {
  submitted: 'warning',
  reopened: 'warning',
  accepted: 'info',
  resolved: 'success',
  closed: 'muted',
}

// Error codes as the request pages word them (the server's own message still wins when it sent one).
const MESSAGES = {
  not_found: '该诉求不存在，或您无权查看',
  forbidden: '没有权限执行此操作',
  invalid_transition: '状态已变化，已为您刷新',
  invalid_attachment: '照片无效或已被使用，请删除后重新选择',
}

// Request fields as the form names them, for a 400 invalid_request's details.fields.
const FIELD_NAMES = {
  category: '类别',
  title: '标题',
  content: '内容',
  urgent: '紧急',
  confidential: '保密',
  attachments: '照片',
  on_behalf_of: '会员',
  on_behalf_of_employee_no: '会员工号',
  body: '内容',
  reason: '原因',
  satisfaction: '满意度',
}

/** "标题：长度不能超过 100 个字符；内容：不能为空" from details.fields, or '' when there are none. */
function fieldsText(err) {
  const fields = err && err.details && err.details.fields
  if (!fields || typeof fields !== 'object') return ''
  return Object.keys(fields)
    .map(name => `${FIELD_NAMES[name.split('.')[0]] || name}：${fields[name]}`)
    .join('；')
}

function statusBadge(status) {
  return { text: label('request_status', status), tone: TONES[status] || 'muted' }
}

/** Who took a timeline step: the contract's "by" as a name, a {id, name}, or nothing (the system). */
function byText(by) {
  if (by && typeof by === 'object') return by.name || ''
  return by ? String(by) : '系统'
}

/** The timeline oldest first, each step with its time and who took it. */
function timelineView(timeline, now) {
  return (timeline || [])
    .map((step, i) => ({ step, i, t: parseTime(step.at) }))
    .sort((a, b) => (a.t - b.t) || (a.i - b.i))
    .map(({ step, i }) => ({
      key: i,
      actionText: label('timeline_action', step.action),
      action: step.action,
      byText: byText(step.by),
      timeText: formatDateTime(step.at, now),
      body: step.body || '',
    }))
}

/** Until when the member may reopen a request resolved at resolvedAt (15 calendar days), or NaN. */
function reopenUntil(resolvedAt) {
  const t = parseTime(resolvedAt)
  return Number.isNaN(t) ? NaN : t + REOPEN_DAYS * DAY_MS
}

const OPEN = ['submitted', 'accepted', 'reopened']

/**
 * A deadline as members read it. Working-day deadlines fall at 24:00 of a day, which the server may write
 * as the next day's 00:00; that reads as "11月25日 周三 24:00", not as the start of the following day.
 */
function dueText(value, now) {
  const t = parseTime(value)
  if (Number.isNaN(t)) return ''
  const p = shanghaiParts(t)
  if (p.hour === 0 && p.minute === 0 && t % 60000 === 0) return formatDate(t - 1, now) + ' 24:00'
  return formatDateTime(t, now)
}

/** A row of a list (mine, the grid's queue): the deadline shown is the one the request waits on. */
function requestRow(req, now = Date.now()) {
  const open = OPEN.includes(req.status)
  return Object.assign({}, req, {
    categoryText: label('request_category', req.category),
    badge: statusBadge(req.status),
    createdText: formatDateTime(req.created_at, now),
    memberName: (req.member && req.member.name) || '',
    dueText: open ? dueText(req.first_response_at ? req.resolve_due_at : req.first_response_due_at, now) : '',
    dueLabel: req.first_response_at ? '办结期限' : '首次响应期限',
  })
}

/**
 * One request as its page shows it; asMember says the viewer is the member who raised it (they confirm
 * and reopen), asLiaison that a liaison opened it from their grid's queue (they accept).
 */
function requestDetail(req, { now = Date.now(), asMember = false, asLiaison = false } = {}) {
  const until = reopenUntil(req.resolved_at)
  const reopenable = (req.status === 'resolved' || req.status === 'closed') && now < until
  return Object.assign(requestRow(req, now), {
    timeline: timelineView(req.timeline, now),
    firstResponseDueText: dueText(req.first_response_due_at, now),
    firstResponseText: req.first_response_at ? formatDateTime(req.first_response_at, now) : '',
    resolveDueText: dueText(req.resolve_due_at, now),
    resolvedText: req.resolved_at ? formatDateTime(req.resolved_at, now) : '',
    assigneeName: (req.assignee && req.assignee.name) || '',
    raisedByName: (req.raised_by && req.raised_by.name) || '',
    canConfirm: asMember && req.status === 'resolved',
    canReopen: asMember && reopenable,
    reopenUntilText: reopenable ? formatDateTime(until, now) : '',
    canAccept: asLiaison && (req.status === 'submitted' || req.status === 'reopened'),
    canMessage: req.status !== 'closed',
  })
}

module.exports = {
  MAX_PHOTOS,
  MAX_PHOTO_BYTES,
  REOPEN_DAYS,
  MESSAGES,
  fieldsText,
  statusBadge,
  timelineView,
  reopenUntil,
  dueText,
  requestRow,
  requestDetail,
}
