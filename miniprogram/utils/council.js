// The worker council (职工议事会): how a Topic, an Idea and a Representative from the API (docs/council.md) read
// on the member's pages. Status names are the server's council_topic_status and council_idea_status labels
// (GET /meta/labels); tones and the error wording are presentation.
const { label } = require('./labels')
const { formatDate, formatDateTime } = require('./format')

const TOPIC_TONES = { open: 'success', closed: 'muted' }
const IDEA_TONES = { submitted: 'muted', selected: 'info', answered: 'success' }

// Error codes as the council pages word them (the server's own message still wins when it sent one).
const MESSAGES = {
  not_found: '该议题或建议不存在',
  own_idea: '不能支持自己提出的建议',
  already_supported: '您已支持过这条建议',
  not_supported: '您还没有支持这条建议',
  topic_closed: '本月议题已截止征集，不能再提建议或支持',
}

const FIELD_NAMES = { title: '标题', body: '内容' }

/** "2026-12" → "2026年12月" */
function monthText(month) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(month || ''))
  return m ? `${m[1]}年${Number(m[2])}月` : String(month || '')
}

function topicBadge(status) {
  return { text: label('council_topic_status', status), tone: TOPIC_TONES[status] || 'muted' }
}

function ideaBadge(status) {
  return { text: label('council_idea_status', status), tone: IDEA_TONES[status] || 'muted' }
}

/** A topic as a row of the list, or the head of its page. */
function topicView(t, { now = Date.now() } = {}) {
  const open = t.status === 'open'
  return {
    id: t.id,
    month: t.month,
    monthText: monthText(t.month),
    title: t.title,
    description: t.description || '',
    open,
    badge: topicBadge(t.status),
    closesText: formatDateTime(t.closes_at, now),
    ideasCount: t.ideas_count || 0,
    // The council's published selection, in the order selected, with management's answers.
    selected: (t.selected || []).map(i => ideaView(i, { open, now })),
  }
}

/** An idea; open says whether the topic still takes supports (the server refuses them after the close). */
function ideaView(i, { open = false, now = Date.now() } = {}) {
  const mine = !!i.mine
  const supported = !!i.supported
  return {
    id: i.id,
    title: i.title,
    body: i.body || '',
    authorName: (i.author && i.author.name) || '',
    badge: ideaBadge(i.status),
    status: i.status,
    supports: i.supports || 0,
    supported,
    mine,
    timeText: formatDateTime(i.created_at, now),
    answer: i.answer || '',
    answeredText: i.answered_at ? formatDate(i.answered_at, now) : '',
    canSupport: open && !mine && !supported,
    canWithdraw: open && supported,
  }
}

/** The representatives by department, mine (the member's department) marked and found. */
function representativesView(items, myDepartment) {
  const rows = (items || []).map(r => ({
    department: r.department,
    name: (r.member && r.member.name) || '',
    mine: !!myDepartment && r.department === myDepartment,
  }))
  return { representatives: rows, myRepresentative: rows.find(r => r.mine) || null }
}

module.exports = { MESSAGES, FIELD_NAMES, monthText, topicBadge, ideaBadge, topicView, ideaView, representativesView }
