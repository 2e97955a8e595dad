// My improvement items (整改事项, GET /me/improvements): a department head's items with their due dates, overdue
// first; an open one takes a progress note or is marked done with its result.
const api = require('../../utils/api')
const { withLabels, label } = require('../../utils/labels')
const { pagedList } = require('../../utils/pagedList')

const TONES = { open: 'info', done: 'success', cancelled: 'muted' }
const DONE_TEXT = { note: '进展已记录', complete: '已标记完成' }

/** How an ImprovementOut reads on this page. */
function improvementRow(i) {
  const notes = (i.events || []).filter(e => e.action === 'note')
  return {
    id: i.id,
    title: i.title,
    description: i.description,
    source: label('improvement_source', i.source),
    dueText: `期限 ${i.due_date}`,
    overdue: i.overdue,
    open: i.status === 'open',
    badge: { text: label('improvement_status', i.status), tone: TONES[i.status] || 'muted' },
    result: i.result,
    lastNote: notes.length ? notes[notes.length - 1].body : '',
  }
}

Page(pagedList({
  perPage: 20,

  async load(page, perPage) {
    const res = await withLabels(api.get('/me/improvements', { query: { page, per_page: perPage } }))
    return { items: res.items.map(improvementRow), total: res.total }
  },
}, {
  data: { editing: 0, mode: '', text: '', sending: false },

  onLoad() {
    return this.refreshList()
  },

  onShow() {
    return this.refreshShown()
  },

  onNote(e) {
    this.setData({ editing: Number(e.currentTarget.dataset.id), mode: 'note', text: '' })
  },

  onComplete(e) {
    this.setData({ editing: Number(e.currentTarget.dataset.id), mode: 'complete', text: '' })
  },

  onCancelEdit() {
    this.setData({ editing: 0, mode: '', text: '' })
  },

  onText(e) {
    this.setData({ text: e.detail.value })
  },

  async onSubmit() {
    const text = this.data.text.trim()
    const { editing: id, mode } = this.data
    if (!text || !id || this.sending) return
    this.sending = true
    this.setData({ sending: true })
    try {
      const out = mode === 'note'
        ? await withLabels(api.post(`/improvements/${id}/notes`, { body: text }))
        : await withLabels(api.post(`/improvements/${id}/complete`, { result: text }))
      this.setData({
        items: this.data.items.map(i => (i.id === id ? improvementRow(out) : i)), editing: 0, mode: '', text: '',
      })
      wx.showToast({ title: DONE_TEXT[mode], icon: 'success' })
    } catch (err) {
      // The toast said why; a step someone else took meanwhile shows once the list is fresh.
      if (err.code === 'invalid_transition') {
        this.setData({ editing: 0, mode: '', text: '' })
        await this.refreshList()
      }
    } finally {
      this.sending = false
      this.setData({ sending: false })
    }
  },
}))

module.exports = { improvementRow }
