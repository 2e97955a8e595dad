// Formatting helpers. Times come from the API as ISO 8601 with an offset and are always shown in
// Asia/Shanghai, whatever time zone the phone is set to. Names of kinds and statuses come from the
// server's labels (utils/labels.js), which pages wait for before they format.
const { label } = require('./labels')

// China has had no daylight saving time since 1991, so Shanghai is a fixed UTC+8.
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i


function pad2(n) {
  return (n < 10 ? '0' : '') + n
}

/** Milliseconds since the epoch, or NaN. Parsed by hand: some phones' Date cannot read every ISO form. */
function parseTime(value) {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  const m = ISO_RE.exec(String(value || '').trim())
  if (!m) return NaN
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m
  const ms = Number((frac + '000').slice(0, 3))
  let offsetMin = 8 * 60 // a time without an offset is taken as Shanghai local time
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
  } else if (zone) {
    offsetMin = 0
  }
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms) - offsetMin * 60 * 1000
}

/** Calendar fields of an instant as seen in Shanghai. */
function shanghaiParts(value) {
  const t = parseTime(value)
  if (Number.isNaN(t)) return null
  const d = new Date(t + SHANGHAI_OFFSET_MS)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: WEEKDAYS[d.getUTCDay()],
  }
}

/** "12月1日 周二"; the year is added when it is not the current one ("2027年1月5日 周二"). */
function formatDate(value, now = Date.now()) {
  const p = shanghaiParts(value)
  if (!p) return ''
  const thisYear = shanghaiParts(now).year
  return `${p.year !== thisYear ? p.year + '年' : ''}${p.month}月${p.day}日 ${p.weekday}`
}

/** "09:02" */
function formatClock(value) {
  const p = shanghaiParts(value)
  return p ? `${pad2(p.hour)}:${pad2(p.minute)}` : ''
}

/** "12月1日 周二 09:00" */
function formatDateTime(value, now = Date.now()) {
  const date = formatDate(value, now)
  return date ? `${date} ${formatClock(value)}` : ''
}

/** "12月1日 周二 09:00–11:00", or both dates when the range crosses midnight. */
function formatRange(start, end, now = Date.now()) {
  const a = shanghaiParts(start)
  const b = shanghaiParts(end)
  if (!a) return ''
  if (!b) return formatDateTime(start, now)
  if (a.year === b.year && a.month === b.month && a.day === b.day) {
    return `${formatDate(start, now)} ${formatClock(start)}–${formatClock(end)}`
  }
  return `${formatDateTime(start, now)} – ${formatDateTime(end, now)}`
}

/**
 * Money from integer fen (the API never sends a float): 123456 → "¥1,234.56", -1200 → "-¥12.00". Integer
 * arithmetic only: the remainder first, then a division of what is a multiple of 100 (exact). '' for
 * anything that is not a safe integer, rather than an amount that might be off.
 */
function formatFen(fen) {
  if (!Number.isSafeInteger(fen)) return ''
  const abs = Math.abs(fen)
  const cents = abs % 100
  const whole = String((abs - cents) / 100).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${fen < 0 ? '-' : ''}¥${whole}.${pad2(cents)}`
}

/** "2026-11" as "2026年11月"; '' for anything else. */
function formatMonth(month) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(month || ''))
  return m ? `${m[1]}年${Number(m[2])}月` : ''
}

/** The given instant as the API wants it: "2026-12-01T09:00:00+08:00". */
function toShanghaiISO(value = Date.now()) {
  const p = shanghaiParts(value)
  const d = new Date(parseTime(value) + SHANGHAI_OFFSET_MS)
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(d.getUTCSeconds())}+08:00`
}

function kindLabel(kind) {
  return label('event_kind', kind)
}

/** Seats line for an event: "剩余 5 个名额", "名额已满 · 候补 3 人", "不限名额". */
function seatsText(event) {
  if (event.capacity === null || event.capacity === undefined) return '不限名额'
  if (event.seats_left > 0) return `剩余 ${event.seats_left} 个名额`
  if (event.waitlist) return event.waitlist_count > 0 ? `名额已满 · 候补 ${event.waitlist_count} 人` : '名额已满 · 可候补'
  return '名额已满'
}

/**
 * The member's own status as a badge {text, tone}, or null when they have not signed up.
 * tone is one of: success, warning, info, muted.
 */
function statusBadge(event) {
  const reg = event.my_registration
  if (event.status === 'cancelled') return { text: '活动已取消', tone: 'muted' }
  if (!reg || reg.status === 'cancelled') return null
  if (reg.checked_in_at) return { text: '已签到', tone: 'info' }
  if (reg.status === 'confirmed') return { text: label('registration_status', 'confirmed'), tone: 'success' }
  if (reg.status === 'waitlisted') {
    return { text: reg.waitlist_position ? `候补第 ${reg.waitlist_position} 位` : '候补中', tone: 'warning' }
  }
  return null
}

/**
 * What the sign-up button offers: {canSignUp, label, hint}. The server has the last word; this only
 * spares the member a button that can only fail.
 */
function signupState(event, now = Date.now()) {
  const reg = event.my_registration
  if (event.status === 'cancelled') return { canSignUp: false, label: '活动已取消', hint: '' }
  if (reg && reg.status !== 'cancelled') return { canSignUp: false, label: '', hint: '' }
  const opens = event.signup_opens_at ? parseTime(event.signup_opens_at) : null
  const closes = parseTime(event.signup_closes_at || event.starts_at)
  if (opens !== null && now < opens) {
    return { canSignUp: false, label: '报名未开始', hint: `${formatDateTime(event.signup_opens_at, now)} 开始报名` }
  }
  if (now >= closes) return { canSignUp: false, label: '报名已截止', hint: '' }
  const hint = event.signup_closes_at ? `报名截止：${formatDateTime(event.signup_closes_at, now)}` : ''
  const full = event.capacity !== null && event.capacity !== undefined && event.seats_left <= 0
  if (full && !event.waitlist) return { canSignUp: false, label: '名额已满', hint }
  return { canSignUp: true, label: full ? '加入候补' : '立即报名', hint }
}

/** Everything a page shows about an event, computed once so templates stay simple. */
function eventView(event, now = Date.now()) {
  return Object.assign({}, event, {
    kindLabel: kindLabel(event.kind),
    timeText: formatRange(event.starts_at, event.ends_at, now),
    seatsText: seatsText(event),
    badge: statusBadge(event),
    cancelled: event.status === 'cancelled',
  })
}

/** A row of "my registrations" (GET /me/registrations item): its event, badged with this registration. */
function myRegistrationView(reg, now = Date.now()) {
  const view = eventView(Object.assign({}, reg.event, { my_registration: reg }), now)
  if (reg.status === 'cancelled' && !view.cancelled) view.badge = { text: '已取消报名', tone: 'muted' }
  return view
}

/** The first line of a notice's body that has any text, for a one-line preview. */
function firstLine(text) {
  const lines = String(text || '').split(/\r?\n/).map(l => l.trim()).filter(Boolean)
  return lines.length ? lines[0] : ''
}

/** The lines of a notice's body; a blank line stays as '' so paragraphs keep their spacing. */
function bodyLines(text) {
  return String(text || '').replace(/\s+$/, '').split(/\r?\n/)
}

/** A notice from GET /me/notices as the inbox and detail pages show it. */
function noticeView(notice, now = Date.now()) {
  return Object.assign({}, notice, {
    preview: firstLine(notice.body),
    lines: bodyLines(notice.body).map((text, i) => ({ i, text })),
    timeText: notice.sent_at ? formatDateTime(notice.sent_at, now) : '',
  })
}

// The three booking services, in the order the booking page lists them, with the member-facing intro
// each one gets there (presentation; their names are the calendar_kind labels).
const SERVICES = [
  { kind: 'health_check', intro: '预约职工体检的时间，错开排队' },
  { kind: 'reception_day', intro: '与工会书记面对面，反映问题、提出建议' },
  { kind: 'legal_clinic', intro: '劳动合同、权益保障等法律咨询' },
]

function serviceName(kind) {
  return label('calendar_kind', kind)
}

/** The booking services with their names, as the booking page lists them. */
function services() {
  return SERVICES.map(s => Object.assign({ name: serviceName(s.kind) }, s))
}

/** "12月15日" as a key that also orders days (Shanghai calendar date). */
function dayKey(value) {
  const p = shanghaiParts(value)
  return p ? `${p.year}-${pad2(p.month)}-${pad2(p.day)}` : ''
}

/** A slot as the calendar page shows it: "09:00–09:30", "余 2" / "已约满" / "已取消". */
function slotView(slot) {
  const cancelled = slot.status === 'cancelled'
  const full = !cancelled && slot.seats_left <= 0
  return Object.assign({}, slot, {
    timeText: `${formatClock(slot.starts_at)}–${formatClock(slot.ends_at)}`,
    seatsText: cancelled ? label('slot_status', slot.status) : (full ? '已约满' : `余 ${slot.seats_left}`),
    disabled: cancelled || full,
  })
}

/** Time-ordered slots grouped by their Shanghai day: [{key, label: "12月15日 周二", slots}]. */
function slotsByDay(slots, now = Date.now()) {
  const days = []
  slots.forEach(slot => {
    const key = dayKey(slot.starts_at)
    let day = days[days.length - 1]
    if (!day || day.key !== key) {
      day = { key, label: formatDate(slot.starts_at, now), slots: [] }
      days.push(day)
    }
    day.slots.push(slotView(slot))
  })
  return days
}

/** A row of "my bookings" (GET /me/bookings item), with whether it can still be cancelled in the app. */
function bookingView(booking, now = Date.now()) {
  return Object.assign({}, booking, {
    serviceName: serviceName(booking.calendar.kind),
    statusText: label('booking_status', booking.status),
    timeText: formatRange(booking.slot.starts_at, booking.slot.ends_at, now),
    cancelUntilText: formatDateTime(booking.cancel_until, now),
    canCancel: booking.status === 'booked' && now <= parseTime(booking.cancel_until),
    upcoming: parseTime(booking.slot.starts_at) > now,
  })
}

module.exports = {
  formatFen,
  formatMonth,
  services,
  serviceName,
  slotView,
  slotsByDay,
  bookingView,
  parseTime,
  shanghaiParts,
  formatDate,
  formatClock,
  formatDateTime,
  formatRange,
  toShanghaiISO,
  kindLabel,
  seatsText,
  statusBadge,
  signupState,
  eventView,
  myRegistrationView,
  firstLine,
  bodyLines,
  noticeView,
}
