// One paged list for every page that shows one (events, notices, my bookings, my registrations, a
// calendar's slots, published suggestions): page/per_page requests, pull-down refresh, more on reaching
// the bottom, and the loading / failed / finished states the page's WXML shows.
//
//   Page(pagedList({
//     perPage: 20,
//     beforeRefresh() { this.from = toShanghaiISO(Date.now()) },  // optional
//     load(page, perPage) {                                      // `this` is the page
//       return api.get('/events', { query: { page, per_page: perPage } })
//         .then(res => ({ items: res.items.map(eventView), total: res.total }))
//     },
//   }, { data: {...}, onLoad() { return this.refreshList() }, ... }))
//
// load resolves {items, total} and may add done: true (nothing further to show, whatever the total) and
// data: {...} (more fields to set with the page, e.g. an unread count). present(items), if given, adds
// fields computed from the whole list (e.g. slots grouped by day). The page's own options win over these.

function pagedState() {
  return { items: [], page: 0, total: 0, loading: false, finished: false, failed: false }
}

function pagedList(list, pageOptions = {}) {
  const perPage = list.perPage || 20
  const key = list.key || 'id'

  async function fetchPage(page, seq, ctx) {
    ctx.setData({ loading: true, failed: false })
    let result
    try {
      result = await list.load.call(ctx, page, perPage)
    } catch (err) {
      // The API client has toasted why; the same page is asked for again on the next pull or scroll (after a
      // failed refresh that is the first page, even below a list that had been complete).
      if (seq === ctx.pagedSeq) ctx.setData({ loading: false, failed: true, finished: false })
      return
    }
    // A refresh started meanwhile: this answer belongs to a list that is no longer shown.
    if (seq !== ctx.pagedSeq) return
    let items = result.items
    if (page > 1) {
      // Newest-first lists shift when something is added meanwhile: drop what is already listed.
      const seen = {}
      ctx.data.items.forEach(item => { seen[item[key]] = true })
      items = ctx.data.items.concat(items.filter(item => !seen[item[key]]))
    }
    const finished = !!result.done || result.items.length === 0 || items.length >= result.total
    ctx.pagedNext = page + 1
    ctx.setData(Object.assign(
      { items, page, total: result.total, finished, loading: false, failed: false },
      list.present ? list.present.call(ctx, items) : {},
      result.data
    ))
  }

  const methods = {
    /** Load the first page anew; resolves when it is shown (never rejects). */
    refreshList() {
      this.pagedSeq = (this.pagedSeq || 0) + 1
      // Until the first page is back, "more" means this first page again (a failed refresh is retried).
      this.pagedNext = 1
      if (list.beforeRefresh) list.beforeRefresh.call(this)
      return fetchPage(1, this.pagedSeq, this)
    },

    /** Back on a page whose list was shown: show it anew (things may have changed), unless a load is running. */
    refreshShown() {
      if (this.data.page > 0 && !this.data.loading) return this.refreshList()
      return Promise.resolve()
    },

    /** Load the next page, unless one is loading or the list is complete; after a failure, retry it. */
    loadMore() {
      if (this.data.loading || this.data.finished) return Promise.resolve()
      if (!this.pagedSeq) return this.refreshList()
      return fetchPage(this.pagedNext, this.pagedSeq, this)
    },

    onPullDownRefresh() {
      return this.refreshList().then(() => wx.stopPullDownRefresh())
    },

    onReachBottom() {
      return this.loadMore()
    },
  }

  return Object.assign({}, methods, pageOptions, {
    data: Object.assign(pagedState(), pageOptions.data),
  })
}

module.exports = { pagedList }
