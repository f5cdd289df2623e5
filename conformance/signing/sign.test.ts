import t from 'tap'
import { NONCE_PATTERN, SIGNATURE_HEADERS } from './scheme.js'
import { generateNonce, makeSigner, signRequest } from './sign.js'

t.test('signRequest adds exactly the five X-SG headers', async (t) => {
  const h = signRequest({ method: 'GET', url: 'https://a.cn/v1/x', keyId: 'k-1', secret: 's', now: 1767196800_999 })
  t.same(Object.keys(h).sort(), Object.values(SIGNATURE_HEADERS).sort())
  t.equal(h['X-SG-Timestamp'], '1767196800', 'seconds, rounded down')
  t.equal(h['X-SG-Signature-Algorithm'], 'HMAC-SHA256', 'SHA-256 is the default')
  t.match(h['X-SG-Signature'], /^[A-Za-z0-9+/]{43}=$/)
})

t.test('nonces are fresh and well-formed on every call', async (t) => {
  const nonces = Array.from({ length: 1000 }, generateNonce)
  t.same(nonces.filter((n) => !NONCE_PATTERN.test(n)), [], 'all match [A-Za-z0-9_-]{16,64}')
  t.equal(new Set(nonces).size, 1000, 'no repeats')
})

t.test('makeSigner signs each attempt anew (retries are never replays)', async (t) => {
  let clock = 1767196800_000
  const sign = makeSigner({ keyId: 'k-1', secret: 's', now: () => clock })
  const req = { method: 'GET', url: new URL('https://a.cn/v1/x?b=1'), headers: {}, body: undefined }
  const a = sign(req)
  clock += 5_000
  const b = sign(req)
  t.not(a['X-SG-Nonce'], b['X-SG-Nonce'])
  t.equal(Number(b['X-SG-Timestamp']) - Number(a['X-SG-Timestamp']), 5, 'the clock is read per attempt')
})

t.test('bad inputs are refused before anything is sent', async (t) => {
  const base = { method: 'GET', url: 'https://a.cn/', keyId: 'k-1', secret: 's' }
  t.throws(() => signRequest({ ...base, nonce: 'too-short' }), /nonce/)
  t.throws(() => signRequest({ ...base, keyId: 'has space' }), /keyId/)
  t.throws(() => signRequest({ ...base, algorithm: 'HMAC-MD5' as never }), /not available/)
  t.doesNotThrow(() => signRequest({ ...base, nonce: 'a'.repeat(64) }))
})
