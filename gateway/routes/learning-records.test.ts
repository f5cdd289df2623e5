// Learning records over HTTP: signed pushes validated against the batch schema, provider scoping,
// CSV for subsidy review, and a bounded load run (200 concurrent signed batches; SKILLGATE_LOAD_SECONDS,
// default 5 s here, 60 s in bench/records-load.ts) with zero lost, duplicated or 5xx.
import t from 'tap'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer, signedInject } from '../workflow/workflow.test-support.js'
import { runRecordsLoad } from '../../bench/records-load-driver.js'
import { statement, voiding } from '../records/statements.test-support.js'
import type { FastifyInstance } from 'fastify'

async function admitted(app: FastifyInstance): Promise<{ providerId: string; keyId: string; secret: string }> {
  const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
  // Admission itself is the workflow's test; here the provider starts admitted.
  await app.store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
  return provider
}

t.test('learning records over HTTP', async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), 'rateLimit.max': 1_000_000 } })
  const a = await admitted(app)
  const b = await admitted(app)
  const reviewer = (await store.apiTokens.create({ role: 'reviewer', label: 'r' })).token

  await t.test('a signed, valid batch is stored once; a retry stores nothing', async (t) => {
    const body = { statements: [statement({ learner: 'lrn_http_0001' }), statement({ learner: 'lrn_http_0002', courseId: '-cmd' })] }
    const first = await signedInject(app, a, 'POST', '/api/v1/learning-records', body)
    t.equal(first.statusCode, 200, first.body)
    t.same(first.json(), { received: 2, stored: 2, duplicates: 0, voided: 0 })
    t.same((await signedInject(app, a, 'POST', '/api/v1/learning-records', body)).json(), { received: 2, stored: 0, duplicates: 2, voided: 0 })
    const v = await signedInject(app, a, 'POST', '/api/v1/learning-records', { statements: [voiding(body.statements[0]!.id)] })
    t.equal(v.json().voided, 1)
  })

  await t.test('an ID-card number as learner account, or no signature, is refused', async (t) => {
    const bad = await signedInject(app, a, 'POST', '/api/v1/learning-records', { statements: [statement({ learner: '11010519491231002X' })] })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'SG_ERR_VALIDATION')
    const unsigned = await app.inject({ method: 'POST', url: '/api/v1/learning-records', payload: { statements: [statement()] } })
    t.equal(unsigned.statusCode, 401)
  })

  await t.test('a provider reads only its own records; a reviewer reads all', async (t) => {
    await signedInject(app, b, 'POST', '/api/v1/learning-records', { statements: [statement({ learner: 'lrn_http_0001' })] })
    const own = await signedInject(app, b, 'GET', `/api/v1/learning-records?providerId=${a.providerId}&learnerAccount=lrn_http_0001`)
    t.equal(own.statusCode, 200)
    t.same(own.json().items.map((i: { providerId: string }) => i.providerId), [b.providerId], 'the providerId filter cannot widen a provider view')
    const all = await app.inject({ url: '/api/v1/learning-records?learnerAccount=lrn_http_0001&includeVoided=true', headers: bearer(reviewer) })
    t.equal(all.json().items.length, 2)
  })

  await t.test('CSV export: UTF-8 with a BOM, CRLF, formula-safe cells', async (t) => {
    const res = await app.inject({ url: `/api/v1/learning-records/export.csv?providerId=${a.providerId}&includeVoided=true`, headers: bearer(reviewer) })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
    const raw = res.rawPayload
    t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM for Excel')
    const lines = raw.toString('utf8').slice(1).split('\r\n').filter(Boolean)
    t.equal(lines[0], 'provider_id,statement_id,learner_account,course_id,lesson_id,verb,completion,effective_seconds,timestamp,received_at,via,voided,voided_by')
    t.equal(lines.length, 1 + 3, 'two statements and one voiding statement')
    t.ok(lines.some((l) => l.includes(",'-cmd,")), 'a cell that would start a formula is prefixed with an apostrophe')
    const forbidden = await signedInject(app, a, 'GET', '/api/v1/learning-records/export.csv')
    t.equal(forbidden.statusCode, 403, 'providers cannot export')
  })

  await t.test('load: 200 concurrent signed batches, zero lost, zero duplicated, zero 5xx', async (t) => {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const load = await runRecordsLoad({
      baseUrl: `http://127.0.0.1:${port}`, keyId: a.keyId, secret: a.secret, concurrency: 200,
      durationMs: Number(process.env.SKILLGATE_LOAD_SECONDS ?? 5) * 1000, batchSize: 10, resendEvery: 5,
    })
    const fiveXx = Object.entries(load.status).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0)
    t.equal(fiveXx, 0, `no 5xx (${JSON.stringify(load.status)})`)
    t.equal(load.errors, 0, 'no transport errors')
    t.equal(load.acknowledged.size, load.statementsSent, 'every batch was acknowledged')
    const rows = await store.db.selectFrom('learning_records').select('statement_id').where('learner_account', 'like', 'lrn_load_%').execute()
    t.equal(rows.length, load.statementsSent, 'stored = sent: nothing lost, nothing duplicated')
    t.equal(new Set(rows.map((r) => r.statement_id)).size, rows.length)
    t.ok(load.resent > 0, 'retried batches were part of the run')
    t.comment(`load: ${load.batches} batches (${load.resent} resent), ${load.statementsSent} statements in ${load.elapsedMs} ms`)
  })
})
// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) data.learning-records (R17).
