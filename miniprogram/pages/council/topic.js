// A council topic (pages/council/topic?id=, where the topic's notices point): the question of the month, the
// council's published selection with management's answers, and the ideas, most supported or newest first.
// While the topic is open a member supports others' ideas (one support each; withdrawn the same way, the count
// following the server's answer) and posts an idea of their own. The server's refusals (409 own_idea,
// already_supported, topic_closed) are shown in words, and the page is brought up to date after them.
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')
const { MESSAGES, FIELD_NAMES, topicView, ideaView } = require('../../utils/council')
const { fieldErrors, fieldsText } = require('../../utils/proposals')

const MAX = { title: 100, body: 5000 } // IdeaIn's limits

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const query = { sort: this.data.sort, page, per_page: perPage }
    const res = await withLabels(api.get(`/council/topics/${this.id}/ideas`, { query }))
    const now = Date.now()
    return { items: res.items.map(i => ideaView(i, { open: this.open, now })), total: res.total }
  },
}, {
  data: {
    topic: null,
    loadError: '',
    sort: 'support',
    title: '',
    body: '',
    errors: {},
    posting: false,
    max: MAX,
  },

  async onLoad(query = {}) {
    this.id = query.id
    this.pending = {}
    if (await this.loadTopic()) await this.refreshList()
  },

  onPullDownRefresh() {
    return Promise.all([this.loadTopic(), this.refreshList()]).then(() => wx.stopPullDownRefresh())
  },

  /** The topic with its selection; resolves whether it could be shown. */
  async loadTopic() {
    try {
      const t = await withLabels(api.get(`/council/topics/${this.id}`, { silent: true }))
      this.open = t.status === 'open'
      const topic = topicView(t, { now: Date.now() })
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: `${topic.monthText}议题` })
      this.setData({ topic, loadError: '' })
      return true
    } catch (err) {
      if (!this.data.topic) this.setData({ loadError: errorText(err, MESSAGES) })
      return false
    }
  },

  onSort(e) {
    const sort = e.currentTarget.dataset.sort
    if (sort === this.data.sort) return Promise.resolve()
    this.setData({ sort })
    return this.refreshList()
  },

  /** Show an idea as the server answered it (its count and whether I support it). */
  showIdea(idea) {
    const index = this.data.items.findIndex(i => i.id === idea.id)
    if (index >= 0) this.setData({ [`items[${index}]`]: ideaView(idea, { open: this.open }) })
  },

  /** One support action per idea at a time: a second tap while one is on its way sends nothing. */
  async toggle(id, send) {
    if (this.pending[id]) return
    this.pending[id] = true
    try {
      this.showIdea(await send())
    } catch (err) {
      wx.showToast({ title: errorText(err, MESSAGES), icon: 'none', duration: 2500 })
      // The page was behind the server: the topic has closed, or this idea is already (not) supported.
      if (err.code === 'topic_closed') await this.loadTopic()
      if (['topic_closed', 'already_supported', 'not_supported'].includes(err.code)) await this.refreshList()
    } finally {
      delete this.pending[id]
    }
  },

  onSupport(e) {
    const id = e.currentTarget.dataset.id
    return this.toggle(id, () => api.post(`/council/ideas/${id}/support`, undefined, { silent: true }))
  },

  onWithdraw(e) {
    const id = e.currentTarget.dataset.id
    return this.toggle(id, () => api.del(`/council/ideas/${id}/support`, { silent: true }))
  },

  // Posting an idea while the topic is open.
  onTitle(e) { this.setData({ title: e.detail.value, 'errors.title': '' }) },
  onBody(e) { this.setData({ body: e.detail.value, 'errors.body': '' }) },

  async onPost() {
    if (this.posting) return
    const title = this.data.title.trim()
    const body = this.data.body.trim()
    const errors = {}
    if (!title) errors.title = '请填写建议标题'
    if (!body) errors.body = '请写明您的建议'
    if (Object.keys(errors).length) {
      this.setData({ errors })
      return
    }
    this.posting = true
    this.setData({ posting: true, errors: {} })
    try {
      await api.post(`/council/topics/${this.id}/ideas`, { title, body }, { silent: true })
      wx.showToast({ title: '建议已提交', icon: 'success' })
      // Newest first, so the member sees their idea at the top.
      this.setData({ title: '', body: '', sort: 'new', 'topic.ideasCount': this.data.topic.ideasCount + 1 })
      await this.refreshList()
    } catch (err) {
      const fields = err.code === 'invalid_request' ? fieldErrors(err) : {}
      if (Object.keys(fields).length) this.setData({ errors: fields })
      wx.showToast({ title: fieldsText(err, FIELD_NAMES) || errorText(err, MESSAGES), icon: 'none', duration: 2500 })
      if (err.code === 'topic_closed') await Promise.all([this.loadTopic(), this.refreshList()])
    } finally {
      this.posting = false
      this.setData({ posting: false })
    }
  },
}))
