const api = require('./utils/api')
const { errorText } = require('./utils/errors')
const { refreshUnread } = require('./utils/notices')
const labels = require('./utils/labels')

App({
  onLaunch() {
    // The names of kinds and statuses need no sign-in: ask for them alongside it, not after.
    labels.ready()
    // Sign in once at launch; pages that call the API meanwhile share this same login.
    this.ready = api.login().then(
      member => {
        if (!member) wx.reLaunch({ url: '/pages/bind/bind' })
        // The unread count belongs on the 通知 tab before the member opens it.
        else refreshUnread()
        return member
      },
      err => {
        wx.showToast({ title: errorText(err), icon: 'none', duration: 2500 })
        return null
      }
    )
  },
})
