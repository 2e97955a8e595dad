// Benefits and care packs (福利领取, 四季暖心) as the member's pages show them: campaigns with their options and
// stock left, the member's claim, and the claim's code for staff to scan (核销). Names of kinds, seasons, phases,
// claim statuses and delivery come from the server's labels (GET /meta/labels).
const { formatDateTime, parseTime } = require('./format')
const { label } = require('./labels')

// Badge tones are presentation: they stay here.
const PHASE_TONES = { upcoming: 'info', open: 'success', closed: 'muted', redeeming: 'warning', ended: 'muted' }
const CLAIM_TONES = { claimed: 'warning', redeemed: 'success', cancelled: 'muted' }

// Refusals in the member's words when the server sends none (it usually does, and knows more).
const MESSAGES = {
  not_found: '该福利不存在或已下线',
  not_eligible: '该福利仅面向指定部门或群体，您不在领取范围内',
  already_claimed: '您已领取过该福利，每人限领一份',
  out_of_stock: '该选项已领完，请选择其他选项',
  claim_closed: '当前不在领取时间内',
  benefit_cancelled: '该福利已取消发放',
  claim_cancelled: '该领取已取消',
  invalid_request: '请选择领取方式后重试',
}

const name = label

/** "还有 20 份", "已领完", or "不限量" (stock null). */
function leftText(option) {
  if (option.left === null || option.left === undefined) return '不限量'
  return option.left > 0 ? `还剩 ${option.left} 份` : '已领完'
}

function claimView(c, now = Date.now()) {
  const redeemPassed = parseTime(c.redeem_until) <= now
  return {
    id: c.id,
    benefitId: c.benefit_id,
    title: c.benefit_title,
    optionName: c.option_name,
    code: c.claim_code,
    status: c.status,
    statusText: c.status === 'claimed' && redeemPassed ? '已过兑领期' : name('claim_status', c.status),
    tone: c.status === 'claimed' && redeemPassed ? 'muted' : (CLAIM_TONES[c.status] || 'muted'),
    delivery: c.delivery,
    deliveryText: name('claim_delivery', c.delivery),
    claimedText: formatDateTime(c.claimed_at, now),
    redeemUntilText: formatDateTime(c.redeem_until, now),
    redeemedText: c.redeemed_at ? formatDateTime(c.redeemed_at, now) : '',
    viaText: c.redeemed_via === 'delegate' ? `由 ${c.delegate_name || '代领人'} 代领` : '',
    // The QR is worth showing only while staff can still redeem it.
    showCode: c.status === 'claimed' && !redeemPassed,
  }
}

function benefitView(b, now = Date.now()) {
  const claim = b.my_claim && b.my_claim.status !== 'cancelled' ? claimView(b.my_claim, now) : null
  const cancelled = b.status === 'cancelled'
  const phaseText = cancelled ? '已取消' : name('benefit_phase', b.phase)
  return {
    id: b.id,
    title: b.title,
    description: b.description || '',
    kindText: name('benefit_kind', b.kind) + (b.season ? ' · ' + name('benefit_season', b.season) : ''),
    phase: b.phase,
    phaseText,
    tone: cancelled ? 'muted' : (PHASE_TONES[b.phase] || 'muted'),
    cancelled,
    windowText: `${formatDateTime(b.claim_opens_at, now)} 至 ${formatDateTime(b.claim_closes_at, now)}`,
    redeemUntilText: formatDateTime(b.redeem_until, now),
    options: b.options.map(o => ({
      id: o.id, name: o.name, description: o.description || '', leftText: leftText(o),
      soldOut: o.left !== null && o.left !== undefined && o.left <= 0,
    })),
    optionNames: b.options.map(o => o.name).join('、'),
    allowWorkshop: !!b.allow_workshop_delivery,
    claim,
    // A member may claim while the window is open and they hold no live claim (a cancelled one may be replaced).
    canClaim: !cancelled && b.phase === 'open' && !claim,
    // Cancelling gives the stock back; only before the window closes and before staff redeemed it.
    canCancel: !cancelled && b.phase === 'open' && !!claim && claim.status === 'claimed',
  }
}

module.exports = { MESSAGES, benefitView, claimView, leftText }
