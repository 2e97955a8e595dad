// Where the mini-program finds the Union Hub API. Point apiBase at your server (in WeChat DevTools,
// tick "不校验合法域名" for a local http address; production needs the ICP-filed https domain).
module.exports = {
  apiBase: 'http://127.0.0.1:5000/api/v1',
  // Development only: when set, sign in through POST /auth/dev-login as this roster member instead of
  // wx.login (the server must run with AUTH_DEV_LOGIN=1). Leave empty for real WeChat sign-in.
  devEmployeeNo: '',
  // Subscribe-message template ids from the mini-program console; notice must equal the server's
  // WECHAT_NOTICE_TEMPLATE_ID, the template it pushes notices with. Each "accept" allows one push.
  subscribeTemplates: { notice: 'notice-template-dev' },
}
