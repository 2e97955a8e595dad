// The published union fund ledger as members read it (API.md "Union fund (经费) ledger"): months with their
// totals, a month's categories as bars whose widths are their shares, its entries, and the chain check.
// Amounts are integer fen from the server, shown by formatFen; shares are only widths, never money.
const { formatFen, formatMonth, formatDateTime, shanghaiParts } = require('./format')

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/
// The statement's QR code holds the public page ".../f/2026-11"; scanned, WeChat opens the month with ?q=.
const STATEMENT_RE = /\/f\/(\d{4}-(?:0[1-9]|1[0-2]))\/?(?:[?#].*)?$/

/** The month a page was opened for: ?month=, or a scanned statement link in ?q=; '' when neither. */
function monthOf(query) {
  if (query && MONTH_RE.test(query.month || '')) return query.month
  const link = query && query.q ? decodeURIComponent(query.q) : ''
  const m = STATEMENT_RE.exec(link)
  return m ? m[1] : ''
}

/** A published month in the list (FundMonthSummary). */
function monthRow(m, now = Date.now()) {
  return {
    month: m.month,
    title: formatMonth(m.month),
    incomeText: formatFen(m.income_fen),
    expenseText: formatFen(m.expense_fen),
    balanceText: formatFen(m.balance_fen),
    countText: `${m.entries_count} 笔`,
    publishedText: formatDateTime(m.published_at, now),
  }
}

/** The chain check (GET /fund/verify) as a badge {text, tone}. */
function verifyBadge(v) {
  if (!v) return null
  return v.ok
    ? { text: '账目完整 · 哈希链校验通过', tone: 'success' }
    : { text: `账目异常 · ${formatMonth(v.broken_at)}起与公开时不一致`, tone: 'danger' }
}

/**
 * A kind's categories as bars: width = the category's share of the kind's total, as a CSS percentage (one
 * decimal); the share's text beside it. A category taken below zero by reversals draws no bar.
 */
function bars(byCategory, kind) {
  const rows = byCategory.filter(c => c.kind === kind)
  const total = rows.reduce((s, c) => s + Math.max(0, c.amount_fen), 0)
  return rows.map(c => {
    const share = total > 0 ? Math.max(0, c.amount_fen) * 100 / total : 0
    return {
      category: c.category,
      name: c.name,
      amountText: formatFen(c.amount_fen),
      width: `${share.toFixed(1)}%`,
      shareText: `${share.toFixed(1)}%`,
    }
  })
}

/** One entry of a published month; a reversal counts negatively and says what it takes back. */
function entryRow(e) {
  const p = shanghaiParts(e.date + 'T12:00:00+08:00')
  const signed = e.reverses ? -e.amount_fen : e.amount_fen
  return {
    id: e.id,
    dateText: p ? `${p.month}月${p.day}日` : e.date,
    kind: e.kind,
    categoryName: e.category_name,
    counterparty: e.counterparty,
    note: e.note,
    reversal: !!e.reverses,
    kindText: e.kind === 'income' ? '收入' : '支出',
    amountText: formatFen(signed),
  }
}

/** A published month's page (FundMonthOut). */
function monthDetail(m, now = Date.now()) {
  return Object.assign(monthRow(m, now), {
    hash: m.hash,
    prevHash: m.prev_hash || '',
    incomeBars: bars(m.by_category, 'income'),
    expenseBars: bars(m.by_category, 'expense'),
    entries: m.entries.map(entryRow),
  })
}

module.exports = { monthOf, monthRow, verifyBadge, bars, entryRow, monthDetail }
