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

function error(status, code, message = '', details = {}) {
  return { status, body: { error: { code, message, details } } }
}

module.exports = { event, registration, page, notice, inbox, error }
