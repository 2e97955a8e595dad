const { posterTarget, pageId } = require('../../utils/links')

describe('poster QR codes', () => {
  test.each([
    ['http://127.0.0.1:5000/n/12', { kind: 'notice', id: 12, url: '/pages/notices/detail?id=12' }],
    ['https://hub.example.com/e/5', { kind: 'event', id: 5, url: '/pages/events/detail?id=5' }],
    ['https://hub.example.com/union/n/7/', { kind: 'notice', id: 7, url: '/pages/notices/detail?id=7' }],
    ['  HTTPS://HUB.EXAMPLE.COM/E/9?from=poster#top\n', { kind: 'event', id: 9, url: '/pages/events/detail?id=9' }],
  ])('%s opens our own page', (text, target) => {
    expect(posterTarget(text)).toEqual(target)
  })

  test.each([
    'c1.101.29043.Zm9vYmFy',
    'ck1.101.29043.Zm9vYmFy',
    'http://127.0.0.1:5000/n/abc',
    'http://127.0.0.1:5000/n/12/extra',
    'http://127.0.0.1:5000/x/12',
    'ftp://host/n/12',
    '/n/12',
    '',
  ])('%j is not a poster link', text => {
    expect(posterTarget(text)).toBeNull()
  })
})

describe('the id a detail page was opened with', () => {
  test('?id= wins', () => {
    expect(pageId({ id: '12' }, 'notice')).toBe(12)
  })

  test('?q= holds the scanned poster link, encoded', () => {
    expect(pageId({ q: encodeURIComponent('https://hub.example.com/n/12') }, 'notice')).toBe(12)
  })

  test('a link to the other kind of page, or nothing, is no id', () => {
    expect(pageId({ q: encodeURIComponent('https://hub.example.com/e/12') }, 'notice')).toBeNaN()
    expect(pageId({}, 'event')).toBeNaN()
  })
})
