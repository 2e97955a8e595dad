const api = require('../../utils/api')
const { noticeView } = require('../../utils/format')
const { pageId } = require('../../utils/links')

Page({
  data: {
    id: null,
    notice: null,
    missing: false,
    failed: false,
  },

  onLoad(query) {
    // Opened from the inbox, a push message (?id=) or a scanned poster link (?q=).
    const id = pageId(query, 'notice')
    if (!(id > 0)) {
      this.setData({ missing: true })
      return undefined
    }
    this.setData({ id })
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    if (!this.data.id) return
    try {
      // Reading is what this page is for: marking read answers with the notice itself, so one call does both.
      const notice = await api.post(`/notices/${this.data.id}/read`, {}, { silent: true })
      this.setData({ notice: noticeView(notice), missing: false, failed: false })
    } catch (err) {
      if (err.code === 'not_found') {
        this.setData({ missing: true, notice: null })
      } else if (!this.data.notice) {
        wx.showToast({ title: '通知加载失败，请稍后重试', icon: 'none' })
        this.setData({ failed: true })
      }
    }
  },

  onAll() {
    // Opened from a push there is nothing to go back to, so go to the inbox tab.
    wx.switchTab({ url: '/pages/notices/index' })
  },
})
