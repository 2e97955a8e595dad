// 我的志愿时长: my total, points and each volunteer event or adjustment (GET /me/volunteer-hours), the year's
// certificate (PDF), scanning a check-out code, leaving the leaderboard, and the leaderboard itself.
const api = require('../../utils/api')
const wxp = require('../../utils/wxp')
const { formatClock, formatDate } = require('../../utils/format')
const { scanAndCheckIn } = require('../../utils/checkin')
const { durationText } = require('../../utils/volunteers')

function itemView(item, index) {
  const event = item.kind === 'event'
  let detail = ''
  if (event && item.checked_out_at) detail = `${formatClock(item.checked_in_at)} 签到 · ${formatClock(item.checked_out_at)} 签退`
  else if (event) detail = `${formatClock(item.checked_in_at)} 签到 · 未签退，不计时长`
  else detail = `时长调整：${item.reason}`
  return {
    key: `${item.kind}-${item.adjustment_id || item.event_id}-${index}`,
    title: event ? item.title : (item.title || '志愿时长调整'),
    dateText: formatDate(item.date + 'T00:00:00+08:00'),
    detail,
    durationText: (item.minutes > 0 && !event ? '+' : '') + durationText(item.minutes),
    negative: item.minutes < 0,
    missing: event && !item.checked_out_at,
  }
}

Page({
  data: {
    loading: true,
    failed: false,
    totalText: '',
    totalHours: 0,
    points: 0,
    items: [],
    board: [],
    boardYear: null,
    optedOut: false,
    saving: false,
    downloading: false,
  },

  onLoad() {
    return this.refresh()
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh())
  },

  async refresh() {
    this.setData({ loading: true, failed: false })
    try {
      const [mine, board] = await Promise.all([api.get('/me/volunteer-hours'), api.get('/volunteers/leaderboard')])
      this.setData({
        loading: false,
        totalText: durationText(mine.total_minutes),
        totalHours: mine.total_hours,
        points: mine.points,
        items: mine.items.map(itemView),
        board: board.items.map(r => ({
          rank: r.rank, name: r.name, department: r.department || '', hoursText: `${r.total_hours} 小时`, isMe: r.is_me,
        })),
        boardYear: board.year,
        optedOut: board.opted_out,
      })
    } catch (e) {
      this.setData({ loading: false, failed: true })
    }
  },

  async onScan() {
    const res = await scanAndCheckIn()
    if (res && res.data) await this.refresh()
  },

  async onOptOut(e) {
    const wanted = !!e.detail.value
    const before = this.data.optedOut
    this.setData({ optedOut: wanted, saving: true })
    try {
      const res = await api.put('/me/volunteer-settings', { leaderboard_opt_out: wanted })
      this.setData({ optedOut: res.leaderboard_opt_out, saving: false })
      wx.showToast({ title: wanted ? '已不在排行榜中展示' : '已恢复在排行榜中展示', icon: 'none' })
      const board = await api.get('/volunteers/leaderboard', { silent: true })
      this.setData({
        board: board.items.map(r => ({
          rank: r.rank, name: r.name, department: r.department || '', hoursText: `${r.total_hours} 小时`, isMe: r.is_me,
        })),
      })
    } catch (err) {
      this.setData({ optedOut: before, saving: false })
    }
  },

  async onCertificate() {
    if (this.data.downloading) return
    this.setData({ downloading: true })
    try {
      const filePath = await api.download('/me/volunteer-hours/certificate.pdf', {
        query: { year: this.data.boardYear || undefined },
      })
      await wxp('openDocument', { filePath, fileType: 'pdf', showMenu: true })
    } catch (err) {
      // api.download has told the member; a document the phone cannot open says so itself.
    } finally {
      this.setData({ downloading: false })
    }
  },
})
