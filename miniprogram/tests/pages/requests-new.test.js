const { installWx } = require('../helpers/fakeWx')
const { loadPage } = require('../helpers/page')
const { request, error, LABELS } = require('../helpers/contract')

let wxs
let uploaded // upload ids handed out so far

beforeEach(() => {
  wxs = installWx()
  wxs.signIn()
  uploaded = 0
  wxs.backend.on('POST /uploads', () => ({ status: 201, body: { id: 'up-' + (++uploaded) } }))
  wxs.backend.on('POST /requests', req => ({ status: 201, body: request({ id: 555, title: req.data.title }) }))
})

const CATEGORIES = Object.keys(LABELS.request_category)

function photos(n, from = 1, size = 300 * 1024) {
  return { tempFiles: Array.from({ length: n }, (_, i) => ({ tempFilePath: `wxfile://tmp/photo-${from + i}.jpg`, size, fileType: 'image' })) }
}

async function open(query = {}) {
  const p = loadPage('pages/requests/new')
  await p.page.onLoad(query)
  return p
}

async function fill(p, { category = 'canteen', title = '夜班食堂没有热饭', content = '夜班 22:00 以后只剩凉菜。' } = {}) {
  p.fire('category', 'change', { value: CATEGORIES.indexOf(category) })
  p.fire('title', 'input', { value: title })
  p.fire('content', 'input', { value: content })
  await wxs.settle()
}

async function addPhotos(p, n, from) {
  wxs.mediaChoices.push(photos(n, from))
  p.fire('add-photo')
  await wxs.settle()
}

test('the categories are the server\'s, in its order, and the two switches say what they mean', async () => {
  const p = await open()

  expect(p.page.data.categoryLabels).toEqual(Object.values(LABELS.request_category))
  expect(p.texts('#urgent-hint')).toEqual(['紧急诉求（工伤维权、家庭变故等）24小时内响应，48小时内办结'])
  expect(p.texts('#confidential-hint')).toEqual(['仅工会工作人员可见，网格联络员看不到'])
})

test('photos are uploaded as they are picked and their ids go with the request', async () => {
  const p = await open()
  await fill(p, { category: 'rights' })
  p.fire('urgent', 'change', { value: true })
  p.fire('confidential', 'change', { value: true })

  await addPhotos(p, 2)

  const uploads = wxs.backend.calls('POST /uploads')
  expect(uploads.map(u => u.data.filePath)).toEqual(['wxfile://tmp/photo-1.jpg', 'wxfile://tmp/photo-2.jpg'])
  expect(uploads[0].data.name).toBe('file')
  expect(uploads[0].headers.Authorization).toBe('Bearer token-of-7')
  expect(wxs.mediaRequests[0]).toMatchObject({ count: 6, mediaType: ['image'] })
  expect(p.page.data.photos.map(ph => [ph.status, ph.progress, ph.id])).toEqual([['done', 100, 'up-1'], ['done', 100, 'up-2']])
  expect(p.texts('#photo-count')).toEqual(['2/6'])

  p.fire('submit')
  await wxs.settle()

  const [sent] = wxs.backend.calls('POST /requests')
  expect(sent.data).toEqual({
    category: 'rights', title: '夜班食堂没有热饭', content: '夜班 22:00 以后只剩凉菜。',
    urgent: true, confidential: true, attachments: ['up-1', 'up-2'],
  })
  expect(wxs.toasts).toEqual(['诉求已提交'])
  expect(wxs.navigations).toEqual([{ type: 'redirectTo', url: '/pages/requests/detail?id=555' }])
})

test('upload progress shows on the photo and sending waits until every photo is up', async () => {
  // Half way after 300 ms, done after 600 ms: time enough to look at the photo in between on a busy machine.
  wxs.backend.on('POST /uploads', () => ({ status: 201, body: { id: 'slow' }, delay: 600 }))
  const p = await open()
  await fill(p)

  wxs.mediaChoices.push(photos(1))
  p.fire('add-photo')
  await wxs.settle.until(() => p.page.data.photos.length && p.page.data.photos[0].progress > 0)

  expect(p.texts('#photo-0 .progress')).toEqual(['50%'])
  expect(p.prop('submit', 'disabled')).toBe(true)
  p.page.onSubmit()
  expect(p.texts('#error')).toEqual(['照片正在上传，请稍候'])

  await wxs.settle()
  expect(p.prop('submit', 'disabled')).toBe(false)
  expect(p.exists('photo-0')).toBe(true)
  expect(p.texts('#photo-0 .progress')).toEqual([])
})

test('a seventh photo is refused', async () => {
  const p = await open()
  await addPhotos(p, 4)
  expect(wxs.mediaRequests[0].count).toBe(6)
  await addPhotos(p, 2, 5)
  expect(wxs.mediaRequests[1].count).toBe(2)

  expect(p.page.data.photos).toHaveLength(6)
  expect(p.exists('add-photo')).toBe(false)
  await p.page.onAddPhoto()

  expect(wxs.toasts).toEqual(['最多上传 6 张照片'])
  expect(wxs.mediaRequests).toHaveLength(2) // the picker did not even open
  expect(wxs.backend.calls('POST /uploads')).toHaveLength(6)
})

test('a picker answering more photos than there is room for takes only what fits, and says so', async () => {
  const p = await open()
  await addPhotos(p, 5)

  await addPhotos(p, 3, 6)

  expect(p.page.data.photos.map(ph => ph.path)).toHaveLength(6)
  expect(wxs.toasts).toEqual(['最多上传 6 张照片'])
  expect(wxs.backend.calls('POST /uploads')).toHaveLength(6)
})

test('a photo over 5 MB is refused before it is uploaded', async () => {
  const p = await open()
  wxs.mediaChoices.push({ tempFiles: [
    { tempFilePath: 'wxfile://tmp/huge.jpg', size: 6 * 1024 * 1024, fileType: 'image' },
    { tempFilePath: 'wxfile://tmp/ok.jpg', size: 1024, fileType: 'image' },
  ] })
  p.fire('add-photo')
  await wxs.settle()

  expect(wxs.backend.calls('POST /uploads').map(u => u.data.filePath)).toEqual(['wxfile://tmp/ok.jpg'])
  expect(wxs.toasts).toEqual(['单张照片不能超过 5 MB，已略过过大的照片'])
})

test('a removed photo is not sent; removing one still uploading stops its upload', async () => {
  const p = await open()
  await fill(p)
  await addPhotos(p, 2)

  p.fire('remove-0')
  await wxs.settle()
  expect(p.page.data.photos.map(ph => ph.id)).toEqual(['up-2'])

  wxs.backend.on('POST /uploads', () => ({ status: 201, body: { id: 'never' }, delay: 600 }))
  wxs.mediaChoices.push(photos(1, 3))
  p.fire('add-photo')
  await wxs.settle.until(() => wxs.uploadTasks.length === 3)
  expect(p.page.data.photos[1].status).toBe('uploading')
  p.fire('remove-1')
  await wxs.settle()

  expect(wxs.uploadTasks[2].aborted).toBe(true)
  expect(wxs.toasts).toEqual([])
  p.fire('submit')
  await wxs.settle()
  expect(wxs.backend.calls('POST /requests')[0].data.attachments).toEqual(['up-2'])
})

test('a refused upload says why, keeps the form from being sent, and can be retried', async () => {
  wxs.backend.on('POST /uploads', error(400, 'invalid_request', '只能上传 JPEG、PNG 或 WebP 图片', { fields: { file: '不是图片' } }))
  const p = await open()
  await fill(p)
  await addPhotos(p, 1)

  expect(wxs.toasts).toEqual(['照片上传失败：只能上传 JPEG、PNG 或 WebP 图片'])
  expect(p.texts('#retry-0')).toEqual(['上传失败，点击重试'])
  p.fire('submit')
  await wxs.settle()
  expect(p.texts('#error')).toEqual(['有照片上传失败，请点击重试或删除后再提交'])
  expect(wxs.backend.calls('POST /requests')).toHaveLength(0)

  wxs.backend.on('POST /uploads', { status: 201, body: { id: 'up-again' } })
  p.fire('retry-0')
  await wxs.settle()
  p.fire('submit')
  await wxs.settle()
  expect(wxs.backend.calls('POST /requests')[0].data.attachments).toEqual(['up-again'])
})

test('tapping submit twice sends the request once', async () => {
  wxs.backend.on('POST /requests', { status: 201, body: request({ id: 556 }), delay: 30 })
  const p = await open()
  await fill(p)

  p.fire('submit')
  p.fire('submit')
  await wxs.settle()
  p.fire('submit')
  await wxs.settle()

  expect(wxs.backend.calls('POST /requests')).toHaveLength(1)
  expect(wxs.navigations).toEqual([{ type: 'redirectTo', url: '/pages/requests/detail?id=556' }])
})

test('what is missing is said before anything is sent', async () => {
  const p = await open()

  p.fire('submit')
  await wxs.settle()
  expect(p.texts('#error')).toEqual(['请选择诉求类别'])

  p.fire('category', 'change', { value: 0 })
  p.fire('submit')
  await wxs.settle()
  expect(p.texts('#error')).toEqual(['请填写标题'])

  p.fire('title', 'input', { value: '标题' })
  p.fire('submit')
  await wxs.settle()
  expect(p.texts('#error')).toEqual(['请填写诉求内容'])
  expect(wxs.backend.calls('POST /requests')).toHaveLength(0)
})

test('the server\'s field errors are shown in Chinese and the member can send again', async () => {
  wxs.backend.on('POST /requests', error(400, 'invalid_request', '请求内容有误', { fields: { title: '长度不能超过 60 个字符' } }))
  const p = await open()
  await fill(p)

  p.fire('submit')
  await wxs.settle()

  expect(p.texts('#error')).toEqual(['标题：长度不能超过 60 个字符'])
  expect(p.prop('submit', 'disabled')).toBe(false)
  expect(wxs.toasts).toEqual([])
})

test('other refusals show the server\'s message', async () => {
  wxs.backend.on('POST /requests', error(429, 'rate_limited', '今天提交的诉求已达上限，请明天再来'))
  const p = await open()
  await fill(p)

  p.fire('submit')
  await wxs.settle()

  expect(p.texts('#error')).toEqual(['今天提交的诉求已达上限，请明天再来'])
})

describe('a liaison raising a request for a member', () => {
  test('names the member by employee number and goes back to the queue', async () => {
    const p = await open({ behalf: '1' })
    expect(p.texts('#submit')).toEqual(['代会员提交'])

    await fill(p)
    p.fire('submit')
    await wxs.settle()
    expect(p.texts('#error')).toEqual(['请填写会员工号'])

    p.fire('employee-no', 'input', { value: ' E2031 ' })
    p.fire('submit')
    await wxs.settle()

    expect(wxs.backend.calls('POST /requests')[0].data).toMatchObject({ on_behalf_of_employee_no: 'E2031', category: 'canteen' })
    expect(wxs.toasts).toEqual(['已代会员提交'])
    expect(wxs.navigations).toEqual([{ type: 'navigateBack' }])
  })

  test('a member outside the liaison\'s grids is refused in words', async () => {
    wxs.backend.on('POST /requests', error(403, 'forbidden', ''))
    const p = await open({ behalf: '1' })
    await fill(p)
    p.fire('employee-no', 'input', { value: 'E9999' })

    p.fire('submit')
    await wxs.settle()

    expect(p.texts('#error')).toEqual(['该会员不在您负责的网格内，无法代为提交'])
  })
})

test('the form itself has no employee number field for a member', async () => {
  const p = await open()
  expect(p.exists('employee-no')).toBe(false)
  expect(p.texts('#submit')).toEqual(['提交诉求'])
})
