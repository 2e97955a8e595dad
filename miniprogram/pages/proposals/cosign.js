// The page an invitation opens (the shared card, and the notice sent to a member picked by name):
// pages/proposals/cosign?token=… as the server names it (POST /proposals/{id}/invite → page). The proposal's
// own page reads the draft through the invitation and co-signs with it, so this one hands the token over.
Page({
  data: { missing: false },

  onLoad(query = {}) {
    const token = query.token || ''
    if (!token) {
      this.setData({ missing: true })
      return
    }
    wx.redirectTo({ url: `/pages/proposals/detail?invite=${encodeURIComponent(token)}` })
  },
})
