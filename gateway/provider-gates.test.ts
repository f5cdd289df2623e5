// Issue 16: record pushes and package uploads only from providers whose state allows it, and signed
// as specs/signing/gateway-calls.json says. The walk starts from Fastify's own route list
// (app.guardedRoutes), so a provider-facing route added later must be classified here or this test
// fails. Every (route × provider state) answer is checked: draft, submitted, rejected, suspended and
// exited providers are refused with a documented code; the twins (an admitted operating provider,
// a resource provider awaiting its package) are accepted. Then every provider-facing route is
// called with the provider's bearer token alone and anonymously: refused wherever the
// specification says signed (SG_ERR_SIGNATURE_REQUIRED), accepted as before elsewhere.
import t from 'tap'
import { createHash } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { signRequest } from '../conformance/signing/index.js'
import { errorCodes } from '../specs/lib/errors.js'
import { loadSignedCalls, signedCallKey } from '../specs/lib/signed-calls.js'
import { testApp } from './app.test-support.js'
import { statement } from './records/statements.test-support.js'
import { applicationBody, bearer, documentBodies } from './workflow/workflow.test-support.js'
import type { ProviderCredentials } from './workflow/workflow.test-support.js'

type State = 'draft' | 'submitted' | 'rejected' | 'suspended' | 'exited' | 'active' | 'awaiting-package'
const REFUSED_STATES: State[] = ['draft', 'submitted', 'rejected', 'suspended', 'exited']
interface Provider { applicationId: string; creds: ProviderCredentials }

/** What each provider-facing write route must answer per state (R6–R13, R17–R19). */
const PDF = Buffer.from('%PDF-1.4\n%commitment\n').toString('base64')
const WRITE_ROUTES: Record<string, { body?: (p: Provider) => unknown; zip?: boolean; expect: Partial<Record<State, [number, string?]>> }> = {
  'POST /api/v1/packages': {
    zip: true,
    expect: {
      draft: [403, 'SG_ERR_PACKAGE_NOT_ADMITTED'], submitted: [403, 'SG_ERR_PACKAGE_NOT_ADMITTED'], rejected: [403, 'SG_ERR_PACKAGE_NOT_ADMITTED'],
      suspended: [403, 'SG_ERR_PACKAGE_NOT_ADMITTED'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'], active: [202], 'awaiting-package': [202],
    },
  },
  'POST /api/v1/learning-records': {
    body: () => ({ statements: [statement()] }),
    expect: {
      draft: [403, 'SG_ERR_RECORDS_NOT_ADMITTED'], submitted: [403, 'SG_ERR_RECORDS_NOT_ADMITTED'], rejected: [403, 'SG_ERR_RECORDS_NOT_ADMITTED'],
      suspended: [403, 'SG_ERR_RECORDS_NOT_ADMITTED'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'], active: [200], 'awaiting-package': [403, 'SG_ERR_RECORDS_NOT_ADMITTED'],
    },
  },
  // The admission workflow's own steps: the state machine decides (409 naming the state), and an
  // exited provider's keys are revoked. A draft may still upload documents (its twin).
  'POST /api/v1/applications/:id/documents': {
    body: () => documentBodies('resource')[0],
    expect: { draft: [201], submitted: [409, 'SG_ERR_WORKFLOW_LOCKED'], rejected: [409, 'SG_ERR_WORKFLOW_LOCKED'], suspended: [409, 'SG_ERR_WORKFLOW_LOCKED'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
  'POST /api/v1/applications/:id/submit': {
    expect: { draft: [422, 'SG_ERR_WORKFLOW_INCOMPLETE'], submitted: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], rejected: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], suspended: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
  'POST /api/v1/applications/:id/conformance': {
    expect: { draft: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], submitted: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], rejected: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], suspended: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'], 'awaiting-package': [409, 'SG_ERR_PACKAGE_NONE_CHECKED'] },
  },
  'POST /api/v1/applications/:id/commitment-letter': {
    body: () => ({ fileName: 'commitment.pdf', contentType: 'application/pdf', contentBase64: PDF }),
    expect: { draft: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], submitted: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], rejected: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], suspended: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
  // Answering feedback tickets (R19) stays open to a suspended provider; only its own tickets (404 otherwise).
  'POST /api/v1/feedback/:id/response': {
    body: () => ({ response: 'matrix' }),
    expect: { draft: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], submitted: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], rejected: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], suspended: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
  'POST /api/v1/feedback/:id/resolution': {
    body: () => ({ resolution: 'matrix' }),
    expect: { draft: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], submitted: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], rejected: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], suspended: [404, 'SG_ERR_FEEDBACK_NOT_FOUND'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
  'POST /api/v1/applications/:id/withdraw': {
    body: () => ({ reasons: ['matrix'] }),
    expect: { draft: [200], submitted: [200], rejected: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], suspended: [409, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION'], exited: [401, 'SG_ERR_SIG_UNKNOWN_KEY'] },
  },
}

async function providerIn(app: FastifyInstance, state: State, admin: string, reviewer: string): Promise<Provider> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('resource') })
  const p: Provider = { applicationId: r.json().application.id, creds: r.json().provider }
  const sign = (method: 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse> => signedCall(app, p.creds, method, url, body)
  if (state === 'submitted' || state === 'rejected') {
    for (const doc of documentBodies('resource')) await sign('POST', `/api/v1/applications/${p.applicationId}/documents`, doc)
    const submitted = await sign('POST', `/api/v1/applications/${p.applicationId}/submit`)
    if (submitted.statusCode !== 200) throw new Error(submitted.body)
  }
  if (state === 'rejected') {
    const rejected = await app.inject({ method: 'POST', url: `/api/v1/applications/${p.applicationId}/material-review`, headers: bearer(reviewer), payload: { decision: 'reject', reasons: ['matrix: incomplete materials'] } })
    if (rejected.statusCode !== 200) throw new Error(rejected.body)
  }
  if (state === 'active' || state === 'suspended' || state === 'exited' || state === 'awaiting-package') {
    // Admission itself is the workflow's test (gateway/workflow/*.test.ts); here it starts admitted.
    await app.store.db.updateTable('applications').set({ state: state === 'awaiting-package' ? 'awaiting-package' : 'active' }).where('id', '=', p.applicationId).execute()
  }
  const who = p.creds.providerId
  if (state === 'suspended') await expectOk(app.inject({ method: 'POST', url: `/api/v1/providers/${who}/actions`, headers: bearer(reviewer), payload: { action: 'suspend', note: 'matrix: R19 suspension' } }))
  if (state === 'exited') await expectOk(app.inject({ method: 'POST', url: `/api/v1/providers/${who}/exit`, headers: bearer(admin), payload: { note: 'matrix: written exit request' } }))
  return p
}

async function expectOk(res: Promise<LightMyRequestResponse>): Promise<void> {
  const r = await res
  if (r.statusCode >= 300) throw new Error(`setup failed: ${r.statusCode} ${r.body}`)
}

function signedCall(app: FastifyInstance, creds: Pick<ProviderCredentials, 'keyId' | 'secret'>, method: string, url: string, body?: unknown, zip?: Buffer): Promise<LightMyRequestResponse> {
  const bytes = zip ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body)))
  const host = 'gateway.test'
  const headers: Record<string, string> = { host, ...signRequest({ method, url, headers: { host }, body: bytes, keyId: creds.keyId, secret: creds.secret }) }
  if (zip) Object.assign(headers, { 'content-type': 'application/zip', 'x-sg-content-sha256': createHash('sha256').update(zip).digest('hex') })
  else if (bytes) headers['content-type'] = 'application/json'
  return app.inject({ method: method as 'POST', url, headers, ...(bytes ? { payload: bytes } : {}) })
}

const ZIP = Buffer.from('PK\u0003\u0004 accepted now, checked later')

t.test('every provider-facing write route × provider state', async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), 'rateLimit.max': 1_000_000 } })
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'admin' })).token
  const reviewer = (await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token

  const providerWrites = app.guardedRoutes.filter((r) => r.roles.includes('provider') && r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)
  t.same([...providerWrites].sort(), Object.keys(WRITE_ROUTES).sort(), 'every provider-facing write route from Fastify\'s route list is classified here')

  for (const [route, spec] of Object.entries(WRITE_ROUTES)) {
    for (const state of [...REFUSED_STATES, 'active', 'awaiting-package'] as State[]) {
      const expected = spec.expect[state]
      if (!expected) continue
      const p = await providerIn(app, state, admin, reviewer)
      const url = route.split(' ')[1]!.replace(':id', route.includes('/feedback/') ? 'fb_not_theirs' : p.applicationId)
      const res = await signedCall(app, p.creds, 'POST', url, spec.body?.(p), spec.zip ? ZIP : undefined)
      const [status, code] = expected
      t.equal(res.statusCode, status, `${route} as a ${state} provider → ${status} (${res.body.slice(0, 200)})`)
      if (code) {
        t.equal(res.json().code, code, `${route} as a ${state} provider: ${code}`)
        t.ok(errorCodes[code], `${code} is in the error inventory`)
        t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
      }
      if (REFUSED_STATES.includes(state) && (route === 'POST /api/v1/packages' || route === 'POST /api/v1/learning-records')) t.ok(res.statusCode >= 400, `${route}: a ${state} provider is refused`)
    }
  }
  // Nothing a refused provider sent was kept.
  const records = await store.db.selectFrom('learning_records').select(['provider_id']).execute()
  const packages = await store.db.selectFrom('packages').select(['provider_id']).execute()
  t.equal(records.length, 1, 'one record: the active provider\'s')
  t.equal(packages.length, 2, 'two packages: the active provider\'s and the one awaiting a package')
})

t.test('signed wherever the specification says: bearer alone and anonymous calls on every provider-facing route', async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), 'rateLimit.max': 1_000_000 } })
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'admin' })).token
  const reviewer = (await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token
  const p = await providerIn(app, 'active', admin, reviewer)
  const signed = new Set(loadSignedCalls().map((c) => signedCallKey(c.method, c.path)))
  t.ok(signed.has('POST /api/v1/packages') && signed.has('POST /api/v1/learning-records'), 'the specification lists package uploads and record pushes')
  t.same(app.guardedRoutes.filter((r) => r.signed).map((r) => signedCallKey(r.method, r.url)).sort(), [...signed].sort(), 'the gateway enforces exactly the listed calls')

  const providerRoutes = app.guardedRoutes.filter((r) => r.roles.includes('provider') && r.method !== 'HEAD')
  t.ok(providerRoutes.length >= 10, `${providerRoutes.length} provider-facing routes`)
  for (const r of providerRoutes) {
    const key = signedCallKey(r.method, r.url)
    const url = r.url.replace(':id', p.applicationId).replace(/:[A-Za-z]+/g, 'x')
    const body = r.method === 'GET' ? undefined : (r.url === '/api/v1/learning-records' ? { statements: [statement()] } : {})
    const headers = { ...bearer(p.creds.token), ...(body ? { 'content-type': 'application/json' } : {}) }
    const withBearer = await app.inject({ method: r.method as 'GET', url, headers, ...(body ? { payload: body } : {}) })
    const anonymous = await app.inject({ method: r.method as 'GET', url, ...(body ? { payload: body } : {}) })
    t.equal(anonymous.statusCode, 401, `${key}: anonymous → 401`)
    if (signed.has(key)) {
      t.equal(withBearer.statusCode, 401, `${key}: the bearer token alone is refused`)
      t.equal(withBearer.json().code, 'SG_ERR_SIGNATURE_REQUIRED', `${key}: SG_ERR_SIGNATURE_REQUIRED`)
      t.equal(anonymous.json().code, 'SG_ERR_SIGNATURE_REQUIRED', `${key}: anonymous gets SG_ERR_SIGNATURE_REQUIRED`)
    } else {
      t.not(withBearer.json().code, 'SG_ERR_SIGNATURE_REQUIRED', `${key}: not listed, so a bearer token is not refused for want of a signature`)
      t.not(withBearer.statusCode, 401, `${key}: the bearer token authenticates`)
    }
  }
  // The twin of the refusal: the same push, signed, is stored.
  const pushed = await signedCall(app, p.creds, 'POST', '/api/v1/learning-records', { statements: [statement()] })
  t.equal(pushed.statusCode, 200, pushed.body)
  t.equal(pushed.json().stored, 1)
})

t.test('a signed call the gateway does not serve stops it from starting', async (t) => {
  const dir = t.testdir({ 'calls.json': JSON.stringify({ calls: [{ method: 'POST', path: '/api/v1/not-served', requirementIds: ['R7'], summary: { 'zh-CN': 'x', en: 'x' } }] }) })
  const Fastify = (await import('fastify')).default
  const authPlugin = (await import('./plugins/auth.js')).default
  const rawJsonBodyPlugin = (await import('./plugins/raw-json-body.js')).default
  const { openStore } = await import('./store/open-store.js')
  const store = openStore({ sqlitePath: ':memory:' })
  t.teardown(() => store.close())
  const app = Fastify()
  await app.register(rawJsonBodyPlugin)
  await app.register(authPlugin, { store, signedCallsFile: `${dir}/calls.json` })
  app.post('/api/v1/served', { config: { roles: ['provider'] } }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, /lists calls this gateway does not serve: POST \/api\/v1\/not-served/)
})

t.test('the published list is valid against its schema', async (t) => {
  const { schemas } = await import('../specs/lib/schemas.js')
  const { readFileSync } = await import('node:fs')
  const { SIGNED_CALLS_FILE } = await import('../specs/lib/signed-calls.js')
  const doc = JSON.parse(readFileSync(SIGNED_CALLS_FILE, 'utf8')) as { calls: { method: string }[] }
  t.ok(schemas().validate('gateway-calls', doc).ok, 'gateway-calls.json is valid')
  t.notOk(schemas().validate('gateway-calls', { calls: [{ ...doc.calls[0], method: 'FETCH' }] }).ok, 'the twin: an unknown method is not')
})
