// Answering a survey: one question at a time with a progress bar (or all at once), each answer kept on
// the phone as it is given so leaving and coming back restores it, required questions checked before the
// one submit. An anonymous survey says plainly what the union can and cannot know. The draft is dropped
// once the server has the answers (or says it already had them).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const {
  SURVEY_MESSAGES, questionKindText, closesText, isClosed, loadDraft, saveDraft, clearDraft,
} = require('../../utils/participation')

const SCALE = [1, 2, 3, 4, 5]
const ANONYMOUS_NOTICE = '本问卷为匿名问卷：工会只知道您是否已填写，不知道您填写的内容'
const TEXT_MAX = 1000

/** Whether an answer (as kept in the draft) says anything. */
function isAnswered(answer) {
  if (!answer) return false
  if (typeof answer.choice === 'number') return true
  if (Array.isArray(answer.choices)) return answer.choices.length > 0
  if (typeof answer.value === 'number') return true
  return typeof answer.text === 'string' && answer.text.trim() !== ''
}

/** A question as the page shows it, with the member's answer so far. */
function questionView(q, pos, answer) {
  const a = answer || {}
  const chosen = Array.isArray(a.choices) ? a.choices : []
  return {
    pos,
    index: q.index,
    kind: q.kind,
    kindText: questionKindText(q.kind),
    text: q.text,
    required: q.required !== false,
    options: (q.options || []).map((text, i) => ({
      i, text, on: q.kind === 'multiple' ? chosen.includes(i) : a.choice === i,
    })),
    scale: SCALE.map(v => ({ v, on: a.value === v })),
    textValue: typeof a.text === 'string' ? a.text : '',
    answered: isAnswered(a),
  }
}

Page({
  data: {
    survey: null,
    questions: [],
    current: 0,
    total: 0,
    progressText: '',
    progressPercent: 0,
    answeredCount: 0,
    showAll: false,
    restored: false,
    anonymousNotice: ANONYMOUS_NOTICE,
    textMax: TEXT_MAX,
    loadError: '',
    error: '',
    done: '', // 'submitted' | 'already' | 'closed'
    submitting: false,
  },

  onLoad(query = {}) {
    this.id = query.id
    this.answers = {}
    return this.load()
  },

  async load() {
    let survey
    try {
      survey = await withLabels(api.get(`/surveys/${this.id}`, { silent: true }))
    } catch (err) {
      this.setData({ loadError: errorText(err, SURVEY_MESSAGES) })
      return
    }
    // Questions are answered by their index; a survey that numbers none is numbered by position.
    this.questions = (survey.questions || []).map((q, pos) => Object.assign({}, q, {
      index: typeof q.index === 'number' ? q.index : pos,
    }))
    const now = Date.now()
    const view = {
      id: survey.id,
      title: survey.title,
      description: survey.description || '',
      anonymous: !!survey.anonymous,
      closesText: closesText(survey.closes_at, now),
    }
    if (survey.answered) {
      clearDraft(this.id)
      this.setData({ survey: view, done: 'already', loadError: '' })
      return
    }
    if (isClosed(survey.closes_at, now)) {
      // Nothing can be sent any more; a draft left from before the close has no use.
      clearDraft(this.id)
      this.setData({ survey: view, done: 'closed', loadError: '' })
      return
    }
    const draft = loadDraft(this.id)
    let current = 0
    let restored = false
    if (draft) {
      const known = {}
      this.questions.forEach(q => { known[q.index] = true })
      Object.keys(draft.answers).forEach(k => {
        if (known[k] && isAnswered(draft.answers[k])) this.answers[k] = draft.answers[k]
      })
      restored = Object.keys(this.answers).length > 0
      current = Math.min(Math.max(Number(draft.current) || 0, 0), Math.max(this.questions.length - 1, 0))
    }
    this.setData({ survey: view, loadError: '', restored })
    this.render(current)
  },

  /** Show the questions with the answers so far, at question position current. */
  render(current = this.data.current) {
    const questions = this.questions.map((q, pos) => questionView(q, pos, this.answers[q.index]))
    const total = questions.length
    this.setData({
      questions,
      current,
      total,
      progressText: total ? `第 ${current + 1}/${total} 题` : '',
      progressPercent: total ? Math.round(((current + 1) / total) * 100) : 0,
      answeredCount: questions.filter(q => q.answered).length,
    })
  },

  /** Keep what the member has given so far on the phone, then show it. */
  answer(index, value) {
    if (isAnswered(value)) this.answers[index] = value
    else delete this.answers[index]
    this.persist()
    this.setData({ error: '' })
    this.render()
  },

  persist(current = this.data.current) {
    saveDraft(this.id, { answers: this.answers, current })
  },

  question(e) {
    return this.questions[Number(e.currentTarget.dataset.pos)]
  },

  onOption(e) {
    const q = this.question(e)
    const i = Number(e.currentTarget.dataset.option)
    if (q.kind === 'multiple') {
      const prev = (this.answers[q.index] && this.answers[q.index].choices) || []
      const choices = prev.includes(i) ? prev.filter(c => c !== i) : prev.concat(i).sort((a, b) => a - b)
      this.answer(q.index, { choices })
    } else {
      this.answer(q.index, { choice: i })
    }
  },

  onScale(e) {
    this.answer(this.question(e).index, { value: Number(e.currentTarget.dataset.value) })
  },

  onText(e) {
    this.answer(this.question(e).index, { text: e.detail.value })
  },

  go(current) {
    if (current < 0 || current >= this.data.total) return
    this.persist(current)
    this.render(current)
  },

  onPrev() {
    this.go(this.data.current - 1)
  },

  onNext() {
    this.go(this.data.current + 1)
  },

  onToggleAll() {
    this.setData({ showAll: !this.data.showAll })
  },

  async onSubmit() {
    if (this.submitting || this.data.done) return
    const missing = this.questions.findIndex(q => q.required !== false && !isAnswered(this.answers[q.index]))
    if (missing >= 0) {
      const error = `第 ${missing + 1} 题为必答题，请作答后再提交`
      this.setData({ error })
      this.go(missing)
      wx.showToast({ title: error, icon: 'none', duration: 2500 })
      return
    }
    const answers = this.questions
      .filter(q => isAnswered(this.answers[q.index]))
      .map(q => {
        const a = this.answers[q.index]
        return Object.assign({ question: q.index }, typeof a.text === 'string' ? { text: a.text.trim() } : a)
      })
    this.submitting = true
    this.setData({ submitting: true, error: '' })
    try {
      await api.post(`/surveys/${this.id}/responses`, { answers }, { silent: true })
      clearDraft(this.id)
      this.setData({ done: 'submitted' })
      wx.showToast({ title: '提交成功', icon: 'success' })
    } catch (err) {
      const error = errorText(err, SURVEY_MESSAGES)
      if (err.code === 'already_answered') {
        clearDraft(this.id)
        this.setData({ done: 'already' })
      } else {
        this.setData({ error })
      }
      wx.showToast({ title: error, icon: 'none', duration: 2500 })
    } finally {
      this.submitting = false
      this.setData({ submitting: false })
    }
  },

  onBack() {
    wx.navigateBack()
  },
})
