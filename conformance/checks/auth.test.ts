// auth.* (R7, SG-SIGNATURE-V1): each refusal check passes on the compliant reference platform and
// fails on the twin that accepts that one kind of bad request.
import t from 'tap'
import { SIGNATURE_HEADERS, signRequest } from '../signing/index.js'
import { authChecks } from './auth.js'
import { probeProvider, resultOf, runTwin, withProvider, type TwinCase } from './probe-harness.test-support.js'

const CASES: TwinCase[] = [
  { check: 'auth.unsigned', requirement: 'R7', kind: 'on-demand', defects: ['accepts-unsigned'], because: 'requests without signature headers are accepted' },
  {
    check: 'auth.bad-signature', requirement: 'R7', kind: 'on-demand', because: 'a proxy re-signs whatever arrives (the platform accepts any signature)',
    rewriteHeaders: (p) => (method, url, headers) => {
      if (headers[SIGNATURE_HEADERS.signature.toLowerCase()] === undefined) return headers
      const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('x-sg-')))
      return { ...rest, ...signRequest({ method, url, keyId: p.keyId, secret: p.secret }) }
    },
  },
  { check: 'auth.stale-timestamp', requirement: 'R7', kind: 'self-hosted', defects: ['accepts-stale-timestamp'], because: 'timestamps outside ±300 s are accepted' },
  { check: 'auth.replayed-nonce', requirement: 'R7', kind: 'on-demand', defects: ['accepts-replayed-nonce'], because: 'a nonce may be used twice' },
]

t.test('every auth check has a failing twin here', async (t) => {
  // auth.valid-signature's twin is below: a platform that answers a correct signature with 503.
  t.same(authChecks.map((c) => c.id).filter((id) => !CASES.some((c) => c.check === id) && id !== 'auth.valid-signature'), [])
})

t.test('auth.valid-signature fails (R7) when a correctly signed request is answered 503; a 401 for our key is the root cause SG_ERR_PROBE_UNAUTHORISED, not a failure', async (t) => {
  const { createServer } = await import('node:http')
  const server = createServer((req, res) => {
    req.resume()
    res.writeHead(503, { 'content-type': 'application/problem+json' })
    res.end(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503, code: 'SG_ERR_UNAVAILABLE' }))
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())))
  const { port } = server.address() as { port: number }
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const broken = await probeProvider(p, { baseUrl: `http://127.0.0.1:${port}`, only: ['auth.valid-signature'] })
    const r = resultOf(broken, 'auth.valid-signature')
    t.equal(r.status, 'fail', r.message?.en ?? '')
    t.ok(r.requirementIds.includes('R7'))
    t.match(r.message?.en, /A correctly signed request was refused \(503/)
    // The platform holds another secret for our key id: indistinguishable from a wrong --secret-env.
    const otherSecret = await withProvider({ kind: 'on-demand', keys: { 'fixture-key-1': 'the-platform-has-another-secret' } }, (q) => probeProvider(q, { secret: 'the-secret-we-were-given', only: ['auth.valid-signature'] }))
    t.same([resultOf(otherSecret, 'auth.valid-signature').status, resultOf(otherSecret, 'auth.valid-signature').errorCode], ['error', 'SG_ERR_PROBE_UNAUTHORISED'])
    const twin = await probeProvider(p, { only: ['auth.valid-signature'] })
    t.equal(resultOf(twin, 'auth.valid-signature').status, 'pass', 'the compliant twin passes')
  })
})

for (const kind of ['on-demand', 'self-hosted'] as const) {
  t.test(`the compliant ${kind} reference platform passes every auth check`, async (t) => {
    const ids = authChecks.map((c) => c.id)
    const report = await withProvider({ kind }, (p) => probeProvider(p, { only: ids }))
    for (const id of ids) t.equal(resultOf(report, id).status, 'pass', `${id}: ${resultOf(report, id).message?.en ?? ''}`)
    t.match(resultOf(report, 'auth.replayed-nonce').measured, { code: 'SG_ERR_SIG_REPLAY', status: 401 })
    t.match(resultOf(report, 'auth.stale-timestamp').measured, { code: 'SG_ERR_SIG_STALE', status: 401 })
  })
}

for (const c of CASES) {
  t.test(`${c.check} fails (${c.requirement}) when ${c.because}`, async (t) => {
    const { result } = await runTwin(c)
    t.equal(result.status, 'fail', result.message?.en ?? '')
    t.ok(result.requirementIds.includes(c.requirement), `names ${c.requirement}`)
    t.match(result.reproduce, /^curl /m, 'a failed HTTP check carries a reproduce command')
  })
}

t.test('without a key, the checks that sign are errors that say how to fix it, and the unsigned check still runs', async (t) => {
  const report = await withProvider({ kind: 'on-demand' }, (p) => probeProvider(p, { only: authChecks.map((c) => c.id), keyId: undefined, secret: undefined }))
  t.equal(resultOf(report, 'auth.unsigned').status, 'pass')
  for (const id of ['auth.bad-signature', 'auth.stale-timestamp', 'auth.replayed-nonce', 'auth.valid-signature']) {
    t.equal(resultOf(report, id).status, 'error', id)
    t.equal(resultOf(report, id).errorCode, 'SG_ERR_PROBE_NO_KEY', id)
  }
  t.equal(report.verdict, 'partial')
  t.equal(report.selection?.passed, false)
})
