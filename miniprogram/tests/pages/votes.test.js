const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { vote, error } = require('../helpers/contract')

// The suite's clock: 2026-11-25 12:00 in Shanghai (tests/helpers/clock.js); the vote closes 12-01 18:00.
const NOW = Date.parse('2026-11-25T12:00:00+08:00')
const CLOSES_AT = Date.parse('2026-12-01T18:00:00+08:00')
const AFTER_CLOSE = Date.parse('2026-12-02T09:00:00+08:00')

// A receipt and its SHA-256 (hashlib.sha256(b'R-7F3K-9QPA-2M4X').hexdigest()), and another ballot's digest.
const RECEIPT = 'R-7F3K-9QPA-2M4X'
const RECEIPT_SHA256 = 'e8a9deee0befd8ad8aef214c01d53f1f364b9abd32aa3783acc21b350fb1fdd2'
const OTHER_SHA256 = '33610415488e056f04025c4fc03314ced396ba29d4c3ef2dd7e1a27be8dce0ff'

let wxs
let current

function results(overrides = {}) {
  return Object.assign({
    candidates: [
      { id: 801, name: '张伟', votes: 12 },
      { id: 802, name: '李娜', votes: 30 },
      { id: 803, name: '王强', votes: 21 },
    ],
    ballots: 40,
    receipts: [OTHER_SHA256, RECEIPT_SHA256],
  }, overrides)
}

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  jest.setSystemTime(NOW)
  current = vote()
  wxs.backend.on('GET /votes/:id', req => (req.params.id === String(current.id) ? { body: current } : error(404, 'not_found', '')))
  wxs.backend.on('GET /uploads/:id', { body: 'JPEG' })
  wxs.backend.on('POST /votes/:id/ballots', { status: 201, body: { receipt: RECEIPT } })
  // Members see results after closes_at; before, 403 forbidden.
  wxs.backend.on('GET /votes/:id/results', () => (Date.now() >= CLOSES_AT ? { body: results() } : error(403, 'forbidden', '')))
})

async function open(route, query = { id: '71' }) {
  const p = loadPage(route)
  await p.page.onLoad(query)
  await wxs.settle()
  return p
}

/** The candidates named on the cards matching a selector ('.chosen', '.disabled'). */
function names(p, selector) {
  const all = vote().candidates.map(c => c.name)
  return p.texts(selector).map(t => all.find(n => t.includes(n)))
}

async function tap(p, id) {
  p.fire(id)
  await wxs.settle()
}

describe('voting', () => {
  test('candidates are shown with their photos, downloaded with the member\'s token', async () => {
    const p = await open('pages/votes/vote')

    expect(p.texts('.name')).toEqual(['张伟', '李娜', '王强', '刘洋', '陈静'])
    expect(wxs.downloads.map(d => [d.url, d.header.Authorization])).toEqual([
      ['http://127.0.0.1:5000/api/v1/uploads/p801', 'Bearer token-of-7'],
      ['http://127.0.0.1:5000/api/v1/uploads/p803', 'Bearer token-of-7'],
    ])
    const srcs = p.comp.querySelectorAll('.photo').map(n => n.data && n.data.src).filter(Boolean)
    expect(srcs).toHaveLength(2)
    srcs.forEach(src => expect(src).toMatch(/^wxfile:\/\/tmp\//))
    expect(p.text()).toContain('截止：12月1日 周二 18:00')
  })

  test('at max_choices the other candidates are disabled and a further tap is refused', async () => {
    const p = await open('pages/votes/vote')
    expect(p.texts('#limit')).toEqual(['最多选 3 人'])

    await tap(p, 'candidate-801')
    await tap(p, 'candidate-802')
    expect(p.comp.querySelectorAll('.disabled')).toHaveLength(0)
    await tap(p, 'candidate-803')

    expect(p.texts('#chosen-count')).toEqual(['已选 3/3'])
    expect(names(p, '.disabled')).toEqual(['刘洋', '陈静'])
    await tap(p, 'candidate-804')
    expect(wxs.toasts).toContain('最多选 3 人')
    expect(names(p, '.chosen')).toEqual(['张伟', '李娜', '王强'])

    // Letting one go frees the others again.
    await tap(p, 'candidate-802')
    expect(p.comp.querySelectorAll('.disabled')).toHaveLength(0)
    await tap(p, 'candidate-805')
    expect(names(p, '.chosen')).toEqual(['张伟', '王强', '陈静'])
  })

  test('with one choice, tapping another candidate moves the choice', async () => {
    current = vote({ max_choices: 1 })
    const p = await open('pages/votes/vote')

    await tap(p, 'candidate-801')
    await tap(p, 'candidate-802')

    expect(names(p, '.chosen')).toEqual(['李娜'])
    expect(p.texts('#limit')).toEqual(['请选择 1 人'])
  })

  test('a confirmation lists the chosen names before anything is sent; cancelling sends nothing', async () => {
    const p = await open('pages/votes/vote')
    await tap(p, 'candidate-803')
    await tap(p, 'candidate-801')

    await tap(p, 'submit') // the member answers 再想想

    expect(wxs.modals).toHaveLength(1)
    expect(wxs.modals[0].content).toBe('您选择了：张伟、王强。投票后不能修改。')
    expect(wxs.backend.calls('POST /votes/71/ballots')).toHaveLength(0)
    expect(p.prop('submit', 'disabled')).toBe(false)
  })

  test('confirmed: the ballot is sent once, the receipt kept on the phone and shown', async () => {
    wxs.backend.on('POST /votes/:id/ballots', { status: 201, body: { receipt: RECEIPT }, delay: 30 })
    const p = await open('pages/votes/vote')
    await tap(p, 'candidate-803')
    await tap(p, 'candidate-801')
    wxs.modalAnswers.push({ confirm: true, cancel: false })

    p.fire('submit')
    p.fire('submit')
    p.page.onSubmit()
    await wxs.settle()

    expect(wxs.modals).toHaveLength(1)
    const posts = wxs.backend.calls('POST /votes/71/ballots')
    expect(posts).toHaveLength(1)
    expect(posts[0].data).toEqual({ choices: [803, 801] })
    expect(wxs.storage['vote-receipt-71']).toEqual({ receipt: RECEIPT, title: current.title, closes_at: current.closes_at })
    expect(wxs.navigations).toEqual([{ type: 'redirectTo', url: '/pages/votes/receipt?id=71' }])
  })

  test.each([
    [409, 'already_voted', '您已投过票，每人只能投一次'],
    [409, 'vote_closed', '该投票不在投票时间内（未开始或已截止）'],
    [403, 'not_eligible', '该投票仅面向指定部门或群体，您不在投票范围内'],
    [400, 'invalid_request', '所选候选人有误或超过可选人数，请刷新后重新选择'],
  ])('%i %s is explained in Chinese', async (status, code, text) => {
    wxs.backend.on('POST /votes/:id/ballots', error(status, code))
    const p = await open('pages/votes/vote')
    await tap(p, 'candidate-802')
    wxs.modalAnswers.push({ confirm: true, cancel: false })

    await tap(p, 'submit')

    expect(p.texts('#error')).toEqual([text])
    expect(wxs.toasts).toContain(text)
    expect(wxs.storage['vote-receipt-71']).toBeUndefined()
    expect(wxs.navigations).toEqual([])
  })

  test('a vote that cannot be loaded says why', async () => {
    const p = await open('pages/votes/vote', { id: '999' })

    expect(p.texts('#load-error')).toEqual(['该投票不存在或已被撤回'])
  })
})

describe('the receipt', () => {
  function keep(receipt = RECEIPT) {
    wxs.storage['vote-receipt-71'] = { receipt, title: '2026 年度“工匠之星”评选', closes_at: '2026-12-01T18:00:00+08:00' }
  }

  test('is shown with its explanation and copied to the clipboard', async () => {
    keep()
    const p = await open('pages/votes/receipt')

    expect(p.texts('#receipt')).toEqual([RECEIPT])
    expect(p.texts('#explanation')).toEqual(['凭此回执可在投票结束后核对您的选票已被计入：结果公布的回执摘要列表中能找到您回执的 SHA-256 摘要'])
    expect(p.texts('#digest')).toEqual([RECEIPT_SHA256])

    await tap(p, 'copy')
    expect(wxs.clipboard).toBe(RECEIPT)
  })

  test('before the close there is nothing to check yet, and the server is not asked', async () => {
    keep()
    const p = await open('pages/votes/receipt')

    expect(p.texts('#check')).toEqual(['投票结束后（12月1日 周二 18:00）可核对'])
    expect(wxs.backend.calls('GET /votes/71/results')).toHaveLength(0)
  })

  test('after the close its digest is found in the published list', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    keep()
    const p = await open('pages/votes/receipt')

    expect(p.texts('#check')).toEqual(['已核对：您的选票已计入'])
  })

  test('a receipt whose digest is not in the list is reported as not found', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    keep('R-0000-0000-0000')
    const p = await open('pages/votes/receipt')

    expect(p.texts('#check')).toEqual(['未在公布的回执摘要中找到您的回执，请联系工会核实'])
  })

  test('a phone clock ahead of the server meets 403 and is told the results are not out yet', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    wxs.backend.on('GET /votes/:id/results', error(403, 'forbidden', ''))
    keep()
    const p = await open('pages/votes/receipt')

    expect(p.texts('#check')).toEqual(['投票结束后公布结果，届时可核对'])
    expect(wxs.toasts).toEqual([])
  })

  test('no receipt on this phone says so', async () => {
    const p = await open('pages/votes/receipt')

    expect(p.exists('missing')).toBe(true)
    expect(p.text()).toContain('本机没有这次投票的回执')
  })
})

describe('results', () => {
  test('before the close: 403 forbidden reads as "results after the close"', async () => {
    const p = await open('pages/votes/results')

    expect(p.texts('#not-yet')).toEqual(['投票结束后公布结果'])
    expect(p.exists('row-801')).toBe(false)
    expect(wxs.toasts).toEqual([])
  })

  test('after the close: candidates by votes as bars, the ballots, and the member\'s receipt checked', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    wxs.storage['vote-receipt-71'] = { receipt: RECEIPT, title: '2026 年度“工匠之星”评选', closes_at: '2026-12-01T18:00:00+08:00' }
    const p = await open('pages/votes/results')

    expect(p.texts('.row').map(t => t.replace(/\s+/g, ''))).toEqual(['李娜30票', '王强21票', '张伟12票'])
    const widths = p.comp.querySelectorAll('.bar-fill').map(n => n.dom.getAttribute('style'))
    expect(widths[0]).toMatch(/width: ?100%/)
    expect(widths[2]).toMatch(/width: ?40%/)
    expect(p.texts('#ballots')).toEqual(['线上选票 40 张'])
    expect(p.exists('paper')).toBe(false)
    expect(p.texts('#check')).toEqual(['已核对：您的选票已计入'])
  })

  test('paper ballots, when counted, are kept apart', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    // The server's shape: online votes per candidate, the paper count kept apart, and the total.
    wxs.backend.on('GET /votes/:id/results', { body: results({
      candidates: [{ id: 801, name: '张伟', votes: 12 }, { id: 802, name: '李娜', votes: 30 }],
      paper: { status: 'confirmed', ballots: 15, candidates: [{ id: 801, name: '张伟', votes: 25 }, { id: 802, name: '李娜', votes: 0 }] },
      total: { ballots: 55, candidates: [{ id: 801, name: '张伟', votes: 37 }, { id: 802, name: '李娜', votes: 30 }] },
    }) })
    const p = await open('pages/votes/results')

    expect(p.texts('#ballots')).toEqual(['线上选票 40 张'])
    expect(p.texts('#paper')).toEqual(['纸质票 15 张'])
    // With the paper ballots 张伟 leads: the bars follow the total.
    expect(p.texts('.row').map(t => t.replace(/\s+/g, ''))[0]).toMatch(/^张伟37票/)
    expect(p.texts('#row-801')[0]).toContain('其中纸质票 25 票')
    // No receipt on this phone: nothing to check.
    expect(p.exists('check')).toBe(false)
  })
})

describe('a vote already cast or closed', () => {
  test('with a receipt on this phone the vote page links to it and offers no second ballot', async () => {
    wxs.storage['vote-receipt-71'] = { receipt: RECEIPT, title: '2026 年度“工匠之星”评选', closes_at: '2026-12-01T18:00:00+08:00' }
    const p = await open('pages/votes/vote')

    expect(p.exists('submit')).toBe(false)
    await tap(p, 'candidate-801')
    expect(names(p, '.chosen')).toEqual([])
    await tap(p, 'to-receipt')
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/votes/receipt?id=71' }])
  })

  test('after the close the vote page points to the results', async () => {
    jest.setSystemTime(AFTER_CLOSE)
    const p = await open('pages/votes/vote')

    expect(p.exists('submit')).toBe(false)
    await tap(p, 'to-results')
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/votes/results?id=71' }])
  })
})
