// The admission workflow over HTTP on both engines: a self-hosted applicant from application to
// admission (R8–R12) with signed provider requests and reviewer bearer tokens; USCC check digit
// (R5-0); IDOR (every provider-readable route tried with another provider's ids); the audit chain
// verify endpoint finding a tampered row; the publicity page and the applications gauge.
import t from 'tap'
import { ROADSHOW_MIN_SCORERS } from '../workflow/guards.js'
import { applicationBody, bearer, checkFrameworkRunner, documentBodies, signedInject, USCC } from '../workflow/workflow.test-support.js'
import type { ProviderCredentials } from '../workflow/workflow.test-support.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { testApp } from '../app.test-support.js'

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}) } })
  app.conformanceRunner = checkFrameworkRunner('conformant')
  const reviewers = await Promise.all(Array.from({ length: ROADSHOW_MIN_SCORERS }, (_, i) => store.apiTokens.create({ role: 'reviewer', label: `reviewer ${i}` })))
  const admin = await store.apiTokens.create({ role: 'admin', label: 'admin' })
  const rv = bearer(reviewers[0]!.token)
  let clock = Date.parse('2026-09-28T09:00:00+08:00')
  app.workflow.setClock(() => clock)

  async function apply(kind: 'on-demand' | 'resource' | 'self-hosted'): Promise<{ id: string; creds: ProviderCredentials }> {
    const r = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody(kind) })
    t.equal(r.statusCode, 201, r.body)
    const body = r.json()
    return { id: body.application.id, creds: body.provider }
  }

  let a: { id: string; creds: ProviderCredentials }
  let b: { id: string; creds: ProviderCredentials }

  t.test('R5-0: a USCC with a wrong check digit is refused; a valid one creates a draft and a provider account', async (t) => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('resource', { organisation: { name: 'X', uscc: USCC.badCheckDigit } }) })
    t.equal(bad.statusCode, 422)
    t.equal(bad.json().code, 'SG_ERR_WORKFLOW_INVALID_USCC')
    a = await apply('self-hosted')
    b = await apply('self-hosted')
    t.match(a.creds, { token: /^sgt_/, keyId: /^sgk_/, secret: /\S{40,}/ })
    const me = await signedInject(app, a.creds, 'GET', '/api/v1/providers/me')
    t.equal(me.statusCode, 200, me.body)
    t.equal(me.json().providerId, a.creds.providerId)
    const row = await store.db.selectFrom('provider_keys').selectAll().where('key_id', '=', a.creds.keyId).executeTakeFirstOrThrow()
    t.notMatch(row.secret_enc, a.creds.secret, 'the signing secret is stored encrypted')
  })

  t.test('R8/R9: documents by kind, completeness on submit, illegal steps name the state', async (t) => {
    const wrongKind = await signedInject(app, a.creds, 'POST', `/api/v1/applications/${a.id}/documents`, { type: 'icp-licence', fileName: 'icp.pdf', contentType: 'application/pdf', contentBase64: 'JVBERg==' })
    t.equal(wrongKind.json().code, 'SG_ERR_WORKFLOW_DOCUMENT_TYPE', 'an on-demand document is refused for self-hosted')
    const early = await signedInject(app, a.creds, 'POST', `/api/v1/applications/${a.id}/submit`)
    t.equal(early.statusCode, 422)
    t.equal(early.json().code, 'SG_ERR_WORKFLOW_INCOMPLETE')
    t.ok(early.json().details.missing.length >= 5)
    for (const doc of documentBodies('self-hosted')) {
      const r = await signedInject(app, a.creds, 'POST', `/api/v1/applications/${a.id}/documents`, doc)
      t.equal(r.statusCode, 201, r.body)
    }
    const review = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/material-review`, headers: rv, payload: { decision: 'pass', reasons: ['ok'] } })
    t.equal(review.statusCode, 409)
    t.match(review.json().detail, /not allowed in state draft; allowed: submit, withdraw/)
    const submitted = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/submit`, headers: bearer(a.creds.token) })
    t.equal(submitted.statusCode, 200, submitted.body)
    t.equal(submitted.json().application.state, 'material-review')
  })

  t.test('IDOR: provider B gets 404 on every provider-readable route of provider A, and lists only its own', async (t) => {
    const docs = (await app.inject({ url: `/api/v1/applications/${a.id}`, headers: rv })).json().documents as { id: string }[]
    const asB = bearer(b.creds.token)
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/v1/applications/${a.id}`],
      ['GET', `/api/v1/applications/${a.id}/documents/${docs[0]!.id}`],
      ['GET', `/api/v1/applications/${a.id}/conformance-report`],
      ['POST', `/api/v1/applications/${a.id}/documents`, documentBodies('self-hosted')[0]],
      ['POST', `/api/v1/applications/${a.id}/submit`],
      ['POST', `/api/v1/applications/${a.id}/withdraw`, {}],
      ['POST', `/api/v1/applications/${a.id}/conformance`],
      ['POST', `/api/v1/applications/${a.id}/commitment-letter`, { fileName: 'c.pdf', contentType: 'application/pdf', contentBase64: 'JVBERg==' }],
    ]
    for (const [method, url, payload] of routes) {
      const viaToken = await app.inject({ method: method as 'GET', url, headers: asB, ...(payload ? { payload: payload as object } : {}) })
      t.equal(viaToken.statusCode, 404, `bearer ${method} ${url}`)
      const viaSig = await signedInject(app, b.creds, method as 'GET', url, payload)
      t.equal(viaSig.statusCode, 404, `signed ${method} ${url}`)
    }
    const mine = (await app.inject({ url: '/api/v1/applications', headers: asB })).json().items as { id: string }[]
    t.same(mine.map((x) => x.id), [b.id])
    const own = await app.inject({ url: `/api/v1/applications/${a.id}/documents/${docs[0]!.id}`, headers: bearer(a.creds.token) })
    t.equal(own.statusCode, 200, 'the owner can read its document')
    t.equal(own.headers['x-content-type-options'], 'nosniff')
    t.equal((await app.inject({ url: '/api/v1/applications', headers: rv })).json().items.length, 2, 'reviewers see all')
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/material-review`, headers: bearer(a.creds.token), payload: { decision: 'pass', reasons: ['self'] } })).statusCode, 403, 'a provider cannot review')
  })

  t.test('R9 → R7 → R10 → R11 → R12 over HTTP: review, conformance job, roadshow, publicity, admission', async (t) => {
    const pass = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/material-review`, headers: rv, payload: { decision: 'pass', reasons: ['材料齐全、有效'] } })
    t.equal(pass.json().application.state, 'conformance')
    const ran = await app.inject({ method: 'POST', url: '/api/v1/admin/jobs/run-workflow', headers: bearer(admin.token) })
    t.match(ran.json().ran, [{ kind: 'workflow.conformance', ok: true, result: { verdict: 'conformant' } }])
    const report = await app.inject({ url: `/api/v1/applications/${a.id}/conformance-report`, headers: bearer(a.creds.token) })
    t.equal(report.json().verdict, 'conformant')
    for (const [i, r] of reviewers.entries()) {
      const s = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/roadshow/scores`, headers: bearer(r.token), payload: { score: 80 + i, comments: '演示清晰' } })
      t.equal(s.statusCode, 201, s.body)
    }
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/roadshow/scores`, headers: rv, payload: { score: 1, comments: 'again' } })).json().code, 'SG_ERR_WORKFLOW_DUPLICATE_SCORE')
    const decision = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/roadshow/decision`, headers: rv, payload: { recommend: true, record: '联合评审纪要' } })
    t.equal(decision.json().jointReview.meanScore, 81)
    const start = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/publicity/start`, headers: rv, payload: {} })
    t.equal(start.statusCode, 200, start.body)
    t.equal(start.json().period.endDate, '2026-10-09')
    t.same(start.json().warnings, [])
    const list = (await app.inject('/api/v1/publicity')).json().items
    t.match(list, [{ applicationId: a.id, startDate: '2026-09-28', endDate: '2026-10-09' }])
    const page = await app.inject('/publicity')
    t.match(page.headers['content-type'], /text\/html/)
    t.match(page.body, /<html lang="zh-CN">/)
    t.match(page.body, '2026-10-09')
    t.notMatch(page.body, /<script|<link|src=/, 'no external assets')
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/publicity/${a.id}/objections`, payload: { text: '异议' } })).json().code, 'SG_ERR_VALIDATION', 'an objection names its objector')
    const objection = await app.inject({ method: 'POST', url: `/api/v1/publicity/${a.id}/objections`, payload: { text: '异议', name: '王五', contact: '13800138000' } })
    t.equal(objection.statusCode, 201)
    const confirmed = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/objections/${objection.json().objectionId}/confirm`, headers: rv, payload: { confirmation: '电话回访，本人确认' } })
    t.equal(confirmed.json().application.state, 'publicity-paused', confirmed.body)
    clock = Date.parse('2026-09-29T10:00:00+08:00')
    const resolved = await app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/objections/${objection.json().objectionId}/resolve`, headers: rv, payload: { outcome: 'dismissed', reasons: ['不成立'] } })
    t.equal(resolved.json().application.state, 'publicity')
    clock = Date.parse('2026-10-20T00:05:00+08:00')
    // "Run due jobs now" closes finished periods itself, without waiting for the nightly tick.
    const closing = (await app.inject({ method: 'POST', url: '/api/v1/admin/jobs/run-workflow', headers: bearer(admin.token) })).json().ran
    t.match(closing, [{ kind: 'workflow.close-publicity', ok: true }])
    const letter = await signedInject(app, a.creds, 'POST', `/api/v1/applications/${a.id}/commitment-letter`, { fileName: '服务承诺书.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4 signed').toString('base64') })
    t.equal(letter.statusCode, 200, letter.body)
    t.match(letter.json().application, { state: 'active', title: '北京市职业技能提升行动自有课培训平台方' })
    const detail = (await app.inject({ url: `/api/v1/applications/${a.id}`, headers: bearer(a.creds.token) })).json()
    const steps = detail.auditTrail.filter((e: { action: string }) => e.action.startsWith('workflow.')).map((e: { data: { to: string } }) => e.data.to)
    t.same(steps, ['submitted', 'material-review', 'conformance', 'roadshow', 'publicity', 'publicity-paused', 'publicity', 'commitment', 'active'])
    const metrics = (await app.inject('/metrics')).body
    t.match(metrics, /skillgate_applications\{state="active"\} 1/)
    t.match(metrics, /skillgate_applications\{state="draft"\} 1/)
  })

  t.test('the audit chain verifies, and a tampered row is found by GET /api/v1/audit/verify', async (t) => {
    t.equal((await app.inject({ url: '/api/v1/audit/verify', headers: rv })).statusCode, 403, 'admin only')
    const ok = (await app.inject({ url: '/api/v1/audit/verify', headers: bearer(admin.token) })).json()
    t.match(ok, { ok: true })
    const victim = await store.db.selectFrom('audit_log').select('seq').where('action', '=', 'workflow.material-pass').executeTakeFirstOrThrow()
    await store.db.updateTable('audit_log').set({ actor: 'reviewer:someone-else' }).where('seq', '=', victim.seq).execute()
    const bad = (await app.inject({ url: '/api/v1/audit/verify', headers: bearer(admin.token) })).json()
    t.match(bad, { ok: false, firstBadSeq: victim.seq, problem: 'hash-mismatch' })
  })
})
// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) workflow.audited-transitions (R6).
