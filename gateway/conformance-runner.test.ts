// The gateway's conformance step runs the real conformance library (R9→R10): API platforms are
// probed (the same runProbe as the CLI), resource providers are judged by their checked package.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { startProvider } from '../fixtures/providers/index.js'
import { generatePackage } from '../fixtures/packages/generate.js'
import { createConformanceRunner } from './conformance-runner.js'
import { testApp } from './app.test-support.js'
import { admittedResourceProvider, seedLiveCourses, uploadPackage } from './ingest/ingest.test-support.js'

const target = (over: Record<string, unknown>) => ({ applicationId: 'app-1', providerId: 'p-1', kind: 'on-demand' as const, endpointBaseUrl: null, sandboxTenants: [], signingKey: null, ...over })

t.test('API platform: the compliant reference platform is conformant, its free-share-40 twin is not (R5.1-4)', async (t) => {
  const { app } = await testApp(t, { overrides: { dataDir: t.testdir({}), ssrfMode: 'local' } })
  const runner = createConformanceRunner(app, { mode: 'local', sample: 1 })
  for (const [defects, verdict] of [[[], 'conformant'], [['free-share-40'], 'not-conformant']] as const) {
    const provider = await startProvider({ kind: 'on-demand', courses: 100, defects: [...defects] })
    t.teardown(() => provider.close())
    const out = await runner(target({ endpointBaseUrl: provider.url, signingKey: { keyId: provider.keyId, secret: provider.secret } }))
    const report = out.report as { subject: { type: string }; results: { checkId: string; status: string }[] }
    t.equal(out.verdict, verdict, `${defects.join(',') || 'compliant'} → ${verdict}`)
    t.equal(report.subject.type, 'platform')
    t.equal(report.results.find((r) => r.checkId === 'catalogue.free-share')?.status, defects.length ? 'fail' : 'pass')
  }
})

t.test('deny mode (production): a registered endpoint on loopback is refused by the SSRF guard', async (t) => {
  const { app } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const provider = await startProvider({ kind: 'on-demand', courses: 100 })
  t.teardown(() => provider.close())
  const out = await createConformanceRunner(app, { mode: 'deny', sample: 1 })(target({ endpointBaseUrl: provider.url, signingKey: { keyId: provider.keyId, secret: provider.secret } }))
  t.not(out.verdict, 'conformant')
  t.match(JSON.stringify(out.report), /SG_ERR_NET_SSRF_BLOCKED/)
})

t.test('resource provider: judged by its newest checked package, refused (no error report) until there is one', async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const runner = createConformanceRunner(app, { mode: 'deny' })
  const withCatalogue = await admittedResourceProvider(app, { state: 'conformance' })
  // Issue 18: no report is made of nothing; the workflow waits in awaiting-package instead.
  await t.rejects(runner(target({ kind: 'resource', providerId: withCatalogue.providerId })), { code: 'SG_ERR_PACKAGE_NONE_CHECKED' })

  const zip = await readFile((await generatePackage({ courses: 4 })).path)
  // Twins: the same 4-course package, once on top of 20 live courses (R5.2-1 met), once alone.
  await seedLiveCourses(store, withCatalogue.providerId, 20)
  const alone = await admittedResourceProvider(app, { state: 'conformance' })
  for (const [who, verdict] of [[withCatalogue, 'conformant'], [alone, 'not-conformant']] as const) {
    const up = await uploadPackage(app, who, zip)
    t.equal(up.statusCode, 202, up.body)
    await app.packageIngest.run(up.json().id)
    const out = await runner(target({ kind: 'resource', providerId: who.providerId }))
    t.equal(out.verdict, verdict)
    t.equal((out.report as { subject: { type: string } }).subject.type, 'package')
  }
})
