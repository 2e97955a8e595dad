// Picking another member by name: the page's input (onQuery), its search (onSearch) against a route that
// answers {"items": [{id, name, department}]} for ?q= (a proposal's co-signer candidates, a craftsman round's
// nominee candidates), and the data the list reads: query, candidates, searched. Only the latest search's
// answer is shown, whatever order the answers come back in.
const api = require('./api')
const { errorText } = require('./errors')

function searchData() {
  return { query: '', candidates: [], searched: false }
}

/**
 * The methods to mix into a page. path() (called with the page as this) names the route; messages words its
 * error codes (see errors.js).
 */
function memberSearch({ path, messages = {} }) {
  return {
    onQuery(e) {
      this.setData({ query: e.detail.value })
    },

    async onSearch() {
      const q = this.data.query.trim()
      if (!q) return
      const seq = (this.searchSeq || 0) + 1
      this.searchSeq = seq
      try {
        const res = await api.get(path.call(this), { query: { q }, silent: true })
        if (seq !== this.searchSeq) return
        this.setData({
          candidates: (res.items || []).map(c => ({ id: c.id, name: c.name, department: c.department || '' })),
          searched: true,
        })
      } catch (err) {
        wx.showToast({ title: errorText(err, messages), icon: 'none', duration: 2500 })
      }
    },
  }
}

module.exports = { memberSearch, searchData }
