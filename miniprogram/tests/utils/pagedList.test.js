// The one paged list every list page is built on, mounted here on a bare page that lists "things".
const api = require('../../utils/api')
const { pagedList } = require('../../utils/pagedList')
const { installWx } = require('../helpers/fakeWx')
const { mountPage } = require('../helpers/page')
const { page, error } = require('../helpers/contract')

const TEMPLATE = `
<view wx:for="{{items}}" wx:key="id" class="thing">{{item.name}}</view>
<view wx:if="{{failed && items.length === 0}}" id="failed">加载失败，请下拉重试</view>
<view wx:elif="{{!loading && items.length === 0}}" id="empty">暂无</view>
<view wx:if="{{items.length > 0}}" id="list-footer">{{loading ? '加载中…' : (failed ? '加载失败，上拉重试' : (finished ? '没有更多了' : '上拉加载更多'))}}</view>
`

let wxs

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
})

function things(n, from = 1, label = '') {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, name: `${label}第 ${from + i} 项` }))
}

/** Answer GET /things page by page from a list of `total` things (perPage 3), each answer as `extra` says. */
function serve(total, extra = () => ({})) {
  wxs.backend.on('GET /things', req => {
    const n = Number(req.query.page)
    const all = things(total)
    return Object.assign({ body: page(all.slice((n - 1) * 3, n * 3), { page: n, per_page: 3, total }) }, extra(req))
  })
}

function mount() {
  return mountPage(pagedList({
    perPage: 3,
    load(n, perPage) {
      return api.get('/things', { query: { page: n, per_page: perPage } }).then(res => ({ items: res.items, total: res.total }))
    },
  }, { onLoad() { return this.refreshList() } }), TEMPLATE)
}

const requestedPages = () => wxs.backend.calls('GET /things').map(r => r.query.page)

test('the first page is asked for with page and per_page and shown', async () => {
  serve(7)
  const p = mount()

  await p.page.onLoad({})

  expect(wxs.backend.calls('GET /things')[0].query).toEqual({ page: '1', per_page: '3' })
  expect(p.texts('.thing')).toEqual(['第 1 项', '第 2 项', '第 3 项'])
  expect(p.texts('#list-footer')).toEqual(['上拉加载更多'])
})

test('reaching the bottom appends the next page, and the last one ends the list', async () => {
  serve(7)
  const p = mount()
  await p.page.onLoad({})

  await p.page.onReachBottom()
  expect(p.texts('.thing')).toHaveLength(6)
  expect(p.texts('#list-footer')).toEqual(['上拉加载更多'])

  await p.page.onReachBottom()
  expect(p.texts('.thing')).toEqual(things(7).map(t => t.name))
  expect(p.texts('#list-footer')).toEqual(['没有更多了'])

  await p.page.onReachBottom()
  expect(requestedPages()).toEqual(['1', '2', '3'])
})

test('an empty list says so, and asks for nothing more', async () => {
  serve(0)
  const p = mount()
  await p.page.onLoad({})

  expect(p.exists('empty')).toBe(true)
  await p.page.onReachBottom()
  expect(requestedPages()).toEqual(['1'])
})

test('pull-down refresh starts again from the first page and stops the spinner', async () => {
  serve(7)
  const p = mount()
  await p.page.onLoad({})
  await p.page.onReachBottom()
  await p.page.onReachBottom()

  serve(4, () => ({}))
  await p.page.onPullDownRefresh()

  expect(p.texts('.thing')).toEqual(['第 1 项', '第 2 项', '第 3 项'])
  expect(p.page.data.page).toBe(1)
  expect(p.texts('#list-footer')).toEqual(['上拉加载更多'])
  expect(wxs.pullDownStopped).toBe(1)
  await p.page.onReachBottom()
  expect(p.texts('.thing')).toHaveLength(4)
  expect(requestedPages()).toEqual(['1', '2', '3', '1', '2'])
})

test('a failed first page says so; pulling down retries', async () => {
  let down = true
  serve(2, () => (down ? error(503, 'service_unavailable') : {}))
  const p = mount()

  await p.page.onLoad({})
  expect(p.exists('failed')).toBe(true)
  expect(wxs.toasts).toEqual(['服务暂时不可用，请稍后重试'])

  down = false
  await p.page.onPullDownRefresh()
  expect(p.exists('failed')).toBe(false)
  expect(p.texts('.thing')).toEqual(['第 1 项', '第 2 项'])
})

test('a failed next page keeps the list, says so at its foot, and the next scroll asks for it again', async () => {
  let down = false
  serve(5, () => (down ? error(503, 'service_unavailable') : {}))
  const p = mount()
  await p.page.onLoad({})

  down = true
  await p.page.onReachBottom()
  expect(p.texts('.thing')).toHaveLength(3)
  expect(p.texts('#list-footer')).toEqual(['加载失败，上拉重试'])

  down = false
  await p.page.onReachBottom()
  expect(p.texts('.thing')).toEqual(things(5).map(t => t.name))
  expect(p.texts('#list-footer')).toEqual(['没有更多了'])
  expect(requestedPages()).toEqual(['1', '2', '2'])
})

test('a failed refresh keeps what was shown, and the next scroll retries the first page', async () => {
  let down = false
  serve(5, () => (down ? error(503, 'service_unavailable') : {}))
  const p = mount()
  await p.page.onLoad({})
  await p.page.onReachBottom()

  down = true
  await p.page.onPullDownRefresh()
  expect(p.texts('.thing')).toHaveLength(5)
  expect(p.texts('#list-footer')).toEqual(['加载失败，上拉重试'])

  down = false
  await p.page.onReachBottom()
  expect(requestedPages()).toEqual(['1', '2', '1', '1'])
  expect(p.texts('.thing')).toEqual(['第 1 项', '第 2 项', '第 3 项'])
})

test('a page that answers after a refresh was started is not added to the new list', async () => {
  serve(6)
  const p = mount()
  await p.page.onLoad({})

  // Page 2 of the old list is slow; meanwhile the member pulls down and the list changes.
  serve(6, req => (req.query.page === '2' ? { delay: 40 } : {}))
  const more = p.page.onReachBottom()
  wxs.backend.on('GET /things', req => (req.query.page === '1'
    ? { body: page(things(3, 1, '新'), { total: 6 }) }
    : { body: page(things(3, 4, '新'), { page: 2, total: 6 }) }))
  await p.page.onPullDownRefresh()
  await more
  await wxs.settle()

  expect(p.texts('.thing')).toEqual(['新第 1 项', '新第 2 项', '新第 3 项'])
  expect(p.page.data.page).toBe(1)
  expect(p.texts('#list-footer')).toEqual(['上拉加载更多'])
})

test('a first page that answers after a newer refresh does not replace it', async () => {
  let call = 0
  wxs.backend.on('GET /things', () => {
    call += 1
    return call === 1
      ? { body: page(things(3, 1, '旧'), { total: 3 }), delay: 40 }
      : { body: page(things(3, 1, '新'), { total: 3 }) }
  })
  const p = mount()

  const first = p.page.onLoad({})
  await p.page.onPullDownRefresh()
  await first
  await wxs.settle()

  expect(p.texts('.thing')).toEqual(['新第 1 项', '新第 2 项', '新第 3 项'])
})

test('rapid scrolling asks for the next page once', async () => {
  serve(9)
  const p = mount()
  await p.page.onLoad({})

  await Promise.all([p.page.onReachBottom(), p.page.onReachBottom(), p.page.onReachBottom()])

  expect(requestedPages()).toEqual(['1', '2'])
  expect(p.texts('.thing')).toHaveLength(6)
})

test('while the first page loads, scrolling asks for nothing more', async () => {
  serve(9)
  const p = mount()

  const loading = p.page.onLoad({})
  expect(p.texts('#empty')).toEqual([])
  await p.page.onReachBottom()
  await loading

  expect(requestedPages()).toEqual(['1'])
})

test('something listed already is not listed twice when the pages shift', async () => {
  // A thing added at the top between the two requests pushes thing 3 onto page 2 as well.
  wxs.backend.on('GET /things', req => (req.query.page === '1'
    ? { body: page(things(3), { total: 5 }) }
    : { body: page(things(3, 3), { page: 2, total: 6 }) }))
  const p = mount()
  await p.page.onLoad({})

  await p.page.onReachBottom()

  expect(p.texts('.thing')).toEqual(things(5).map(t => t.name))
})
