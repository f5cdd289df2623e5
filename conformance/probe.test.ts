// runProbe as a whole: the report validates against the published schema, secrets never reach it,
// the sample is deterministic and stated, --only pulls in dependencies, the gateway's deny mode
// refuses loopback, and hostile platforms (hang, trickle, huge body) end as errors while the run
// finishes (asserted on status and error code, never on time).
import t from 'tap'
import { schemas } from '../specs/lib/schemas.js'
import { probeProvider, resultOf, withProvider } from './checks/probe-harness.test-support.js'
import { runProbe } from './probe.js'

const MINE = ['contract.service-info', 'contract.catalogue-pages', 'contract.pagination', 'contract.incremental', 'contract.course-detail', 'contract.preview-document', 'contract.learning-records', 'contract.errors', 'auth.unsigned', 'auth.bad-signature', 'auth.stale-timestamp', 'auth.replayed-nonce', 'auth.valid-signature', 'catalogue.count', 'catalogue.free-share', 'catalogue.free-preview-open', 'catalogue.category-codes']

t.test('a compliant platform: conformant, schema-valid report, sampling stated, no secret anywhere', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const report = await probeProvider(p, { only: MINE })
    t.equal(report.verdict, 'partial', 'an --only run is partial, never conformant')
    t.equal(report.selection?.passed, true, 'and every selected check passed')
    const v = schemas().validate('conformance-report', report)
    t.ok(v.ok, 'validates against conformance-report.schema.json', { errors: v.errors })
    t.match(report.subject, { type: 'platform', kind: 'on-demand', baseUrl: p.url })
    t.equal(report.mode, 'local')
    t.match(report.sampling, { population: 120, size: 120, all: true }, 'R5.1-3: every course by default')
    t.match(report.sampling?.confidence, /all 120 courses were checked/)
    t.match(report.warnings?.join('\n'), /SSRF_NON_PUBLIC_ALLOWED/, 'loopback allowed in local mode, with a warning')
    t.notOk(JSON.stringify(report).includes(p.secret), 'the signing secret never reaches the report')
    const again = await probeProvider(p, { only: ['contract.course-detail'] })
    t.same(again.sampling, report.sampling, 'same seed, same sample statement')
  })
})

t.test('--only pulls in dependencies; --sample N samples and states its confidence, --all-media is the default', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const only = await probeProvider(p, { only: ['catalogue.count'], sample: 5 })
    t.same(only.results.map((r) => r.checkId), ['contract.pagination', 'catalogue.count'])
    const sampled = await probeProvider(p, { only: ['contract.course-detail'], sample: 5 })
    t.match(resultOf(sampled, 'contract.course-detail').measured, { sampled: 5, population: 120 })
    const fiftyNine = await probeProvider(p, { only: ['contract.course-detail'], sample: 59 })
    t.match(fiftyNine.sampling, { population: 120, size: 59, all: false })
    t.match(fiftyNine.sampling?.confidence, /95\.2 % probability/)
    const all = await probeProvider(p, { only: ['contract.course-detail'], allMedia: true })
    t.match(all.sampling, { population: 120, size: 120, all: true })
  })
})

t.test("deny mode (the gateway's) refuses a loopback platform: every check errors with SG_ERR_NET_SSRF_BLOCKED", async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const report = await probeProvider(p, { mode: 'deny', only: ['contract.service-info', 'auth.unsigned'] })
    t.equal(report.mode, 'gateway')
    for (const r of report.results) t.equal(r.errorCode, 'SG_ERR_NET_SSRF_BLOCKED', r.checkId)
    t.equal(report.verdict, 'partial')
    t.equal(report.selection?.passed, false)
  })
})

t.test('an unreachable target: every check errors with the root cause SG_ERR_PROBE_TARGET_UNREACHABLE, verdict error', async (t) => {
  const closed = await withProvider({ kind: 'on-demand' }, async (p) => p.loopbackUrl)
  const report = await runProbe({ baseUrl: closed, kind: 'on-demand', keyId: 'k', secret: 's', mode: 'local', only: ['contract.service-info', 'contract.pagination'], deadlineMs: 2_000 })
  for (const r of report.results) t.equal(r.errorCode, 'SG_ERR_PROBE_TARGET_UNREACHABLE', r.checkId)
  t.equal(report.verdict, 'partial', 'an --only run is partial')
  t.equal(report.selection?.passed, false)
})

const ROBUSTNESS = [
  { defect: 'hang', code: 'SG_ERR_NET_DEADLINE' },
  { defect: 'trickle', code: 'SG_ERR_NET_DEADLINE' },
  { defect: 'huge-body', code: 'SG_ERR_NET_BODY_TOO_LARGE' },
] as const

for (const c of ROBUSTNESS) {
  t.test(`robustness: a platform with "${c.defect}" catalogue pages ends as errors (${c.code}) and the run finishes`, async (t) => {
    await withProvider({ kind: 'on-demand', defects: [c.defect] }, async (p) => {
      const report = await probeProvider(p, { deadlineMs: 1_500, only: ['contract.catalogue-pages', 'catalogue.count', 'catalogue.free-share', 'contract.service-info'] })
      for (const id of ['contract.catalogue-pages', 'contract.pagination']) {
        t.equal(resultOf(report, id).status, 'error', id)
        t.equal(resultOf(report, id).errorCode, c.code, id)
        t.match(resultOf(report, id).message?.en, c.code === 'SG_ERR_NET_DEADLINE' ? /did not finish within 1500 ms/ : /exceeded 8388608 bytes/)
      }
      t.equal(resultOf(report, 'catalogue.count').status, 'skip', 'what depends on the walk is skipped with the reason')
      t.equal(resultOf(report, 'contract.service-info').status, 'pass', 'unaffected checks still run')
      t.equal(report.verdict, 'partial')
      t.equal(report.selection?.passed, false)
    })
  })
}

t.test('a page cap stops a walk that would never end', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const report = await probeProvider(p, { only: ['contract.pagination'], maxPages: 1 })
    const r = resultOf(report, 'contract.pagination')
    t.equal(r.status, 'fail')
    t.match(r.message?.en, /still not at the end after 1 pages/)
  })
})

t.test('usage errors from runProbe', async (t) => {
  await t.rejects(runProbe({ baseUrl: 'ftp://x', kind: 'on-demand', mode: 'local' }), { code: 'SG_ERR_USAGE' })
  await t.rejects(runProbe({ baseUrl: 'http://127.0.0.1:9', kind: 'resource' as never, mode: 'local' }), { code: 'SG_ERR_USAGE' })
  await t.rejects(runProbe({ baseUrl: 'http://127.0.0.1:9', kind: 'on-demand', mode: 'local', keyId: 'k' }), { code: 'SG_ERR_USAGE' })
  await t.rejects(runProbe({ baseUrl: 'http://127.0.0.1:9', kind: 'on-demand', mode: 'local', only: ['no.such-check'] }), { code: 'SG_ERR_USAGE' })
})
