// The unread count on the "通知" tab, kept in step wherever the app learns it.
const api = require('./api')

const NOTICE_TAB_INDEX = 1 // app.json tabBar: 活动 / 通知 / 我的

function ignore() {}

/** Badge the notices tab with the unread count, or clear it. */
function showUnread(count) {
  // Outside a tab page the runtime refuses; the next tab page to load sets it again.
  if (count > 0) {
    wx.setTabBarBadge({ index: NOTICE_TAB_INDEX, text: count > 99 ? '99+' : String(count), fail: ignore })
  } else {
    wx.removeTabBarBadge({ index: NOTICE_TAB_INDEX, fail: ignore })
  }
}

/** Ask the server for the unread count and badge the tab; quiet, since nobody asked for it. */
function refreshUnread() {
  return api.get('/me/notices', { query: { page: 1, per_page: 1, unread: 1 }, silent: true })
    .then(res => { showUnread(res.unread); return res.unread })
    .catch(() => null)
}

module.exports = { showUnread, refreshUnread, NOTICE_TAB_INDEX }
