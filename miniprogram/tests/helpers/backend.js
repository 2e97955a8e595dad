// A small in-test fake of the Union Hub API, keyed by "METHOD /path", answering wx.request and
// wx.downloadFile with the contract's JSON and status codes.
const config = require('../../config')

function error(status, code, message = '', details = {}) {
  return { status, body: { error: { code, message, details } } }
}

class FakeBackend {
  constructor() {
    this.routes = []
    this.requests = []
  }

  /**
   * on('GET /events/:id', req => ({status, body, headers, delay})) or a fixed {status, body}; later routes
   * win. delay (ms) holds the answer back, so a test can let a later request overtake it.
   */
  on(route, handler) {
    const [method, pattern] = route.split(' ')
    const names = []
    const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)' }) + '$')
    this.routes.unshift({ method, re, names, handler })
    return this
  }

  handle({ method = 'GET', url, data, header }) {
    if (!url.startsWith(config.apiBase)) throw new Error('request outside the API base: ' + url)
    const [path, qs = ''] = url.slice(config.apiBase.length).split('?')
    const query = {}
    qs.split('&').filter(Boolean).forEach(kv => {
      const [k, v = ''] = kv.split('=')
      query[decodeURIComponent(k)] = decodeURIComponent(v)
    })
    const headers = Object.assign({}, header)
    const req = { method, path, query, data, headers, params: {} }
    this.requests.push(req)
    for (const r of this.routes) {
      const m = r.method === method && r.re.exec(path)
      if (!m) continue
      r.names.forEach((n, i) => { req.params[n] = m[i + 1] })
      const res = typeof r.handler === 'function' ? r.handler(req) : r.handler
      return { status: res.status || 200, body: res.body, headers: res.headers || {}, delay: res.delay || 0 }
    }
    return error(404, 'not_found', '请求的内容不存在')
  }

  /** Requests made so far, optionally only "METHOD /path" ones. */
  calls(route) {
    if (!route) return this.requests
    const [method, path] = route.split(' ')
    return this.requests.filter(r => r.method === method && r.path === path)
  }
}

module.exports = { FakeBackend, error }
