const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { error } = require('../helpers/backend')

let wxs

const RECEIPT = 'K7QH-2M9D-XR4T-PW8N'
const SUGGESTION = {
  id: 's-1', category: 'canteen_facilities', category_label: '食堂与后勤', title: '夜班供餐',
  content: '夜班食堂 22 点就关门，希望延长到 24 点。', status: 'answered', public: false, submitted_on: '2026-11-20',
}

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

async function open(route) {
  const p = loadPage(route)
  if (p.page.onLoad) await p.page.onLoad({})
  await wxs.settle()
  return p
}

describe('entrance', () => {
  test('explains anonymity and leads to writing, the receipt and the public answers', async () => {
    const p = await open('pages/suggestions/index')

    expect(p.text()).toContain('不记录姓名、工号、手机号')
    expect(p.text()).toContain('凭回执码查看')
    p.fire('write'); p.fire('mine'); p.fire('public')
    await wxs.settle()
    expect(wxs.navigations.map(n => n.url)).toEqual([
      '/pages/suggestions/new', '/pages/suggestions/mine', '/pages/suggestions/public',
    ])
  })

  test('is reachable from the 我的 tab', async () => {
    wxs.backend.on('GET /me', { body: wxs.storage.member })
    wxs.backend.on('GET /me/registrations', { body: { items: [], page: 1, per_page: 20, total: 0 } })
    const p = await open('pages/me/index')

    expect(p.text()).toContain('匿名意见箱')
    p.fire('to-suggestions')
    await wxs.settle()
    expect(wxs.navigations).toEqual([{ type: 'navigateTo', url: '/pages/suggestions/index' }])
  })
})

describe('writing a suggestion', () => {
  async function fill(p, content = '夜班食堂 22 点就关门，希望延长到 24 点。') {
    p.fire('category', 'change', { value: 2 })
    p.fire('title', 'input', { value: '  夜班供餐 ' })
    p.fire('content', 'input', { value: content })
    await wxs.settle()
  }

  test('sends the suggestion and shows the receipt once, grouped, with copy and a warning', async () => {
    wxs.backend.on('POST /suggestions', { status: 201, body: { id: 's-1', receipt: RECEIPT, status: 'new' } })
    const p = await open('pages/suggestions/new')

    await fill(p)
    expect(p.texts('#count')).toEqual(['24/2000'])
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /suggestions')[0].data).toEqual({
      category: 'canteen_facilities', title: '夜班供餐', content: '夜班食堂 22 点就关门，希望延长到 24 点。',
    })
    expect(p.texts('#receipt .group')).toEqual(['K7QH', '2M9D', 'XR4T', 'PW8N'])
    expect(p.texts('#warning')[0]).toMatch(/只显示这一次.*无法找回/)
    // Staff see it only once the server has filed it with others.
    expect(p.texts('#batch-note')[0]).toMatch(/分批转交工会.*凭回执码现在就能查看/)
    expect(p.exists('submit')).toBe(false)
    // Nothing of it is kept on the phone.
    expect(JSON.stringify(wxs.storage)).not.toContain('K7QH')

    p.fire('copy')
    await wxs.settle()
    expect(wxs.clipboard).toBe(RECEIPT)
    expect(wxs.toasts).toEqual(['回执码已复制'])
  })

  test('over the daily limit shows the server\'s reason with the limit', async () => {
    wxs.backend.on('POST /suggestions', error(429, 'rate_limited', '每人每天最多提交 5 条建议，请明天再来'))
    const p = await open('pages/suggestions/new')

    await fill(p)
    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['每人每天最多提交 5 条建议，请明天再来'])
    expect(p.exists('receipt')).toBe(false)
  })

  test('over the daily limit without a message says to come back tomorrow', async () => {
    wxs.backend.on('POST /suggestions', error(429, 'rate_limited', ''))
    const p = await open('pages/suggestions/new')

    await fill(p)
    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['今天提交的意见已达上限，请明天再来'])
    expect(p.exists('receipt')).toBe(false)
  })

  test('asks for a category and content before sending', async () => {
    const p = await open('pages/suggestions/new')

    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请选择意见类别'])
    p.fire('category', 'change', { value: 0 })
    p.fire('content', 'input', { value: '   ' })
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请填写意见内容'])
    expect(wxs.backend.calls('POST /suggestions')).toHaveLength(0)
  })
})

describe('my suggestion by receipt', () => {
  let messages

  beforeEach(() => {
    messages = [{ from: 'staff', body: '已与食堂沟通，12 月起延长至 24 点。', created_at: '2026-11-23T10:30:00+08:00' }]
    wxs.backend.on('GET /suggestions/mine', req => (req.headers['X-Receipt'] === RECEIPT
      ? { body: { suggestion: SUGGESTION, messages } }
      : error(404, 'not_found', '未找到该建议，请核对回执码')))
    wxs.backend.on('POST /suggestions/mine/messages', req => {
      const m = { from: 'submitter', body: req.data.body, created_at: '2026-11-25T00:00:00+08:00' }
      messages.push(m)
      return { status: 201, body: m }
    })
  })

  test('opens the thread with the receipt however it was typed, without the member\'s token', async () => {
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: ' k7qh 2m9d-xr4t pw8n ' })
    p.fire('open')
    await wxs.settle()

    const [call] = wxs.backend.calls('GET /suggestions/mine')
    expect(call.headers['X-Receipt']).toBe(RECEIPT)
    expect(call.headers.Authorization).toBeUndefined()
    expect(p.text()).toContain('食堂与后勤')
    expect(p.text()).toContain('已答复')
    expect(p.text()).toMatch(/工会答复.*已与食堂沟通，12 月起延长至 24 点。/)
    // Not remembered unless asked.
    expect(wxs.storage.suggestionReceipt).toBeUndefined()
    expect(wxs.loginCodes).toBe(0)
  })

  test('a wrong receipt says so', async () => {
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: 'AAAA-BBBB-CCCC-DDDD' })
    p.fire('open')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['未找到该建议，请核对回执码'])
    expect(p.exists('suggestion')).toBe(false)
  })

  test('a wrong receipt without a message still says so', async () => {
    wxs.backend.on('GET /suggestions/mine', error(404, 'not_found', ''))
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: 'AAAA-BBBB-CCCC-DDDD' })
    p.fire('open')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['回执码不正确'])
  })

  test('a busy server asks to try again shortly', async () => {
    wxs.backend.on('GET /suggestions/mine', error(503, 'service_unavailable', ''))
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: RECEIPT })
    p.fire('open')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['查询人数较多，请稍后再试'])
    expect(p.exists('suggestion')).toBe(false)
  })

  test('shows the day it was submitted as a date, not the raw value', async () => {
    const p = await open('pages/suggestions/mine')

    p.fire('receipt', 'input', { value: RECEIPT })
    p.fire('open')
    await wxs.settle()

    expect(p.texts('#submitted')).toEqual(['提交于 11月20日 周五'])
  })

  test('the submitter replies in the thread, anonymously', async () => {
    const p = await open('pages/suggestions/mine')
    p.fire('receipt', 'input', { value: RECEIPT })
    p.fire('open')
    await wxs.settle()

    p.fire('reply', 'input', { value: '谢谢，周末也能延长吗？' })
    p.fire('send')
    await wxs.settle()

    const [post] = wxs.backend.calls('POST /suggestions/mine/messages')
    expect(post.data).toEqual({ body: '谢谢，周末也能延长吗？' })
    expect(post.headers['X-Receipt']).toBe(RECEIPT)
    expect(post.headers.Authorization).toBeUndefined()
    expect(p.texts('.message')[1]).toMatch(/我的补充.*谢谢，周末也能延长吗？/)
    // Only the day of the submitter's reply is kept, so no made-up "00:00"; the union's answer keeps its time.
    expect(p.texts('.message')[1]).toContain('11月25日 周三')
    expect(p.texts('.message')[1]).not.toContain('00:00')
    expect(p.texts('.message')[0]).toContain('11月23日 周一 10:30')
    expect(wxs.toasts).toEqual(['已发送'])
  })

  test('remembers the receipt on this phone only when ticked', async () => {
    const p = await open('pages/suggestions/mine')
    p.fire('receipt', 'input', { value: RECEIPT })
    p.fire('remember', 'change', { value: ['remember'] })
    p.fire('open')
    await wxs.settle()
    expect(wxs.storage.suggestionReceipt).toBe(RECEIPT)

    const again = await open('pages/suggestions/mine')
    expect(again.page.data.input).toBe(RECEIPT)
  })
})

test('the public board lists published suggestions with the union\'s answers', async () => {
  wxs.backend.on('GET /suggestions/public', {
    body: {
      items: [{
        id: 's-9', category: 'workplace_safety', category_label: '安全生产', title: null,
        content: '三号线叉车通道没有隔离栏。', submitted_on: '2026-11-02',
        answers: [{ body: '已加装隔离栏并划线。', created_at: '2026-11-10T15:00:00+08:00' }],
      }],
      page: 1, per_page: 20, total: 1,
    },
  })
  const p = await open('pages/suggestions/public')

  expect(p.texts('.suggestion')).toEqual([expect.stringMatching(/安全生产.*三号线叉车通道没有隔离栏。.*工会答复.*已加装隔离栏并划线。/)])
  expect(p.texts('.submitted')).toEqual(['11月2日 周一'])
  expect(wxs.backend.calls('GET /suggestions/public')[0].query).toEqual({ page: '1', per_page: '20' })
})
