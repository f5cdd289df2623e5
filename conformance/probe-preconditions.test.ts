// The precondition paths of a platform run (issue 15): wrong secret, no key, unreachable target,
// 401 to everything, tenant tokens refused or missing. On each, the checks that depend on the failed
// input report the root cause (its code and a fix naming what to check), neither passing nor failing
// with their own codes; the compliant twin with the right inputs runs them and they pass.
import t from 'tap'
import { resultOf, withProvider, probeProvider } from './checks/probe-harness.test-support.js'
import { assertRootCause, start401Everywhere } from './probe-preconditions.test-support.js'
import { runProbe } from './probe.js'

const SIGNED = ['contract.service-info', 'contract.pagination', 'catalogue.count', 'service.contact', 'location.hosts', 'auth.bad-signature', 'auth.valid-signature', 'auth.unsigned']

t.test('wrong secret: SG_ERR_PROBE_UNAUTHORISED ("check --key-id/--secret-env") on every signed check; the right secret passes them', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const wrong = await probeProvider(p, { secret: 'not-the-secret-0123456789', only: SIGNED })
    assertRootCause(t, wrong, 'SG_ERR_PROBE_UNAUTHORISED', ['auth.unsigned'])
    const r = resultOf(wrong, 'service.contact')
    t.match(r.message?.en, /Signed requests are refused: GET \/v1\/service-info signed with key id fixture-key-1 answered 401 SG_ERR_SIG_MISMATCH\. Check --key-id\/--secret-env/)
    t.notMatch(JSON.stringify(wrong), /SG_ERR_SERVICE_CONTACT_MISSING|SG_ERR_LOCATION_UNDECLARED_HOST/, 'no misleading failure code anywhere')
    t.equal(resultOf(wrong, 'auth.unsigned').status, 'pass', 'what needs no key still runs')
    const right = await probeProvider(p, { only: SIGNED })
    // location.hosts needs real geolocation of the host names (location.test.ts); here it only must run.
    for (const id of SIGNED) t.not(resultOf(right, id).errorCode, 'SG_ERR_PROBE_UNAUTHORISED', `twin: ${id} runs with the right secret`)
    for (const id of SIGNED.filter((x) => x !== 'location.hosts')) t.equal(resultOf(right, id).status, 'pass', `twin: ${id} passes with the right secret`)
  })
})

t.test('no key: SG_ERR_PROBE_NO_KEY on every check that signs; auth.unsigned still runs', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const report = await runProbe({ baseUrl: p.url, kind: 'on-demand', mode: 'local', deadlineMs: 5_000, only: SIGNED })
    assertRootCause(t, report, 'SG_ERR_PROBE_NO_KEY', ['auth.unsigned'])
    t.match(resultOf(report, 'contract.service-info').message?.en, /give --key-id and --secret-env/)
    t.equal(resultOf(report, 'auth.unsigned').status, 'pass')
  })
})

t.test('unreachable target: every check errors with SG_ERR_PROBE_TARGET_UNREACHABLE naming the URL', async (t) => {
  const closed = await withProvider({ kind: 'on-demand' }, async (p) => p.loopbackUrl)
  const report = await runProbe({ baseUrl: closed, kind: 'on-demand', keyId: 'k', secret: 's', mode: 'local', deadlineMs: 2_000, only: SIGNED })
  assertRootCause(t, report, 'SG_ERR_PROBE_TARGET_UNREACHABLE')
  t.match(resultOf(report, 'auth.unsigned').message?.en, new RegExp(`The platform at ${closed.replace(/[.:/]/g, '\\$&')} cannot be reached \\(SG_ERR_NET_UNREACHABLE`))
})

t.test('401 to everything: the signed checks report SG_ERR_PROBE_UNAUTHORISED; only what was observed is judged', async (t) => {
  const server = await start401Everywhere(t)
  const report = await runProbe({ baseUrl: server.url, kind: 'on-demand', keyId: 'k', secret: 'a-secret-value-123', mode: 'local', deadlineMs: 2_000 })
  assertRootCause(t, report, 'SG_ERR_PROBE_UNAUTHORISED', ['auth.unsigned'], 'not-conformant')
  // An unsigned request refused with the wrong code is a real observation of this platform.
  t.match(resultOf(report, 'auth.unsigned'), { status: 'fail', message: { en: /SG_ERR_SIG_MISSING/ } })
  t.equal(report.summary.pass, 0, 'nothing passes on a platform that refuses everything')
  t.ok(server.requests() < 10, `the run did not hammer a platform that refuses it (${server.requests()} requests)`)
})

const TENANT_CHECKS = ['selfhosted.retain-until', 'selfhosted.early-delete-refused', 'selfhosted.privacy-anonymous', 'selfhosted.privacy-cross-tenant']

t.test('tenant token refused: SG_ERR_PROBE_TENANT_REFUSED on the tenant checks; missing tenants: SG_ERR_CHECK_TENANTS_MISSING; right tokens pass', async (t) => {
  await withProvider({ kind: 'self-hosted' }, async (p) => {
    const only = [...TENANT_CHECKS, 'selfhosted.retention-policy']
    const refused = await probeProvider(p, { only, tenants: { A: p.tenants.A, B: { ...p.tenants.B, token: 'wrong-token-for-b-0000' } } })
    assertRootCause(t, { ...refused, results: refused.results.filter((r) => TENANT_CHECKS.includes(r.checkId)), verdict: refused.verdict }, 'SG_ERR_PROBE_TENANT_REFUSED')
    t.match(resultOf(refused, 'selfhosted.privacy-anonymous').message?.en, /refused sandbox tenant B's .* token: reading its own object answered 401 SG_ERR_TENANT_AUTH\. Check tenants\.B/)
    t.equal(resultOf(refused, 'selfhosted.retention-policy').status, 'pass', 'a check that needs no tenant still runs')
    const missing = await probeProvider(p, { only, tenants: {} })
    for (const id of TENANT_CHECKS) t.same([resultOf(missing, id).status, resultOf(missing, id).errorCode], ['error', 'SG_ERR_CHECK_TENANTS_MISSING'], `${id}: tenants missing`)
    const right = await probeProvider(p, { only })
    for (const id of only) t.equal(resultOf(right, id).status, 'pass', `twin: ${id} passes with the right tokens`)
  })
})
