const { sha256 } = require('../../utils/sha256')

// FIPS 180-4 / NIST CAVS examples, and UTF-8 text as Python's hashlib.sha256(s.encode()).hexdigest() gives it
// (the server publishes receipt digests that way).
test.each([
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1'],
  ['中文', '72726d8818f693066ceb69afa364218b692e62ea92b385782363780f47529c21'],
  ['R-7F3K-9QPA-2M4X', 'e8a9deee0befd8ad8aef214c01d53f1f364b9abd32aa3783acc21b350fb1fdd2'],
])('sha256(%j)', (input, digest) => {
  expect(sha256(input)).toBe(digest)
})

test('one million "a" (many blocks)', () => {
  expect(sha256('a'.repeat(1000000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
})

test('padding edges: 55, 56 and 64 bytes each give a different, well-formed digest', () => {
  const digests = [55, 56, 63, 64, 65].map(n => sha256('x'.repeat(n)))
  digests.forEach(d => expect(d).toMatch(/^[0-9a-f]{64}$/))
  expect(new Set(digests).size).toBe(5)
  expect(sha256('x'.repeat(56))).toBe(require('crypto').createHash('sha256').update('x'.repeat(56)).digest('hex'))
})
