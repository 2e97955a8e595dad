const { installWx, MEMBER } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { LABELS } = require('../helpers/contract')
const REAL = require('../fixtures/care.json')

// The member's hardship aid pages answer with the server's own shapes (fixtures/care.json, checked against the
// server by tests/care/test_miniprogram_fixture.py). The suite's clock is 2026-11-25 12:00 in Shanghai.
const CATEGORY = LABELS.care_category
const STAGE = LABELS.care_stage
const LIAISON = Object.assign({}, MEMBER, { id: 40, name: '李强', roles: ['member', 'liaison'] })

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  wxs.backend.on('GET /me', { body: MEMBER })
})

const sq = list => list.map(t => t.replace(/\s+/g, ''))
const [pending, aided] = REAL.my_cases.items

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('my applications', () => {
  test('each shows its category, stage, next step and the stages passed with their dates, and nothing else', async () => {
    wxs.backend.on('GET /me/care-cases', { body: REAL.my_cases })
    const p = await open('pages/care/index')

    expect(sq(p.texts(`#case-${pending.id} .head`))).toEqual(sq([`${CATEGORY[pending.category]} ${pending.stage_label}`]))
    expect(p.texts(`#case-${pending.id} .next`)).toEqual([`下一步${pending.next_step}`])
    expect(p.texts(`#case-${pending.id} .meta`)).toEqual(['申请于 11月20日 周五 · 更新于 11月24日 周二'])
    expect(sq(p.texts(`#case-${pending.id} .step`))).toEqual(sq([
      `${STAGE.opened} 11月20日 周五`, `${STAGE.assessing} 11月21日 周六`, `${STAGE.awaiting_chair} 11月24日 周二`]))
    expect(p.texts(`#case-${aided.id} .step`)).toHaveLength(aided.timeline.length)
    expect(p.comp.querySelector(`#case-${pending.id} .badge`).dom.className).toContain('badge-warning')
    expect(p.comp.querySelector(`#case-${aided.id} .badge`).dom.className).toContain('badge-info')
    expect(wxs.backend.calls('GET /me/care-cases')[0].query).toEqual({ page: '1', per_page: '20' })
    // What the member's page keeps on the phone: labels and the sign-in, never a case.
    expect(Object.keys(wxs.storage).sort()).toEqual(['labels', 'member', 'token'])
  })

  test('withdrawing asks first, is sent once, and the list shows the new stage', async () => {
    let answer = REAL.my_cases
    wxs.backend.on('GET /me/care-cases', () => ({ body: answer }))
    wxs.backend.on(`POST /care/cases/${pending.id}/withdraw`, () => {
      answer = Object.assign({}, REAL.my_cases, { items: [REAL.withdrawn, aided] })
      return { body: REAL.withdrawn, delay: 10 }
    })
    const p = await open('pages/care/index')
    // Only before the chair approved: the aided one has no button.
    expect(p.exists(`withdraw-${aided.id}`)).toBe(false)

    wxs.modalAnswers.push({ confirm: false, cancel: true })
    await p.page.onWithdraw({ currentTarget: { dataset: { id: pending.id } } })
    expect(wxs.backend.calls(`POST /care/cases/${pending.id}/withdraw`)).toHaveLength(0)

    wxs.modalAnswers.push({ confirm: true, cancel: false })
    p.fire(`withdraw-${pending.id}`)
    p.fire(`withdraw-${pending.id}`)
    await wxs.settle()

    expect(wxs.modals.map(m => m.title)).toEqual(['撤回帮扶申请', '撤回帮扶申请'])
    expect(wxs.backend.calls(`POST /care/cases/${pending.id}/withdraw`)).toHaveLength(1)
    expect(wxs.toasts).toContain('已撤回')
    expect(sq(p.texts(`#case-${pending.id} .head`))).toEqual(sq([`${CATEGORY[pending.category]} ${REAL.withdrawn.stage_label}`]))
    expect(p.exists(`withdraw-${pending.id}`)).toBe(false)
  })

  test('a withdrawal the server refuses (approved meanwhile) says why and shows the stage now', async () => {
    let answer = REAL.my_cases
    wxs.backend.on('GET /me/care-cases', () => ({ body: answer }))
    wxs.backend.on(`POST /care/cases/${pending.id}/withdraw`, () => {
      answer = Object.assign({}, REAL.my_cases, {
        items: [Object.assign({}, pending, { stage: 'approved', stage_label: STAGE.approved }), aided] })
      return { status: 409, body: REAL.withdraw_too_late }
    })
    const p = await open('pages/care/index')
    wxs.modalAnswers.push({ confirm: true, cancel: false })
    p.fire(`withdraw-${pending.id}`)
    await wxs.settle()

    expect(wxs.toasts).toEqual([REAL.withdraw_too_late.error.message])
    expect(p.comp.querySelector(`#case-${pending.id} .badge`).dom.textContent).toBe(STAGE.approved)
    expect(p.exists(`withdraw-${pending.id}`)).toBe(false)
  })

  test('with none yet it says what the aid is for; 申请 opens the form', async () => {
    wxs.backend.on('GET /me/care-cases', { body: Object.assign({}, REAL.my_cases, { items: [], total: 0 }) })
    const p = await open('pages/care/index')

    expect(p.texts('#empty')).toEqual(['还没有帮扶申请。因病、意外、家庭变故或收入困难，可以向工会申请帮扶。'])
    expect(p.exists('apply-for-member')).toBe(false)
    p.fire('apply')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/care/apply' }])
  })

  test('a liaison (as GET /me says) also applies for a member of the grid', async () => {
    wxs.signIn(LIAISON)
    wxs.backend.on('GET /me', { body: LIAISON })
    wxs.backend.on('GET /me/care-cases', { body: Object.assign({}, REAL.my_cases, { items: [], total: 0 }) })
    const p = await open('pages/care/index')

    p.fire('apply-for-member')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/care/apply?behalf=1' }])
  })
})

describe('applying', () => {
  const categories = Object.keys(CATEGORY)

  test('says who will see it, checks the form, and sends the category and summary once', async () => {
    wxs.backend.on('POST /care/cases', { status: 201, body: REAL.created, delay: 10 })
    const p = await open('pages/care/apply')

    expect(p.texts('#privacy')[0]).toContain('只有工会主席和负责个案的工会干事能看到')
    expect(p.page.data.categoryLabels).toEqual(Object.values(CATEGORY))
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请选择困难类别'])

    p.fire('category', 'change', { value: categories.indexOf('income') })
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请简要说明遇到的困难'])

    p.fire('summary', 'input', { value: '  爱人下岗，孩子上学，每月收入不足三千 ' })
    p.fire('submit')
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /care/cases').map(r => r.data)).toEqual([
      { category: 'income', summary: '爱人下岗，孩子上学，每月收入不足三千' }])
    expect(wxs.toasts).toEqual(['申请已提交'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
    expect(Object.keys(wxs.storage).sort()).toEqual(['labels', 'member', 'token'])
  })

  test('a second application of the same kind is refused with the way to the first', async () => {
    wxs.backend.on('POST /care/cases', { status: 409, body: { error: Object.assign({}, REAL.case_open.error, { message: '' }) } })
    const p = await open('pages/care/apply')
    p.fire('category', 'change', { value: 0 })
    p.fire('summary', 'input', { value: '住院' })
    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['您已有一个同类的帮扶申请正在办理，请在「我的帮扶申请」中查看进度'])
    expect(p.prop('submit', 'disabled')).toBe(false)
    expect(wxs.navigations).toEqual([])
  })

  test('a liaison names the member by employee number; another grid\'s member is refused', async () => {
    wxs.signIn(LIAISON)
    let status = 403
    wxs.backend.on('POST /care/cases', () => (status === 403
      ? { status: 403, body: REAL.other_grid } : { status: 201, body: REAL.liaison_created }))
    const p = await open('pages/care/apply', { behalf: '1' })

    expect(p.exists('employee-no')).toBe(true)
    p.fire('category', 'change', { value: categories.indexOf('illness') })
    p.fire('summary', 'input', { value: '家中老人重病住院' })
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请填写会员工号'])

    p.fire('employee-no', 'input', { value: ' E2001 ' })
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual([REAL.other_grid.error.message])

    status = 201
    p.fire('employee-no', 'input', { value: 'E1009' })
    p.fire('submit')
    await wxs.settle()
    expect(wxs.backend.calls('POST /care/cases').map(r => r.data)).toEqual([
      { category: 'illness', summary: '家中老人重病住院', member_employee_no: 'E2001' },
      { category: 'illness', summary: '家中老人重病住院', member_employee_no: 'E1009' },
    ])
    expect(wxs.toasts).toEqual(['已代为申请'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })

  test('the page title never names the member or the case', async () => {
    const titles = []
    wx.setNavigationBarTitle = o => titles.push(o.title)
    await open('pages/care/apply', { behalf: '1' })
    expect(titles).toEqual(['为网格成员申请帮扶'])
  })
})

describe('from a hardship request', () => {
  const { request } = require('../helpers/contract')

  test('the member\'s own hardship request offers the application, which is sent linked to it', async () => {
    wxs.backend.on('GET /requests/301', { body: request({ category: 'hardship' }) })
    const r = await open('pages/requests/detail', { id: '301' })
    r.fire('apply-care')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/care/apply?request_id=301' }])

    wxs.backend.on('POST /care/cases', { status: 201, body: REAL.created })
    const p = await open('pages/care/apply', { request_id: '301' })
    p.fire('category', 'change', { value: Object.keys(CATEGORY).indexOf('income') })
    p.fire('summary', 'input', { value: '爱人下岗' })
    p.fire('submit')
    await wxs.settle()
    expect(wxs.backend.calls('POST /care/cases').map(c => c.data)).toEqual([
      { category: 'income', summary: '爱人下岗', request_id: 301 }])
  })

  test('other requests, and other members\' hardship requests, do not', async () => {
    wxs.backend.on('GET /requests/301', { body: request() })
    wxs.backend.on('GET /requests/302', { body: request({ id: 302, category: 'hardship', member: { id: 8, name: '张伟' } }) })
    expect((await open('pages/requests/detail', { id: '301' })).exists('apply-care')).toBe(false)
    expect((await open('pages/requests/detail', { id: '302', as: 'liaison' })).exists('apply-care')).toBe(false)
  })
})
