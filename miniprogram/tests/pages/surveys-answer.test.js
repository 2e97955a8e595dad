const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { survey, error } = require('../helpers/contract')

let wxs
let current // the survey as the fake server has it

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  // The suite's clock (tests/helpers/clock.js), again for each test: one test moves past the close.
  jest.setSystemTime(Date.parse('2026-11-25T12:00:00+08:00'))
  current = survey()
  wxs.backend.on('GET /surveys/:id', req => (req.params.id === String(current.id) ? { body: current } : error(404, 'not_found', '')))
  wxs.backend.on('POST /surveys/:id/responses', { status: 201, body: {} })
})

async function open(query = { id: '61' }) {
  const p = loadPage('pages/surveys/answer')
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

async function tap(p, id) {
  p.fire(id)
  await wxs.settle()
}

/** Answer every required question of the default survey, moving forward one question at a time. */
async function answerAll(p) {
  await tap(p, 'option-0-1') // 夜班
  await tap(p, 'next')
  await tap(p, 'option-1-0')
  await tap(p, 'option-1-2')
  await tap(p, 'next')
  await tap(p, 'scale-2-4')
  await tap(p, 'next')
}

test('one question at a time, with the progress bar saying where the member is', async () => {
  const p = await open()

  expect(p.texts('#progress')).toEqual(['第 1/4 题'])
  expect(p.text()).toContain('您的工作班次')
  expect(p.text()).not.toContain('您希望工会提供哪些服务')
  expect(p.text()).toContain('截止：12月5日 周六 18:00')

  await tap(p, 'next')
  await tap(p, 'next')
  expect(p.texts('#progress')).toEqual(['第 3/4 题'])
  expect(p.text()).toContain('您对食堂的满意度')

  await tap(p, 'toggle-all')
  expect(p.texts('.question')).toHaveLength(4)
})

test('answers are kept as the member goes, and leaving and coming back restores them', async () => {
  const first = await open()
  await tap(first, 'option-0-2') // 倒班
  await tap(first, 'next')
  await tap(first, 'option-1-1')
  await tap(first, 'option-1-3')

  // The member leaves; a later visit is a fresh page.
  const again = await open()

  expect(again.exists('restored')).toBe(true)
  expect(again.text()).toContain('已恢复您上次填写的进度')
  expect(again.texts('#progress')).toEqual(['第 2/4 题'])
  expect(again.texts('.option.on')).toEqual(['☑职工食堂', '☑技能培训'])
  expect(again.texts('#answered-count')).toEqual(['已答 2/4'])
  await tap(again, 'prev')
  expect(again.texts('.option.on')).toEqual(['●倒班'])

  // Kept under the survey's id, so another survey's draft is its own.
  expect(wxs.storage['survey-draft-61'].answers).toEqual({ 0: { choice: 2 }, 1: { choices: [1, 3] } })
})

test('a required question left open blocks the submit and is shown to the member', async () => {
  const p = await open()
  await tap(p, 'option-0-0')
  await tap(p, 'next')
  await tap(p, 'next') // the services question skipped
  await tap(p, 'scale-2-3')
  await tap(p, 'next')

  await tap(p, 'submit')

  expect(wxs.backend.calls('POST /surveys/61/responses')).toHaveLength(0)
  expect(p.texts('#error')).toEqual(['第 2 题为必答题，请作答后再提交'])
  expect(p.texts('#progress')).toEqual(['第 2/4 题'])
  expect(wxs.toasts).toContain('第 2 题为必答题，请作答后再提交')
})

test('the answers go in the contract\'s shape; an optional question left open is left out; the draft is cleared', async () => {
  const p = await open()
  await answerAll(p)

  await tap(p, 'submit')

  const [req] = wxs.backend.calls('POST /surveys/61/responses')
  expect(req.data).toEqual({ answers: [
    { question: 0, choice: 1 },
    { question: 1, choices: [0, 2] },
    { question: 2, value: 4 },
  ] })
  expect(req.headers.Authorization).toBe('Bearer token-of-7')
  expect(p.exists('done')).toBe(true)
  expect(p.text()).toContain('提交成功，感谢您的参与')
  expect(wxs.storage['survey-draft-61']).toBeUndefined()

  // Coming back later starts clean (no "restored" notice from an old draft).
  current = survey({ answered: true })
  const again = await open()
  expect(again.exists('restored')).toBe(false)
})

test('a text answer is sent trimmed, by the question\'s index', async () => {
  current = survey({ questions: [
    { index: 5, kind: 'text', text: '您最希望工会办的一件实事', required: true },
  ] })
  const p = await open()
  p.fire('text-0', 'input', { value: '  增加夜班热饭窗口  ' })
  await wxs.settle()

  await tap(p, 'submit')

  expect(wxs.backend.calls('POST /surveys/61/responses')[0].data).toEqual({ answers: [{ question: 5, text: '增加夜班热饭窗口' }] })
})

test('a double tap on submit sends the answers once', async () => {
  wxs.backend.on('POST /surveys/:id/responses', { status: 201, body: {}, delay: 30 })
  const p = await open()
  await answerAll(p)

  p.fire('submit')
  p.fire('submit')
  p.page.onSubmit()
  await wxs.settle()

  expect(wxs.backend.calls('POST /surveys/61/responses')).toHaveLength(1)
})

test('an anonymous survey says clearly what the union can and cannot know', async () => {
  current = survey({ anonymous: true })
  const p = await open()

  expect(p.texts('#anonymous')).toEqual(['本问卷为匿名问卷：工会只知道您是否已填写，不知道您填写的内容'])

  current = survey({ anonymous: false })
  const identified = await open()
  expect(identified.exists('anonymous')).toBe(false)
})

test('409 already_answered says so and drops the draft', async () => {
  wxs.backend.on('POST /surveys/:id/responses', error(409, 'already_answered'))
  const p = await open()
  await answerAll(p)

  await tap(p, 'submit')

  expect(p.exists('already')).toBe(true)
  expect(p.text()).toContain('您已填写过该问卷')
  expect(wxs.toasts).toContain('您已填写过该问卷')
  expect(wxs.storage['survey-draft-61']).toBeUndefined()
})

test.each([
  [409, 'survey_closed', '该问卷不在填写时间内（未开始或已截止）'],
  [403, 'not_eligible', '该问卷仅面向指定部门或群体，您不在调查范围内'],
  [400, 'invalid_request', '答案内容有误，请检查后重新提交'],
])('%i %s is explained and the draft is kept', async (status, code, text) => {
  wxs.backend.on('POST /surveys/:id/responses', error(status, code))
  const p = await open()
  await answerAll(p)

  await tap(p, 'submit')

  expect(p.texts('#error')).toEqual([text])
  expect(wxs.toasts).toContain(text)
  expect(wxs.storage['survey-draft-61'].answers[0]).toEqual({ choice: 1 })
  // The member may try again: the button is back.
  expect(p.prop('submit', 'disabled')).toBe(false)
})

test('the server\'s own message wins over the page\'s text', async () => {
  wxs.backend.on('POST /surveys/:id/responses', error(409, 'survey_closed', '问卷已于 12月5日 18:00 截止'))
  const p = await open()
  await answerAll(p)

  await tap(p, 'submit')

  expect(p.texts('#error')).toEqual(['问卷已于 12月5日 18:00 截止'])
})

test('a survey that cannot be loaded says why', async () => {
  const p = await open({ id: '999' })

  expect(p.texts('#load-error')).toEqual(['该问卷不存在或已被撤回'])
})

test('question kinds read as names even before the server labels them', async () => {
  const p = await open()
  await tap(p, 'toggle-all')

  const text = p.text()
  expect(text).toContain('单选 · 必答')
  expect(text).toContain('多选 · 必答')
  expect(text).toContain('评分 · 必答')
  expect(text).toContain('填空 · 选答')
  expect(text).not.toMatch(/single|multiple|scale/)
})

test('a survey past its close says so and drops a draft left from before', async () => {
  wxs.storage['survey-draft-61'] = { answers: { 0: { choice: 1 } }, current: 0 }
  jest.setSystemTime(Date.parse('2026-12-06T09:00:00+08:00'))
  const p = await open()

  expect(p.texts('#closed .result-title')).toEqual(['该问卷已截止'])
  expect(p.exists('submit')).toBe(false)
  expect(wxs.storage['survey-draft-61']).toBeUndefined()
})
