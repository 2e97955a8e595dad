// The Chinese names of the server's vocabularies (event kinds, statuses, categories …), served by
// GET /meta/labels as {vocabulary: {value: label}} in display order. Loaded once per launch, kept in
// memory and in storage, and revalidated with If-None-Match, so a second launch renders at once from the
// stored copy and an offline one still has names. Presentation that is not a name (badge tones, intro
// texts) stays in the pages.
const api = require('./api')

const STORE_KEY = 'labels'

let current = null // {etag, vocabularies}
let pending = null

function stored() {
  const saved = wx.getStorageSync(STORE_KEY)
  return saved && saved.vocabularies ? saved : null
}

// Header names arrive as the server wrote them on one platform and lower-cased on another.
function headerValue(header, name) {
  const key = Object.keys(header || {}).find(k => k.toLowerCase() === name)
  return key ? header[key] : ''
}

async function revalidate() {
  if (!current) current = stored()
  const headers = current && current.etag ? { 'If-None-Match': current.etag } : {}
  try {
    const res = await api.request('GET', '/meta/labels', { auth: false, silent: true, full: true, headers })
    if (res.status === 304 && current) return current
    if (res.status === 200 && res.data && typeof res.data === 'object') {
      current = { etag: headerValue(res.header, 'etag'), vocabularies: res.data }
      wx.setStorageSync(STORE_KEY, current)
    }
  } catch (err) {
    // Offline or the server is down: the stored copy (if any) serves, and label() falls back to values.
  }
  return current
}

/**
 * Resolves once the labels are known as well as they can be this launch (never rejects): fetched or
 * revalidated once, shared by every caller. Pages wait for it together with their own data.
 */
function ready() {
  if (!pending) pending = revalidate()
  return pending
}

function vocabulary(vocab) {
  if (!current) current = stored()
  return (current && current.vocabularies[vocab]) || {}
}

/** The promise's value once the labels are ready too: a page renders names, never raw values, at first. */
function withLabels(promise) {
  return Promise.all([promise, ready()]).then(([value]) => value)
}

/** The label of a value; an unknown vocabulary or value (or no labels at all) shows the value itself. */
function label(vocab, value) {
  const names = vocabulary(vocab)
  return Object.prototype.hasOwnProperty.call(names, value) ? names[value] : value
}

/** A vocabulary as [{value, label}] in the server's display order (pickers, option lists). */
function options(vocab) {
  const names = vocabulary(vocab)
  return Object.keys(names).map(value => ({ value, label: names[value] }))
}

module.exports = { ready, withLabels, label, options, STORE_KEY }
