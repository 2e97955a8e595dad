// Callback-style wx.* calls as promises; the function is looked up on each call so it is always the
// runtime's current wx.
function wxp(name, options = {}) {
  return new Promise((resolve, reject) => {
    wx[name](Object.assign({}, options, { success: resolve, fail: reject }))
  })
}

module.exports = wxp
