const api = require('../../utils/api')
const { formatClock, formatDate } = require('../../utils/format')
const { durationText } = require('../../utils/volunteers')

Page({
  data: {
    clock: '',
    dateText: '',
    again: false,
    title: '',
    checkout: false,
    durationText: '',
  },

  onLoad(query) {
    const at = decodeURIComponent(query.at || '')
    const checkout = query.mode === 'checkout'
    this.setData({
      clock: formatClock(at), dateText: formatDate(at), again: query.again === '1', checkout,
      durationText: checkout ? durationText(Number(query.minutes) || 0) : '',
    })
    if (checkout && wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: '签退' })
    // The event's name is a nicety: the check-in itself has already succeeded.
    return api.get(`/events/${query.event_id}`, { silent: true })
      .then(event => this.setData({ title: event.title }))
      .catch(() => {})
  },

  onDone() {
    wx.navigateBack({ delta: 1 })
  },
})
