// Entrance to the anonymous suggestion box: what anonymity means here, and the three ways in.
Page({
  data: {},

  onWrite() {
    wx.navigateTo({ url: '/pages/suggestions/new' })
  },

  onMine() {
    wx.navigateTo({ url: '/pages/suggestions/mine' })
  },

  onPublic() {
    wx.navigateTo({ url: '/pages/suggestions/public' })
  },
})
