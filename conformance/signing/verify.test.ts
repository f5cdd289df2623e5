// R7 signing: verification order, replay protection and the Node/HTTP adapter, exercised over a
// real loopback HTTP server with undici as the client (the shape the probe client uses).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { isSkillgateError, toProblem } from '../../specs/lib/errors.js'
import { MemoryNonceStore } from './nonce-store.js'
import { makeSigner, signRequest } from './sign.js'
import { verifyNodeRequest, verifyRequest } from './verify.js'
import type { VerifyOptions } from './verify.js'

const NOW = 1767196800_000
const KEY = 'sg-test-provider-01'
const SECRET = 'sgtest_secret_for_verify_tests'
const URL_ = 'https://api.example.cn/v1/tenants/t-a/objects?x=1'
const BODY = '{"title":"养老护理员"}'

const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
  lookupSecret: async (id) => (id === KEY ? SECRET : undefined),
  nonceStore: new MemoryNonceStore({ now: () => NOW }),
  now: NOW,
  ...over,
})
const signed = (over: Partial<Parameters<typeof signRequest>[0]> = {}) =>
  signRequest({ method: 'POST', url: URL_, body: BODY, keyId: KEY, secret: SECRET, now: NOW, ...over })
const codeOf = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(() => undefined, (e: unknown) => (isSkillgateError(e) ? e.code : `not a SkillgateError: ${String(e)}`))

t.test('a correctly signed request verifies; each single defect is rejected with its code', async (t) => {
  const headers = signed()
  t.match(await verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, options()), { keyId: KEY, algorithm: 'HMAC-SHA256', timestamp: NOW / 1000 })
  const cases: Array<[string, Record<string, string>, string, string | undefined]> = [
    ['no signature header', { ...headers, 'X-SG-Signature': '' }, BODY, 'SG_ERR_SIG_MISSING'],
    ['timestamp with a sign', { ...headers, 'X-SG-Timestamp': `+${NOW / 1000}` }, BODY, 'SG_ERR_SIG_MALFORMED'],
    ['nonce with a dot', { ...headers, 'X-SG-Nonce': 'abcdefgh.ijklmnop' }, BODY, 'SG_ERR_SIG_MALFORMED'],
    ['signature not base64', { ...headers, 'X-SG-Signature': 'not base64!' }, BODY, 'SG_ERR_SIG_MALFORMED'],
    ['key id with a space', { ...headers, 'X-SG-Key-Id': 'sg test' }, BODY, 'SG_ERR_SIG_MALFORMED'],
    ['algorithm in lower case', { ...headers, 'X-SG-Signature-Algorithm': 'hmac-sha256' }, BODY, 'SG_ERR_SIG_ALGORITHM'],
    ['unknown key', { ...headers, 'X-SG-Key-Id': 'sg-test-provider-99' }, BODY, 'SG_ERR_SIG_UNKNOWN_KEY'],
    ['truncated signature', { ...headers, 'X-SG-Signature': headers['X-SG-Signature']!.slice(0, 40) }, BODY, 'SG_ERR_SIG_MISMATCH'],
    ['body changed', headers, BODY.replace('养老', '育婴'), 'SG_ERR_SIG_MISMATCH'],
  ]
  for (const [name, h, body, code] of cases) {
    t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers: h, body }, options())), code, name)
  }
})

t.test('header names are case-insensitive; a repeated header is malformed', async (t) => {
  const lower = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toLowerCase(), v]))
  t.ok(await verifyRequest({ method: 'POST', url: URL_, headers: lower, body: BODY }, options()))
  const twice = { ...lower, 'x-sg-nonce': [lower['x-sg-nonce']!, 'abcdefghijklmnopq'] }
  t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers: twice, body: BODY }, options())), 'SG_ERR_SIG_MALFORMED')
})

t.test('window: ±300 s inclusive, 301 s is stale, and the error says how far off the clock is', async (t) => {
  for (const [skew, code] of [[300, undefined], [-300, undefined], [301, 'SG_ERR_SIG_STALE'], [-301, 'SG_ERR_SIG_STALE']] as const) {
    const headers = signed({ now: NOW + skew * 1000 })
    t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, options())), code, `skew ${skew}`)
  }
  const err = await verifyRequest({ method: 'POST', url: URL_, headers: signed({ now: NOW - 400_000 }), body: BODY }, options()).catch((e: unknown) => e)
  t.match(toProblem(err), { status: 401, code: 'SG_ERR_SIG_STALE', details: { skewSeconds: -400, windowSeconds: 300 } })
  const narrow = await codeOf(verifyRequest({ method: 'POST', url: URL_, headers: signed({ now: NOW - 61_000 }), body: BODY }, options({ windowSeconds: 60 })))
  t.equal(narrow, 'SG_ERR_SIG_STALE', 'windowSeconds is honoured')
})

t.test('replay: the second use of a nonce is refused; a forgery cannot burn a nonce', async (t) => {
  const opts = options()
  const headers = signed({ nonce: 'legit-nonce-0000000001' })
  t.ok(await verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, opts))
  t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, opts)), 'SG_ERR_SIG_REPLAY')

  const forged = signed({ nonce: 'victim-nonce-000000001', secret: 'attacker-guess' })
  t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers: forged, body: BODY }, opts)), 'SG_ERR_SIG_MISMATCH')
  const victim = signed({ nonce: 'victim-nonce-000000001' })
  t.ok(await verifyRequest({ method: 'POST', url: URL_, headers: victim, body: BODY }, opts), 'the victim nonce is still usable')
})

t.test('a mismatch returns the receiver’s canonical request so the provider can diff it', async (t) => {
  const headers = signed({ url: 'https://api.example.cn/v1/tenants/t-a/objects?x=2' })
  const err = await verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, options()).catch((e: unknown) => e)
  t.match(toProblem(err), { code: 'SG_ERR_SIG_MISMATCH', details: { canonicalRequest: /\nx=1\n/ } })
  t.notMatch(JSON.stringify(toProblem(err)), SECRET, 'the secret never appears')
})

t.test('HMAC-SM3 verifies, and a receiver can refuse it', async (t) => {
  const headers = signed({ algorithm: 'HMAC-SM3' })
  t.match(await verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, options()), { algorithm: 'HMAC-SM3' })
  t.equal(await codeOf(verifyRequest({ method: 'POST', url: URL_, headers, body: BODY }, options({ algorithms: ['HMAC-SHA256'] }))), 'SG_ERR_SIG_ALGORITHM')
})

t.test('a request-target without a Host header is reported as missing, not as a crash', async (t) => {
  const headers = signed()
  t.equal(await codeOf(verifyRequest({ method: 'POST', url: '/v1/tenants/t-a/objects?x=1', headers, body: BODY }, options())), 'SG_ERR_SIG_MISSING')
  t.ok(await verifyRequest({ method: 'POST', url: '/v1/tenants/t-a/objects?x=1', headers: { ...headers, host: 'api.example.cn' }, body: BODY }, options()))
})

t.test('over real HTTP: makeSigner on the client, verifyNodeRequest on the server', async (t) => {
  const opts: VerifyOptions = { lookupSecret: (id) => (id === KEY ? SECRET : undefined), nonceStore: new MemoryNonceStore() }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      verifyNodeRequest(req, chunks.length ? Buffer.concat(chunks) : undefined, opts).then(
        (v) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v)),
        (e: unknown) => {
          const p = toProblem(e)
          res.writeHead(p.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(p))
        },
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const { port } = server.address() as AddressInfo
  const sign = makeSigner({ keyId: KEY, secret: SECRET })

  const send = async (path: string, method: 'GET' | 'POST', body?: Buffer, tamper?: (h: Record<string, string>) => void) => {
    const url = new URL(path, `http://127.0.0.1:${port}`)
    const headers = sign({ method, url, headers: {}, body })
    tamper?.(headers)
    const res = await request(url, { method, headers, body })
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> }
  }
  t.match(await send('/v1/courses?q=电工&page=2&a=1&a=0', 'GET'), { status: 200, json: { keyId: KEY } }, 'Chinese query over the wire')
  t.match(await send('/v1/courses/%e7%94%b5/preview', 'GET'), { status: 200 }, 'lower-case escapes over the wire')
  t.match(await send('/v1/tenants/t-a/objects', 'POST', Buffer.from(BODY)), { status: 200 }, 'JSON body')
  t.match(await send('/v1/courses', 'GET', undefined, (h) => { h['X-SG-Signature'] = Buffer.alloc(32).toString('base64') }), { status: 401, json: { code: 'SG_ERR_SIG_MISMATCH' } })
  t.match(await send('/v1/courses', 'GET', undefined, (h) => { delete h['X-SG-Timestamp'] }), { status: 401, json: { code: 'SG_ERR_SIG_MISSING' } })
})
