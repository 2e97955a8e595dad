// A vote's results after its close: candidates by votes as bars, the number of ballots cast here and,
// when the union counted paper ballots too, those kept apart; and the member's receipt checked against
// the published digests. Before the close the server answers 403 and the page says when results come.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { VOTE_MESSAGES, loadReceipt, receiptCounted } = require('../../utils/participation')

Page({
  data: {
    results: null, // {title, ballots, paper, rows: [{id, name, votes, paper, width, percent}]}
    notYet: false,
    loadError: '',
    check: '', // '' | 'counted' | 'not_found'
    checkText: '',
  },

  onLoad(query = {}) {
    this.id = query.id
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    let res
    try {
      res = await api.get(`/votes/${this.id}/results`, { silent: true })
    } catch (err) {
      if (err.code === 'forbidden') this.setData({ notYet: true, loadError: '' })
      else this.setData({ loadError: errorText(err, VOTE_MESSAGES) })
      return
    }
    // Paper ballots, once two staff members entered the same counts, are a count of their own
    // (res.paper); res.total adds them to the online ballots. Online votes are res.candidates.
    const paper = res.paper && res.paper.status === 'confirmed' ? res.paper : null
    const paperOf = new Map(((paper && paper.candidates) || []).map(c => [c.id, c.votes || 0]))
    const totalOf = new Map(((res.total && res.total.candidates) || []).map(c => [c.id, c.votes || 0]))
    const votesOf = c => (paper && totalOf.has(c.id) ? totalOf.get(c.id) : (c.votes || 0))
    const candidates = (res.candidates || []).slice().sort((a, b) => votesOf(b) - votesOf(a))
    const top = Math.max(1, ...candidates.map(votesOf))
    const ballots = Number(res.ballots) || 0
    const rows = candidates.map(c => ({
      id: c.id,
      name: c.name,
      votes: votesOf(c),
      paper: paper ? (paperOf.get(c.id) || 0) : null,
      width: Math.round((votesOf(c) / top) * 100),
    }))
    const record = loadReceipt(this.id)
    let check = ''
    let checkText = ''
    if (record) {
      check = receiptCounted(res, record.receipt) ? 'counted' : 'not_found'
      checkText = check === 'counted' ? '已核对：您的选票已计入' : '未在公布的回执摘要中找到您的回执，请联系工会核实'
    }
    this.setData({
      results: {
        title: res.title || (record && record.title) || '',
        ballots,
        paper: paper ? (Number(paper.ballots) || 0) : null,
        receiptCount: Array.isArray(res.receipts) ? res.receipts.length : 0,
        rows,
      },
      notYet: false,
      loadError: '',
      check,
      checkText,
    })
  },
})
