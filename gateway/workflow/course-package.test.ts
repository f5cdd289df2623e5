// Issue 18 (R7, R9→R10, R13): a course-resource (数字课程资源) provider's workflow, on both engines.
// After material review it waits for a first package (awaiting-package) instead of failing
// conformance on nothing; the API answers that state with documented 4xx codes, never an error
// body with 200; the first checked package moves it to conformance with the run queued in the same
// transaction, and the run judges that package. The twin: an on-demand platform goes straight to
// conformance at material pass.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { testApp } from '../app.test-support.js'
import { seedLiveCourses, signedGet, uploadPackage } from '../ingest/ingest.test-support.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { CONFORMANCE_JOB } from './conformance.js'
import { applicationBody, bearer, documentBodies, signedInject } from './workflow.test-support.js'
import type { ProviderCredentials } from './workflow.test-support.js'

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}) } })
  const reviewer = bearer((await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token)
  const zip = await readFile((await generatePackage({ courses: 4 })).path)

  async function pastMaterialReview(kind: 'resource' | 'on-demand', name: string): Promise<{ id: string; creds: ProviderCredentials; state: string }> {
    const created = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody(kind, { organisation: { name, uscc: '91110108MA01ABCD1E' } }) })
    const id: string = created.json().application.id
    const creds: ProviderCredentials = created.json().provider
    for (const doc of documentBodies(kind)) t.equal((await signedInject(app, creds, 'POST', `/api/v1/applications/${id}/documents`, doc)).statusCode, 201)
    t.equal((await signedInject(app, creds, 'POST', `/api/v1/applications/${id}/submit`)).statusCode, 200)
    const passed = await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/material-review`, headers: reviewer, payload: { decision: 'pass', reasons: ['材料齐全'] } })
    t.equal(passed.statusCode, 200, passed.body)
    return { id, creds, state: passed.json().application.state }
  }
  const jobsFor = async (id: string): Promise<number> =>
    (await store.db.selectFrom('jobs').select(['payload']).where('kind', '=', CONFORMANCE_JOB).execute()).filter((j) => String(j.payload).includes(id)).length

  t.test('material pass: a resource provider awaits its first package; an on-demand platform goes to conformance', async (t) => {
    const resource = await pastMaterialReview('resource', '资源方甲')
    t.equal(resource.state, 'awaiting-package')
    t.equal(await jobsFor(resource.id), 0, 'no conformance run on nothing')
    const onDemand = await pastMaterialReview('on-demand', '点播平台乙')
    t.equal(onDemand.state, 'conformance', 'the twin')
    t.equal(await jobsFor(onDemand.id), 1)

    const trail = (await app.inject({ url: `/api/v1/applications/${resource.id}`, headers: reviewer })).json().auditTrail.map((e: { action: string }) => e.action)
    t.same(trail.filter((a: string) => a.startsWith('workflow.')), ['workflow.submit', 'workflow.queue-for-review', 'workflow.material-pass', 'workflow.await-package'], 'the audit trail says why it waits')
  })

  t.test('while it waits, the API answers with documented 4xx codes, never an error with 200', async (t) => {
    const { id, creds } = await pastMaterialReview('resource', '资源方丙')
    const report = await app.inject({ url: `/api/v1/applications/${id}/conformance-report`, headers: reviewer })
    t.equal(report.statusCode, 404)
    t.equal(report.headers['content-type'], 'application/problem+json; charset=utf-8')
    const rerun = await signedInject(app, creds, 'POST', `/api/v1/applications/${id}/conformance`)
    t.equal(rerun.statusCode, 409)
    t.equal(rerun.json().code, 'SG_ERR_PACKAGE_NONE_CHECKED')
    t.match(rerun.json().detail, /has no checked course package/)
  })

  t.test('the first checked package moves it to conformance, and the run judges that package', async (t) => {
    const verdicts: Record<string, string> = {}
    for (const [name, live, expected] of [['资源方丁', 20, 'roadshow'], ['资源方戊', 0, 'conformance-failed']] as const) {
      const { id, creds } = await pastMaterialReview('resource', name)
      // Twins: the same 4-course package on top of 20 live courses (R5.2-1 met), and alone.
      await seedLiveCourses(store, creds.providerId, live)
      const up = await uploadPackage(app, { ...creds }, zip)
      t.equal(up.statusCode, 202, up.body)
      t.equal((await app.workflow.get(id, { role: 'system', id: 'test' })).state, 'awaiting-package', 'an unchecked package is not enough')
      await app.packageIngest.run(up.json().id)
      t.equal((await app.workflow.get(id, { role: 'system', id: 'test' })).state, 'conformance', 'checked: conformance')
      t.equal(await jobsFor(id), 1, 'the run was queued with the move')
      const run = await app.workflow.runConformance(id)
      verdicts[name] = run.verdict ?? 'none'
      t.equal((await app.workflow.get(id, { role: 'system', id: 'test' })).state, expected)
      const report = await signedGet(app, { ...creds }, `/api/v1/applications/${id}/conformance-report`)
      t.equal(report.statusCode, 200)
      t.equal(report.json().subject.type, 'package', 'the report is the package check, not an error object')
      t.notOk('error' in report.json())
    }
    t.same(verdicts, { 资源方丁: 'conformant', 资源方戊: 'not-conformant' })
  })

  t.test('a conformance run that finds no checked package puts the application back to wait', async (t) => {
    const { id, creds } = await pastMaterialReview('resource', '资源方己')
    await store.db.updateTable('applications').set({ state: 'conformance' }).where('id', '=', id).execute()
    const run = await app.workflow.runConformance(id)
    t.match(run.skipped, /no checked course package/)
    t.equal((await app.workflow.get(id, { role: 'system', id: 'test' })).state, 'awaiting-package')
    t.equal((await store.db.selectFrom('applications').select('conformance_report_sha256').where('id', '=', id).executeTakeFirstOrThrow()).conformance_report_sha256, null, 'no report stored')
    t.ok(creds.providerId)
  })
})
