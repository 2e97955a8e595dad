// JSON bodies shaped exactly as API.md and the server's schemas (EventOut, RegistrationOut, MemberOut,
// InboxItem, InboxPage).

function event(overrides = {}) {
  return Object.assign({
    id: 101,
    title: '职工健步走',
    description: '沿厂区绿道 5 公里，自备运动鞋。',
    kind: 'activity',
    location: '厂区东门广场',
    starts_at: '2026-12-01T09:00:00+08:00',
    ends_at: '2026-12-01T11:00:00+08:00',
    signup_opens_at: null,
    signup_closes_at: '2026-11-30T18:00:00+08:00',
    capacity: 30,
    waitlist: true,
    audience: { departments: [], grids: [], tags: [] },
    walk_in: false,
    checkin_opens_minutes_before: 60,
    checkin_closes_minutes_after: 120,
    status: 'published',
    confirmed_count: 12,
    waitlist_count: 0,
    seats_left: 18,
    my_registration: null,
  }, overrides)
}

function registration(overrides = {}) {
  return Object.assign({
    id: 5001,
    event_id: 101,
    status: 'confirmed',
    waitlist_position: null,
    created_at: '2026-11-20T10:15:00+08:00',
    checked_in_at: null,
  }, overrides)
}

function page(items, overrides = {}) {
  return Object.assign({ items, page: 1, per_page: 20, total: items.length }, overrides)
}

function notice(overrides = {}) {
  return Object.assign({
    id: 12,
    title: '关于开展冬季职工体检的通知',
    body: '各位会员：\n冬季职工体检将于12月3日开始。\n\n请携带工牌到职工医院二楼登记。',
    sent_at: '2026-11-25T09:30:00+08:00',
    read: false,
    read_at: null,
  }, overrides)
}

/** GET /me/notices: a page plus the member's unread count over all their notices. */
function inbox(items, overrides = {}) {
  return page(items, Object.assign({ unread: items.filter(n => !n.read).length }, overrides))
}

// Slot booking (CalendarOut, SlotOut, BookingOut of server/bookings/schemas.py).

function calendar(overrides = {}) {
  return Object.assign({
    id: 31,
    kind: 'health_check',
    title: '2026 年冬季职工体检',
    location: '职工医院二楼体检中心',
    host: null,
    cancel_cutoff_hours: 24,
    max_active_per_member: 1,
    audience: { departments: [], grids: [], tags: [] },
    created_at: '2026-11-10T09:00:00+08:00',
  }, overrides)
}

function slot(overrides = {}) {
  return Object.assign({
    id: 401,
    calendar_id: 31,
    starts_at: '2026-12-15T09:00:00+08:00',
    ends_at: '2026-12-15T09:30:00+08:00',
    location: '职工医院二楼体检中心',
    capacity: 3,
    booked: 1,
    seats_left: 2,
    published: true,
    status: 'open',
  }, overrides)
}

function booking(overrides = {}, cal = {}) {
  const c = calendar(cal)
  const s = overrides.slot || slot({ calendar_id: c.id })
  const cutoffMs = c.cancel_cutoff_hours * 3600 * 1000
  return Object.assign({
    id: 9001,
    slot: s,
    calendar: { id: c.id, kind: c.kind, title: c.title, location: c.location, host: c.host, cancel_cutoff_hours: c.cancel_cutoff_hours },
    status: 'booked',
    topic: null,
    created_at: '2026-11-20T10:00:00+08:00',
    cancelled_at: null,
    // starts_at minus the cut-off, as the server computes it (UTC here; the page shows it in Shanghai).
    cancel_until: new Date(Date.parse(s.starts_at) - cutoffMs).toISOString().replace('Z', '+00:00'),
  }, overrides)
}

function error(status, code, message = '', details = {}) {
  return { status, body: { error: { code, message, details } } }
}

// GET /meta/labels: every vocabulary's {value: label} in display order (the labels contract).
const LABELS = {
  event_kind: { activity: '文体活动', training: '培训', health_check: '体检', lecture: '讲座', volunteer: '志愿服务', meeting: '会议', other: '其他' },
  event_status: { published: '已发布', cancelled: '已取消' },
  registration_status: { confirmed: '已报名', waitlisted: '候补', cancelled: '已取消' },
  checkin_method: { code: '签到码', ticket: '电子票' },
  audience_kind: { department: '部门', grid: '网格', tag: '标签' },
  calendar_kind: { health_check: '体检', reception_day: '书记接待日', legal_clinic: '法律门诊' },
  slot_status: { open: '可预约', cancelled: '已取消' },
  booking_status: { booked: '已预约', cancelled: '已取消' },
  suggestion_category: {
    workplace_safety: '安全生产', pay_benefits: '薪酬福利', canteen_facilities: '食堂与后勤',
    management: '管理与作风', training_career: '培训与发展', other: '其他',
  },
  suggestion_status: { new: '待处理', in_progress: '处理中', answered: '已答复', closed: '已办结' },
  notice_channel: { push: '小程序推送', sms: '短信', poster: '海报' },
  notice_status: { draft: '草稿', scheduled: '已排期', sending: '发送中', sent: '已发送' },
  delivery_status: { queued: '待发送', sending: '发送中', sent: '已发送', failed: '发送失败', skipped: '未发送', unknown: '状态未知', duplicate: '重复' },
  member_role: { member: '会员', liaison: '网格联络员', staff: '工会干事', secretary: '工会主席/书记', admin: '系统管理员' },
  reminder_status: { pending: '待发送', sent: '已发送', missed: '已错过' },
}

/**
 * The labels route as the server answers it: 200 with an ETag naming this body, or 304 with no body to
 * an If-None-Match that names it. labelsRoute(body, etag) serves other labels under another tag.
 */
function labelsRoute(body = LABELS, etag = '"labels-v1"') {
  return req => {
    const cache = { ETag: etag, 'Cache-Control': 'public, max-age=300' }
    if (req.headers['If-None-Match'] === etag) return { status: 304, body: '', headers: cache }
    return { status: 200, body, headers: cache }
  }
}

module.exports = { event, registration, page, notice, inbox, calendar, slot, booking, error, LABELS, labelsRoute }
