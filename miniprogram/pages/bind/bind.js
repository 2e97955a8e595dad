const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')

// Refusals that need a person to sort out, shown on the page rather than in a passing toast.
const TITLES = {
  not_on_roster: '未找到您的会员信息',
  already_bound: '该会员已绑定其他微信',
}

Page({
  data: {
    busy: false,
    errorTitle: '',
    errorText: '',
  },

  async onGetPhoneNumber(e) {
    const code = e.detail && e.detail.code
    if (!code) {
      // The member declined, or the WeChat version is too old to hand out a phone code.
      this.setData({ errorTitle: '需要验证手机号', errorText: '仅用于核对工会会员名册，不会向其他人展示。请点击按钮并允许使用手机号。' })
      return
    }
    this.setData({ busy: true, errorTitle: '', errorText: '' })
    try {
      const res = await api.post('/auth/bind', { phone_code: code }, { silent: true })
      api.saveSession(res)
      wx.showToast({ title: `欢迎，${res.member.name}`, icon: 'success' })
      wx.reLaunch({ url: '/pages/events/index' })
    } catch (err) {
      this.setData({ errorTitle: TITLES[err.code] || '验证未成功', errorText: errorText(err) })
    } finally {
      this.setData({ busy: false })
    }
  },
})
