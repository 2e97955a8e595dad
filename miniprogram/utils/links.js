// Links printed on posters: a notice's QR holds ".../n/<id>", an event's ".../e/<id>" (the server's public
// pages, readable in any browser). Inside the mini-program they open our own pages instead.

// Any http(s) host and path prefix (the server's public address may sit under a sub-path); a trailing
// slash, query or fragment is tolerated.
const POSTER_RE = /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?\/([ne])\/(\d+)\/?(?:[?#]\S*)?$/i

const PAGES = {
  n: { kind: 'notice', page: '/pages/notices/detail' },
  e: { kind: 'event', page: '/pages/events/detail' },
}

/** {kind: 'notice'|'event', id, url} for a poster link, or null for anything else (e.g. a check-in code). */
function posterTarget(text) {
  const m = POSTER_RE.exec(String(text || '').trim())
  if (!m) return null
  const { kind, page } = PAGES[m[1].toLowerCase()]
  const id = Number(m[2])
  return { kind, id, url: `${page}?id=${id}` }
}

/**
 * The id a detail page was opened with: ?id=, or the poster link itself in ?q= when WeChat opened the
 * page from a scanned link ("扫普通链接二维码打开小程序"). NaN when neither is usable.
 */
function pageId(query, kind) {
  if (query && query.id !== undefined && query.id !== '') return Number(query.id)
  const target = query && query.q ? posterTarget(decodeURIComponent(query.q)) : null
  return target && target.kind === kind ? target.id : NaN
}

module.exports = { posterTarget, pageId }
