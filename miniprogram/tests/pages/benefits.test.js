const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { error } = require('../helpers/contract')
const REAL = require('../fixtures/benefits.json')

// Answers shaped as the server gives them (tests/benefits/test_miniprogram_fixture.py checks the file's keys against
// the server). The suite's clock is 2026-11-25 12:00 in Shanghai: the winter campaign's claim window is open.
let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

const sq = list => list.map(t => t.replace(/\s+/g, ''))
const clone = o => JSON.parse(JSON.stringify(o))
const B = REAL.benefit_open
const [VEST, WARMER, RICE] = B.options

async function open(route, query = {}) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

describe('福利领取 (the campaigns)', () => {
  test('lists the open and upcoming campaigns, my claim marked, and opens one', async () => {
    const list = clone(REAL.benefits)
    list.items[0] = clone(REAL.benefit_claimed)
    wxs.backend.on('GET /benefits', { body: list })
    const p = await open('pages/benefits/index')

    expect(wxs.backend.calls('GET /benefits')[0].query).toEqual({ page: '1', per_page: '20' })
    const [first, second] = list.items
    expect(p.texts(`#mine-${first.id}`)).toEqual([`已选：${VEST.name} · 待核销`])
    expect(p.exists(`mine-${second.id}`)).toBe(false)
    expect(p.texts(`#benefit-${first.id} .badge`)).toEqual(['领取中'])
    expect(p.texts(`#benefit-${second.id} .badge`)).toEqual(['未开始'])
    expect(p.texts(`#benefit-${first.id} .kind`)).toEqual(['四季福利 · 冬'])
    expect(sq(p.texts(`#benefit-${first.id} .meta`))).toEqual(sq([
      `可选 ${B.options.map(o => o.name).join('、')}`, '领取 11月20日 周五 09:00 至 11月30日 周一 18:00']))

    p.fire(`benefit-${first.id}`)
    p.fire('to-my-claims')
    await wxs.settle()
    expect(wxs.navigations.map(n => n.url)).toEqual([`/pages/benefits/detail?id=${first.id}`, '/pages/benefits/claims'])
  })

  test('says so when there is nothing to claim', async () => {
    wxs.backend.on('GET /benefits', { body: { items: [], page: 1, per_page: 20, total: 0 } })
    const p = await open('pages/benefits/index')
    expect(p.texts('#empty')).toEqual(['暂无可领取的福利'])
  })

  test('is reachable from the 我的 tab', async () => {
    wxs.backend.on('GET /me', { body: wxs.storage.member })
    wxs.backend.on('GET /me/registrations', { body: { items: [], page: 1, per_page: 20, total: 0 } })
    const p = await open('pages/me/index')
    p.fire('to-benefits')
    await wxs.settle()
    expect(wxs.navigations.map(n => n.url)).toEqual(['/pages/benefits/index'])
  })
})

describe('one campaign', () => {
  test('shows each option with what is left; a sold-out one cannot be chosen', async () => {
    wxs.backend.on(`GET /benefits/${B.id}`, { body: B })
    const p = await open('pages/benefits/detail', { id: String(B.id) })

    expect(p.texts('#title')).toEqual([B.title])
    expect(sq(p.texts('.option'))).toEqual(sq([
      `${VEST.name} ${VEST.description} 还剩 ${VEST.left} 份`,
      `${WARMER.name} ${WARMER.description} 已领完`,
      `${RICE.name} 不限量`,
    ]))
    expect(p.texts('#redeem-until')).toEqual(['12月15日 周二 18:00 前凭码领取'])
    p.fire(`option-${WARMER.id}`)
    p.fire('claim')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请先选择一项'])
    expect(wxs.backend.calls(`POST /benefits/${B.id}/claims`)).toHaveLength(0)
  })

  test('claims the chosen option for delivery to the workshop, once, and opens the code', async () => {
    let answer = B
    wxs.backend.on(`GET /benefits/${B.id}`, () => ({ body: answer }))
    wxs.backend.on(`POST /benefits/${B.id}/claims`, () => {
      answer = REAL.benefit_claimed
      return { status: 201, body: REAL.claim_created, delay: 20 }
    })
    const p = await open('pages/benefits/detail', { id: String(B.id) })

    p.fire(`option-${VEST.id}`)
    p.fire('delivery-workshop')
    await wxs.settle()
    expect(p.comp.querySelector(`#option-${VEST.id}`).dom.className).toMatch('option-chosen')
    p.fire('claim')
    p.fire('claim')
    await wxs.settle()

    expect(wxs.backend.calls(`POST /benefits/${B.id}/claims`).map(r => r.data)).toEqual([
      { option_id: VEST.id, delivery: 'workshop' }])
    expect(wxs.toasts).toEqual(['领取成功'])
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/benefits/claim?id=${REAL.claim_created.id}&new=1` }])
    // Back on the campaign: my claim, no second claim button.
    expect(p.exists('claim')).toBe(false)
    expect(p.texts('#my-claim .status-line')).toEqual([`您已选择：${VEST.name}`])
  })

  test('a campaign without workshop delivery sends the option only', async () => {
    const plain = Object.assign(clone(B), { allow_workshop_delivery: false })
    wxs.backend.on(`GET /benefits/${B.id}`, { body: plain })
    wxs.backend.on(`POST /benefits/${B.id}/claims`, { status: 201, body: REAL.claim_created })
    const p = await open('pages/benefits/detail', { id: String(B.id) })
    expect(p.exists('delivery')).toBe(false)
    p.fire(`option-${RICE.id}`)
    p.fire('claim')
    await wxs.settle()
    expect(wxs.backend.calls(`POST /benefits/${B.id}/claims`).map(r => r.data)).toEqual([{ option_id: RICE.id }])
  })

  test('the last one taken meanwhile: the server says so and the option shows sold out', async () => {
    let answer = B
    wxs.backend.on(`GET /benefits/${B.id}`, () => ({ body: answer }))
    wxs.backend.on(`POST /benefits/${B.id}/claims`, () => {
      answer = clone(B)
      answer.options[0].claimed = answer.options[0].stock
      answer.options[0].left = 0
      return { status: 409, body: REAL.out_of_stock }
    })
    const p = await open('pages/benefits/detail', { id: String(B.id) })
    p.fire(`option-${VEST.id}`)
    p.fire('claim')
    await wxs.settle()

    expect(p.texts('#error')).toEqual([REAL.out_of_stock.error.message])
    expect(sq(p.texts(`#option-${VEST.id}`))).toEqual(sq([`${VEST.name} ${VEST.description} 已领完`]))
    expect(p.comp.querySelector(`#option-${VEST.id}`).dom.className).not.toMatch('option-chosen')
    expect(wxs.navigations).toEqual([])
  })

  test('claimed on another device: the refusal shows, then my claim', async () => {
    let answer = B
    wxs.backend.on(`GET /benefits/${B.id}`, () => ({ body: answer }))
    wxs.backend.on(`POST /benefits/${B.id}/claims`, () => {
      answer = REAL.benefit_claimed
      return { status: 409, body: REAL.already_claimed }
    })
    const p = await open('pages/benefits/detail', { id: String(B.id) })
    p.fire(`option-${VEST.id}`)
    p.fire('claim')
    await wxs.settle()
    expect(p.texts('#error')).toEqual([REAL.already_claimed.error.message])
    expect(p.exists('show-code')).toBe(true)
  })

  test('my claim: shows the code on request, and a cancellation gives the stock back', async () => {
    let answer = REAL.benefit_claimed
    const claimId = REAL.benefit_claimed.my_claim.id
    wxs.backend.on(`GET /benefits/${B.id}`, () => ({ body: answer }))
    wxs.backend.on(`DELETE /claims/${claimId}`, () => {
      answer = B
      return { body: REAL.claim_cancelled }
    })
    const p = await open('pages/benefits/detail', { id: String(B.id) })
    expect(p.exists('claim')).toBe(false)
    p.fire('show-code')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/benefits/claim?id=${claimId}` }])

    wxs.modalAnswers.push({ confirm: false, cancel: true })
    p.fire('cancel')
    await wxs.settle()
    expect(wxs.backend.calls(`DELETE /claims/${claimId}`)).toHaveLength(0)

    wxs.modalAnswers.push({ confirm: true, cancel: false })
    p.fire('cancel')
    await wxs.settle()
    expect(wxs.backend.calls(`DELETE /claims/${claimId}`)).toHaveLength(1)
    expect(wxs.toasts).toEqual(['已取消领取'])
    expect(p.exists('my-claim')).toBe(false)
    expect(p.exists('claim')).toBe(true)
  })

  test('outside the audience the page says so', async () => {
    wxs.backend.on(`GET /benefits/${B.id}`, { status: 403, body: REAL.not_eligible })
    const p = await open('pages/benefits/detail', { id: String(B.id) })
    expect(p.texts('#missing')).toEqual([REAL.not_eligible.error.message])
  })

  test('after the claim window, or once cancelled, there is nothing to claim and the page says why', async () => {
    const redeeming = Object.assign(clone(B), { phase: 'redeeming' })
    wxs.backend.on(`GET /benefits/${B.id}`, { body: redeeming })
    let p = await open('pages/benefits/detail', { id: String(B.id) })
    expect(p.exists('claim')).toBe(false)
    expect(p.exists('delivery')).toBe(false)
    expect(p.texts('#closed-hint')).toEqual(['领取已截止'])
    expect(p.texts('#phase')).toEqual(['核销中'])

    wxs.backend.on(`GET /benefits/${B.id}`, { body: Object.assign(clone(B), { status: 'cancelled', phase: 'closed' }) })
    p = await open('pages/benefits/detail', { id: String(B.id) })
    expect(p.exists('claim')).toBe(false)
    expect(p.texts('#closed-hint')).toEqual(['该福利已取消发放'])
    expect(p.texts('#phase')).toEqual(['已取消'])
  })

  test('an upcoming campaign cannot be claimed yet', async () => {
    const upcoming = REAL.benefits.items[1]
    wxs.backend.on(`GET /benefits/${upcoming.id}`, { body: upcoming })
    const p = await open('pages/benefits/detail', { id: String(upcoming.id) })
    expect(p.exists('claim')).toBe(false)
    expect(p.texts('#closed-hint')).toEqual(['领取尚未开始，请留意工会通知'])
    expect(p.texts('#window')).toEqual(['12月20日 周日 09:00 至 2027年1月10日 周日 18:00'])
  })
})

describe('我的领取 and the code', () => {
  test('lists my claims with their status, the last day to collect, and who collected', async () => {
    wxs.backend.on('GET /me/claims', { body: REAL.my_claims })
    const p = await open('pages/benefits/claims')
    const [mine, summer] = REAL.my_claims.items
    expect(sq(p.texts(`#claim-${mine.id}`))).toEqual(sq([
      `${mine.benefit_title} 待核销 已选 ${mine.option_name} · 自提 兑领 12月15日 周二 18:00 前`]))
    expect(sq(p.texts(`#claim-${summer.id}`))).toEqual(sq([
      `${summer.benefit_title} 已核销 已选 ${summer.option_name} · 送到车间 核销 8月2日 周日 10:30 · 由 ${summer.delegate_name} 代领`]))
    p.fire(`claim-${mine.id}`)
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: `/pages/benefits/claim?id=${mine.id}` }])
  })

  test('the code: the QR downloaded with my token, big and bright, the code below; brightness set back on leaving', async () => {
    const c = REAL.claim
    wxs.backend.on(`GET /claims/${c.id}`, { body: c })
    wxs.backend.on(`GET /claims/${c.id}/qr`, req => (req.query.format === 'png' ? { body: '<png>' } : error(400, 'invalid_request')))
    const p = await open('pages/benefits/claim', { id: String(c.id) })

    expect(wxs.downloads).toHaveLength(1)
    expect(wxs.downloads[0].url).toBe(`http://127.0.0.1:5000/api/v1/claims/${c.id}/qr?format=png`)
    expect(wxs.downloads[0].header).toEqual({ Authorization: 'Bearer token-of-7' })
    // Kept on the phone (a saved file) for a visit without signal.
    expect(p.prop('qr-image', 'src')).toBe('wxfile://store/1.png')
    expect(wxs.savedFiles).toEqual(['wxfile://store/1.png'])
    expect(p.texts('#code')).toEqual([c.claim_code])
    expect(p.texts('#status')).toEqual(['待核销'])
    expect(wxs.brightness).toBe(1)
    expect(wxs.keepScreenOn).toBe(true)

    p.page.onUnload()
    await wxs.settle()
    expect(wxs.brightnessSet).toEqual([1, 0.4])
    expect(wxs.keepScreenOn).toBe(false)
  })

  test('a redeemed claim shows when, and no code at all', async () => {
    const c = REAL.claim_redeemed
    wxs.backend.on(`GET /claims/${c.id}`, { body: c })
    const p = await open('pages/benefits/claim', { id: String(c.id) })
    expect(p.exists('qr-image')).toBe(false)
    expect(p.exists('code')).toBe(false)
    expect(p.texts('#redeemed')).toEqual(['已于 11月26日 周四 10:05 核销'])
    expect(wxs.downloads).toHaveLength(0)
    expect(wxs.brightnessSet).toEqual([])
  })

  test('pulling down after staff scanned it shows it redeemed and gives the brightness back', async () => {
    let answer = REAL.claim
    const id = REAL.claim.id
    wxs.backend.on(`GET /claims/${id}`, () => ({ body: answer }))
    wxs.backend.on(`GET /claims/${id}/qr`, { body: '<png>' })
    const p = await open('pages/benefits/claim', { id: String(id) })
    expect(p.exists('qr-image')).toBe(true)
    answer = REAL.claim_redeemed
    await p.page.onPullDownRefresh()
    await wxs.settle()
    expect(p.exists('qr-image')).toBe(false)
    expect(p.exists('redeemed')).toBe(true)
    expect(wxs.brightnessSet).toEqual([1, 0.4])
  })

  test('without signal at the pickup point, the code kept from an earlier visit is shown, marked as such', async () => {
    const c = REAL.claim
    wxs.backend.on(`GET /claims/${c.id}`, { body: c })
    wxs.backend.on(`GET /claims/${c.id}/qr`, { body: '<png>' })
    const before = await open('pages/benefits/claim', { id: String(c.id) })
    before.page.onUnload()
    await wxs.settle()
    expect(wxs.brightness).toBe(0.4)

    wxs.offline = true
    const p = await open('pages/benefits/claim', { id: String(c.id) })
    expect(p.texts('#offline')).toEqual(['网络不可用，显示的是本机保存的领取码，核销状态以工作人员扫码结果为准'])
    expect(p.prop('qr-image', 'src')).toBe('wxfile://store/1.png')
    expect(p.texts('#code')).toEqual([c.claim_code])
    expect(wxs.brightness).toBe(1)
    expect(wxs.toasts).toEqual([])

    // Back in signal after staff scanned it: 已核销, and the copy is gone from the phone.
    wxs.offline = false
    wxs.backend.on(`GET /claims/${c.id}`, { body: REAL.claim_redeemed })
    await p.page.onPullDownRefresh()
    await wxs.settle()
    expect(p.exists('offline')).toBe(false)
    expect(p.exists('redeemed')).toBe(true)
    expect(wxs.storage[`benefit-claim-${c.id}`]).toBeUndefined()
    expect(wxs.savedFiles).toEqual([])
  })

  test('without signal and no copy on the phone, the page says the network failed', async () => {
    wxs.offline = true
    const p = await open('pages/benefits/claim', { id: String(REAL.claim.id) })
    expect(p.texts('#missing')).toEqual(['网络连接失败，请检查网络后重试'])
  })

  test('a QR that cannot be fetched can be retried', async () => {
    const c = REAL.claim
    let fail = true
    wxs.backend.on(`GET /claims/${c.id}`, { body: c })
    wxs.backend.on(`GET /claims/${c.id}/qr`, () => (fail ? error(503, 'service_unavailable') : { body: '<png>' }))
    const p = await open('pages/benefits/claim', { id: String(c.id) })
    expect(p.texts('#qr-failed')).toEqual(['领取码获取失败，点此重试'])
    fail = false
    p.fire('qr-failed')
    await wxs.settle()
    expect(p.exists('qr-image')).toBe(true)
  })
})

describe('reminders to collect', () => {
  const TEMPLATE = 'notice-template-dev'
  const c = REAL.claim

  beforeEach(() => {
    wxs.backend.on(`GET /claims/${c.id}`, { body: c })
    wxs.backend.on(`GET /claims/${c.id}/qr`, { body: '<png>' })
    wxs.backend.on('POST /me/subscriptions', { body: {} })
  })

  test('just claimed, the code offers push reminders; accepting records the consent', async () => {
    wxs.subscribeAnswers.push({ [TEMPLATE]: 'accept' })
    const p = await open('pages/benefits/claim', { id: String(c.id), new: '1' })
    expect(p.texts('#subscribe')).toEqual(['接收领取提醒'])
    p.fire('subscribe')
    await wxs.settle()
    expect(wxs.backend.calls('POST /me/subscriptions').map(r => r.data)).toEqual([{ results: { [TEMPLATE]: 'accept' } }])
    expect(p.texts('#consent-note')).toEqual(['已开启，下次通知将推送给您'])
    expect(p.exists('subscribe')).toBe(false)
  })

  test('not offered when the code is opened later, nor after 不再提示', async () => {
    let p = await open('pages/benefits/claim', { id: String(c.id) })
    expect(p.exists('consent')).toBe(false)
    p = await open('pages/benefits/claim', { id: String(c.id), new: '1' })
    p.fire('subscribe-dismiss')
    await wxs.settle()
    expect(p.exists('consent')).toBe(false)
    p = await open('pages/benefits/claim', { id: String(c.id), new: '1' })
    expect(p.exists('consent')).toBe(false)
  })
})
