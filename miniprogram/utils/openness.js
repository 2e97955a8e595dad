// Procurement comparisons and award procedures (docs/procurements.md, docs/awards.md) as the member's pages
// show them. Amounts are fen (integers) and are never turned into floats; status names are the server's
// procurement_status and award_status labels.
const { label } = require('./labels')
const { formatDateTime, formatFen, parseTime } = require('./format')

const HOUR = 3600 * 1000
const DAY = 24 * HOUR

/** 250000 → "2,500.00" (yuan): formatFen's integer arithmetic without the currency sign. */
const yuan = fen => formatFen(fen).replace('¥', '')

/** The notice period's countdown: "还剩 3 天 4 小时", "还剩 5 小时", "不到 1 小时", or "" once over. */
function countdownText(closesAt, now = Date.now()) {
  const left = parseTime(closesAt) - now
  if (!(left > 0)) return ''
  if (left >= DAY) return `还剩 ${Math.floor(left / DAY)} 天 ${Math.floor((left % DAY) / HOUR)} 小时`
  if (left >= HOUR) return `还剩 ${Math.floor(left / HOUR)} 小时`
  return '不到 1 小时'
}

function procurementView(p, now = Date.now()) {
  const chosen = p.quotes.find(q => q.chosen) || null
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    amountText: yuan(p.amount_fen),
    status: p.status,
    statusText: label('procurement_status', p.status),
    tone: p.status === 'decided' ? 'success' : 'warning',
    quotes: p.quotes.map(q => ({ id: q.id, supplier: q.supplier, amountText: yuan(q.amount_fen), note: q.note, chosen: q.chosen, photos: q.attachments.length })),
    quotesText: `${p.quotes.length} 家报价`,
    representatives: p.representatives.map(r => ({ id: r.id, name: r.name, confirmed: !!r.confirmed_at, confirmedText: r.confirmed_at ? formatDateTime(r.confirmed_at, now) : '' })),
    repNames: p.representatives.map(r => r.name).join('、'),
    chosenText: chosen ? `${chosen.supplier}（${yuan(chosen.amount_fen)} 元）` : '',
    reason: p.reason || '',
    decidedText: p.decided_at ? formatDateTime(p.decided_at, now) : '',
    month: p.month || '',
    canConfirm: p.status === 'open' && p.i_represent && !p.i_confirmed,
    iConfirmed: !!p.i_confirmed,
  }
}

function awardView(a, now = Date.now()) {
  const open = !!a.objections_open
  return {
    id: a.id,
    title: a.title,
    year: a.year,
    criteria: a.criteria,
    quota: a.quota,
    status: a.status,
    statusText: label('award_status', a.status),
    tone: a.status === 'final' ? 'success' : 'info',
    open,
    closesText: a.objection_closes_at ? formatDateTime(a.objection_closes_at, now) : '',
    countdown: open ? countdownText(a.objection_closes_at, now) : '',
    winnersCount: a.winners_count,
    nominees: a.nominees.map(n => ({ id: n.id, name: n.member.name, department: n.department || '', reason: n.reason, final: n.final })),
  }
}

module.exports = { yuan, countdownText, procurementView, awardView }
