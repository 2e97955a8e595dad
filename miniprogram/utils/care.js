// Hardship aid (困难帮扶): how the member's own case reads. The member sees the stage, its dates and the
// next step the server words for them (MyCareCase), never the case's details. Names of categories and
// stages are the server's labels (care_category, care_stage); tones and texts around them are presentation.
const { label } = require('./labels')
const { parseTime, formatDate } = require('./format')

const TONES = {
  opened: 'warning',
  assessing: 'warning',
  awaiting_chair: 'warning',
  approved: 'info',
  aided: 'info',
  following_up: 'info',
  closed: 'success',
  rejected: 'muted',
  withdrawn: 'muted',
}

// Until the chair has approved it, the member may withdraw their application.
const WITHDRAWABLE = ['opened', 'assessing', 'awaiting_chair']

const MESSAGES = {
  not_found: '该帮扶申请不存在，或您无权查看',
  forbidden: '没有权限执行此操作',
  wrong_stage: '申请的进度已变化，已为您刷新',
  case_open: '您已有一个同类的帮扶申请正在办理，请在「我的帮扶申请」中查看进度',
}

// Fields as the form names them, for a 400 invalid_request's details.fields.
const FIELD_NAMES = {
  category: '困难类别',
  summary: '情况说明',
  member_employee_no: '会员工号',
  request_id: '关联诉求',
}

function fieldsText(err) {
  const fields = err && err.details && err.details.fields
  if (!fields || typeof fields !== 'object') return ''
  return Object.keys(fields)
    .map(name => `${FIELD_NAMES[name.split('.')[0]] || name}：${fields[name]}`)
    .join('；')
}

function stageText(c) {
  return c.stage_label || label('care_stage', c.stage)
}

/** The stages passed, oldest first, each with its date. */
function timelineView(timeline, now) {
  return (timeline || [])
    .map((step, i) => ({ step, i, t: parseTime(step.at) }))
    .sort((a, b) => (a.t - b.t) || (a.i - b.i))
    .map(({ step, i }) => ({
      key: i,
      stage: step.stage,
      stageText: label('care_stage', step.stage),
      dateText: formatDate(step.at, now),
    }))
}

/** One of the member's cases as its card shows it. */
function myCaseView(c, now = Date.now()) {
  return {
    id: c.id,
    categoryText: label('care_category', c.category),
    badge: { text: stageText(c), tone: TONES[c.stage] || 'muted' },
    nextStep: c.next_step || '',
    openedText: formatDate(c.opened_at, now),
    updatedText: formatDate(c.updated_at, now),
    timeline: timelineView(c.timeline, now),
    canWithdraw: WITHDRAWABLE.includes(c.stage),
  }
}

module.exports = { TONES, WITHDRAWABLE, MESSAGES, fieldsText, timelineView, myCaseView }
