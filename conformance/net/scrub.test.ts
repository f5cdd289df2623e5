import t from 'tap'
import { REDACTED, redactUrl, scrub } from './scrub.js'
import { toCurl } from './to-curl.js'
import { buildEvidence, excerpt } from './evidence.js'
import { parseRetryAfter, backoffDelay, networkErrorCode } from './retry-policy.js'

t.test('scrub removes credential headers, credential query values and literal secrets', async (t) => {
  const input = {
    headers: { Authorization: 'Bearer abc', 'X-SG-Signature': 'f00d', 'x-sg-key-id': 'kid-1', cookie: 'sid=1', 'X-SG-Signature-Algorithm': 'HMAC-SHA256' },
    url: 'https://p.example/v1?token=t0k&client_secret=s3c&page=2',
    note: 'the key is sup3r-secret-value, or sup3r-secret-value%21 encoded',
    nested: [{ body: 'sup3r-secret-value!' }],
  }
  const out = scrub(input, ['sup3r-secret-value!', 'sup3r-secret-value', 'ab'])
  t.equal(out.headers.Authorization, REDACTED)
  t.equal(out.headers['X-SG-Signature'], REDACTED)
  t.equal(out.headers.cookie, REDACTED)
  t.equal(out.headers['x-sg-key-id'], 'kid-1')
  t.equal(out.headers['X-SG-Signature-Algorithm'], 'HMAC-SHA256')
  t.notMatch(out.url, /t0k|s3c/)
  t.match(out.url, /page=2/)
  t.notMatch(JSON.stringify(out), /sup3r/)
  t.equal(input.headers.Authorization, 'Bearer abc', 'the input is not modified')
  t.notMatch(JSON.stringify(scrub({ a: 'abc' }, ['ab'])), REDACTED, 'secrets shorter than 4 characters are ignored')
  t.equal(redactUrl('not a url'), 'not a url')
})

t.test('evidence: 2 KiB UTF-8 excerpt that never splits a character', async (t) => {
  const body = Buffer.from('汉'.repeat(1000)) // 3 bytes each
  const e = excerpt(body)
  t.ok(e.truncated)
  t.equal(e.text, '汉'.repeat(682))
})

t.test('toCurl reproduces the request with placeholders for redacted values', async (t) => {
  const ev = buildEvidence(
    { method: 'POST', url: 'https://p.example/v1/tenants/a/objects?access_token=zzz', headers: { 'content-type': 'application/json', 'x-sg-signature': 'f00d', authorization: 'Bearer q', 'accept-encoding': 'gzip', 'x-note': "it's" }, body: Buffer.from('{"a":1}') },
    { status: 500, headers: {}, body: Buffer.from('oops') },
    [],
  )
  const cmd = toCurl(ev, { maxTimeSeconds: 15 })
  t.match(cmd, /^curl -sS -i --max-time 15 -X POST /)
  t.match(cmd, /-H 'x-sg-signature: <signature: replay with skillgate reproduce/, 'no key id in the evidence: the command says how to replay')
  t.match(cmd, /-H "authorization: Bearer \$SG_TENANT_TOKEN"/, 'a token is an environment variable')
  t.match(cmd, /--compressed/)
  t.match(cmd, /--data-binary '\{"a":1\}'/)
  t.match(cmd, /-H 'x-note: it'\\''s'/, 'single quotes are shell-escaped')
  t.notMatch(cmd, /f00d|zzz|Bearer q/)
})

t.test('retry policy helpers', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(parseRetryAfter('3', now), 3000)
  t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000)
  t.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a past date means now')
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
  t.equal(backoffDelay(3, 100, 10_000, () => 1), 800)
  t.equal(backoffDelay(10, 100, 1000, () => 1), 1000, 'capped')
  t.equal(backoffDelay(2, 100, 1000, () => 0), 0)
  t.equal(networkErrorCode(Object.assign(new Error('x'), { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) })), 'ECONNRESET')
  t.equal(networkErrorCode(new Error('socket hang up')), 'ECONNRESET')
  t.equal(networkErrorCode(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })), undefined)
})
