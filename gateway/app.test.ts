import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openStore } from './store/open-store.js'
import { testApp } from './app.test-support.js'

t.test('health, readiness and metrics', async (t) => {
  const { app } = await testApp(t)
  t.same((await app.inject('/healthz')).json(), { status: 'ok' })
  t.same((await app.inject('/readyz')).json(), { status: 'ready' })
  const metrics = await app.inject('/metrics')
  t.equal(metrics.statusCode, 200)
  t.match(metrics.body, /process_cpu_user_seconds_total/)
  t.match(metrics.body, /skillgate_http_request_duration_seconds_bucket\{.*route="\/healthz"/)
})

t.test('R7: the specification is published under /spec/, the same files as spec export', async (t) => {
  const { app } = await testApp(t)
  const index = (await app.inject('/spec/index.json')).json()
  const paths = index.files.map((f: { path: string }) => f.path)
  t.ok(paths.includes('openapi/provider-api.openapi.json'))
  t.ok(paths.includes('requirements/requirements.json'))
  t.ok(paths.includes('errors.json'))
  const oas = await app.inject('/spec/openapi/provider-api.openapi.json')
  t.equal(oas.statusCode, 200)
  t.match(oas.headers['content-type'], /openapi/)
  t.equal(oas.json().openapi, '3.1.0')
  const missing = await app.inject('/spec/nope.json')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'SG_ERR_NOT_FOUND')
  t.equal((await app.inject('/spec/../package.json')).statusCode, 404, 'no path escapes the spec folder')
})

t.test('/openapi.json passes a maintained OpenAPI validator and /docs serves the UI', async (t) => {
  const { app } = await testApp(t)
  const doc = (await app.inject('/openapi.json')).json()
  t.equal(doc.openapi, '3.1.0')
  await t.resolves(SwaggerParser.validate(structuredClone(doc)))
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /swagger/i)
})

t.test('route guard: every registered route declares roles; a route without roles is refused', async (t) => {
  const { app } = await testApp(t)
  t.ok(app.guardedRoutes.length > 5)
  for (const r of app.guardedRoutes) t.ok(r.roles.length > 0, `${r.method} ${r.url} declares roles`)
  const bare = await buildApp({ config: loadConfig({ env: {}, overrides: { logLevel: 'silent' } }), store: openStore({ sqlitePath: ':memory:' }) })
  t.teardown(() => bare.close())
  t.throws(() => bare.get('/unguarded', async () => 'oops'), /declares no roles/)
  t.doesNotThrow(() => bare.get('/guarded', { config: { roles: ['admin'] } }, async () => 'ok'))
})

t.test('errors are problem+json with documented codes', async (t) => {
  const { app } = await testApp(t)
  const r = await app.inject('/no/such/route')
  t.equal(r.statusCode, 404)
  t.match(r.headers['content-type'], /application\/problem\+json/)
  t.match(r.json(), { code: 'SG_ERR_ROUTE_NOT_FOUND', status: 404 })
})

t.test('config: validated at boot, unknown keys refused with the path, frozen after', async (t) => {
  t.throws(() => loadConfig({ env: {}, overrides: { bogus: 1 } }), /SG_ERR_CONFIG|no such property/)
  t.throws(() => loadConfig({ env: { PORT: 'eighty' } }), /not an integer/)
  t.throws(() => loadConfig({ env: { SKILLGATE_SSRF_MODE: 'maybe' } }), /ssrfMode/)
  const c = loadConfig({ env: { PORT: '9000', DATABASE_URL: 'postgres://x@127.0.0.1/db' } })
  t.equal(c.port, 9000)
  t.equal(c.ssrfMode, 'deny', 'deny is the default')
  t.equal(c.rateLimit.max, 600, 'nested defaults')
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.rateLimit))
})

t.test('the demo clock route exists only in demo mode (admin only)', async (t) => {
  const { app: real } = await testApp(t)
  const plain = await real.inject({ method: 'POST', url: '/api/v1/demo/clock', payload: { advanceDays: 7 } })
  t.equal(plain.statusCode, 404, 'a real gateway has no such route')
  const { app: demo, store } = await testApp(t, { overrides: { demo: true, dataDir: t.testdir({}) } })
  const admin = await store.apiTokens.create({ role: 'admin', label: 'a' })
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'r' })
  t.equal((await demo.inject({ method: 'POST', url: '/api/v1/demo/clock', headers: { authorization: `Bearer ${reviewer.token}` }, payload: { advanceDays: 7 } })).statusCode, 403)
  const before = demo.workflow.now()
  const moved = await demo.inject({ method: 'POST', url: '/api/v1/demo/clock', headers: { authorization: `Bearer ${admin.token}` }, payload: { advanceDays: 7 } })
  t.equal(moved.statusCode, 200)
  t.ok(demo.workflow.now() - before >= 7 * 86_400_000 - 1000, 'the workflow clock moved a week')
})

t.test('rate limiting comes before authentication: a flood of unknown tokens meets 429, not a query each', async (t) => {
  const { app } = await testApp(t, { overrides: { 'rateLimit.max': 3, 'rateLimit.timeWindowMs': 60_000 } })
  const call = () => app.inject({ url: '/api/v1/applications', headers: { authorization: 'Bearer sgt_unknown' } })
  for (let i = 0; i < 3; i++) t.equal((await call()).statusCode, 401, `unknown token ${i + 1}: 401`)
  t.equal((await call()).statusCode, 429, 'over the limit: 429 before the token is looked up')
})

t.test('rate limiting: over the limit a client gets 429 problem+json with Retry-After and the limit headers', async (t) => {
  const { app } = await testApp(t, { overrides: { 'rateLimit.max': 3, 'rateLimit.timeWindowMs': 60_000 } })
  for (let i = 0; i < 3; i++) {
    const ok = await app.inject({ url: '/healthz' })
    t.equal(ok.statusCode, 200, `request ${i + 1} within the limit`)
    t.notOk(ok.headers['x-ratelimit-remaining'], 'no limit headers on an ordinary answer')
  }
  const limited = await app.inject({ url: '/healthz' })
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /application\/problem\+json/)
  t.ok(Number(limited.headers['retry-after']) > 0, `retry-after ${limited.headers['retry-after']}`)
  t.equal(limited.headers['x-ratelimit-limit'], '3')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
})
