// Surveys and votes on the member's side: the error texts these pages use, the survey draft kept on the
// phone while the member answers, and the vote receipt kept on the phone so the member can check, after
// the close, that the published receipt digests include theirs.
const { label } = require('./labels')
const { parseTime, formatDateTime } = require('./format')
const { sha256 } = require('./sha256')

// Error codes as the survey and vote pages word them (the server's own message still wins when it sent one).
const SURVEY_MESSAGES = {
  already_answered: '您已填写过该问卷',
  survey_closed: '该问卷不在填写时间内（未开始或已截止）',
  not_eligible: '该问卷仅面向指定部门或群体，您不在调查范围内',
  not_found: '该问卷不存在或已被撤回',
  invalid_request: '答案内容有误，请检查后重新提交',
}

const VOTE_MESSAGES = {
  already_voted: '您已投过票，每人只能投一次',
  vote_closed: '该投票不在投票时间内（未开始或已截止）',
  not_eligible: '该投票仅面向指定部门或群体，您不在投票范围内',
  not_found: '该投票不存在或已被撤回',
  invalid_request: '所选候选人有误或超过可选人数，请刷新后重新选择',
}

// Local names for values whose server vocabulary may not exist yet: a missing label shows these, not a code.
const QUESTION_KINDS = { single: '单选', multiple: '多选', scale: '评分', text: '填空' }

/** The server's label for a value, or fallback when the server has none (label() echoes the value then). */
function labelOr(vocab, value, fallback) {
  const name = label(vocab, value)
  return name && name !== value ? name : fallback || String(value || '')
}

function questionKindText(kind) {
  return labelOr('survey_question_kind', kind, QUESTION_KINDS[kind])
}

/** "截止：12月1日 周二 18:00", or '' without a close time. */
function closesText(closesAt, now = Date.now()) {
  const text = closesAt ? formatDateTime(closesAt, now) : ''
  return text ? `截止：${text}` : ''
}

function isClosed(closesAt, now = Date.now()) {
  const t = parseTime(closesAt)
  return !Number.isNaN(t) && now >= t
}

// The survey draft: {answers: {<question index>: answer}, current: <question position>}.
function draftKey(surveyId) {
  return `survey-draft-${surveyId}`
}

function loadDraft(surveyId) {
  const saved = wx.getStorageSync(draftKey(surveyId))
  return saved && typeof saved === 'object' && saved.answers ? saved : null
}

function saveDraft(surveyId, draft) {
  wx.setStorageSync(draftKey(surveyId), draft)
}

function clearDraft(surveyId) {
  wx.removeStorageSync(draftKey(surveyId))
}

// The vote receipt: {receipt, title, closes_at}. The ballot carries no member reference, so this copy on
// the phone is the only link between the member and their ballot; it never goes back to the server.
function receiptKey(voteId) {
  return `vote-receipt-${voteId}`
}

function loadReceipt(voteId) {
  const saved = wx.getStorageSync(receiptKey(voteId))
  return saved && typeof saved === 'object' && saved.receipt ? saved : null
}

function saveReceipt(voteId, record) {
  wx.setStorageSync(receiptKey(voteId), record)
}

/** The digest the results publish for a receipt: SHA-256 of its UTF-8 text, lowercase hex. */
function receiptDigest(receipt) {
  return sha256(String(receipt))
}

/** Whether GET /votes/{id}/results lists this receipt's digest. */
function receiptCounted(results, receipt) {
  const digest = receiptDigest(receipt)
  const list = (results && Array.isArray(results.receipts)) ? results.receipts : []
  return list.some(d => String(d).toLowerCase() === digest)
}

module.exports = {
  SURVEY_MESSAGES,
  VOTE_MESSAGES,
  labelOr,
  questionKindText,
  closesText,
  isClosed,
  loadDraft,
  saveDraft,
  clearDraft,
  loadReceipt,
  saveReceipt,
  receiptDigest,
  receiptCounted,
}
