const api = require('../../utils/api')
const { formatClock, formatDate } = require('../../utils/format')

Page({
  data: {
    clock: '',
    dateText: '',
    again: false,
    title: '',
  },

  onLoad(query) {
    const at = decodeURIComponent(query.at || '')
    this.setData({ clock: formatClock(at), dateText: formatDate(at), again: query.again === '1' })
    // The event's name is a nicety: the check-in itself has already succeeded.
    return api.get(`/events/${query.event_id}`, { silent: true })
      .then(event => this.setData({ title: event.title }))
      .catch(() => {})
  },

  onDone() {
    wx.navigateBack({ delta: 1 })
  },
})
