// Self-hosted checks (R5.3-4, R5.3-5a, R5.3-5b) against the reference self-hosted platform with
// its sandbox tenants A and B: the compliant platform passes every check, and each twin differs
// by one defect. The alert wait is shortened to 2 s for every case alike (the reference platform
// alerts at once), so the not-alerted twin does not wait the spec's 60 s.
import t from 'tap'
import { startProvider, type DefectName } from '../../fixtures/providers/index.js'
import type { Resolver } from '../net/ssrf-guard.js'
import { runProbe } from '../probe.js'
import type { CheckResult } from './framework.js'
import { createSelfHostedChecks, selfHostedChecks } from './self-hosted.js'

const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]
const checks = createSelfHostedChecks({ alertWaitSeconds: 2, pollMs: { first: 100, max: 400 } })

interface Case { checkId: string; requirement: string; defect?: DefectName; status: CheckResult['status']; errorCode?: string }

const cases: Case[] = [
  { checkId: 'selfhosted.retention-policy', requirement: 'R5.3-5b', status: 'pass' },
  { checkId: 'selfhosted.retention-policy', requirement: 'R5.3-5b', defect: 'retention-2y', status: 'fail', errorCode: 'SG_ERR_RETENTION_TOO_SHORT' },
  { checkId: 'selfhosted.retain-until', requirement: 'R5.3-5b', status: 'pass' },
  { checkId: 'selfhosted.retain-until', requirement: 'R5.3-5b', defect: 'retention-2y', status: 'fail', errorCode: 'SG_ERR_RETENTION_TOO_SHORT' },
  { checkId: 'selfhosted.early-delete-refused', requirement: 'R5.3-5b', status: 'pass' },
  { checkId: 'selfhosted.early-delete-refused', requirement: 'R5.3-5b', defect: 'early-delete-allowed', status: 'fail', errorCode: 'SG_ERR_RETENTION_EARLY_DELETE' },
  { checkId: 'selfhosted.privacy-anonymous', requirement: 'R5.3-5a', status: 'pass' },
  { checkId: 'selfhosted.privacy-anonymous', requirement: 'R5.3-5a', defect: 'private-readable-anonymously', status: 'fail', errorCode: 'SG_ERR_TENANT_PRIVACY_BREACH' },
  { checkId: 'selfhosted.privacy-cross-tenant', requirement: 'R5.3-5a', status: 'pass' },
  { checkId: 'selfhosted.privacy-cross-tenant', requirement: 'R5.3-5a', defect: 'cross-tenant-read', status: 'fail', errorCode: 'SG_ERR_TENANT_PRIVACY_BREACH' },
  { checkId: 'selfhosted.moderation-canaries', requirement: 'R5.3-4', status: 'pass' },
  { checkId: 'selfhosted.moderation-canaries', requirement: 'R5.3-4', defect: 'moderation-off', status: 'fail', errorCode: 'SG_ERR_MODERATION_NOT_BLOCKED' },
  { checkId: 'selfhosted.moderation-canaries', requirement: 'R5.3-4', defect: 'canary-not-alerted', status: 'fail', errorCode: 'SG_ERR_MODERATION_NOT_ALERTED' },
  { checkId: 'selfhosted.moderation-control', requirement: 'R5.3-4', status: 'pass' },
  { checkId: 'selfhosted.moderation-control', requirement: 'R5.3-4', defect: 'clean-control-blocked', status: 'fail', errorCode: 'SG_ERR_MODERATION_CONTROL_BLOCKED' },
]

for (const c of cases) {
  t.test(`${c.checkId} ${c.defect ?? 'compliant'} → ${c.status}`, async (t) => {
    const provider = await startProvider({ kind: 'self-hosted', courses: 2, defects: c.defect ? [c.defect] : [] })
    t.teardown(() => provider.close())
    const report = await runProbe({
      baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret,
      resolver: loopback, sample: 2, tenants: provider.tenants, catalogue: checks, only: [c.checkId],
    })
    const result = report.results.find((r) => r.checkId === c.checkId)!
    t.equal(result.checkId, c.checkId)
    t.same(result.requirementIds, [c.requirement], c.requirement)
    t.equal(result.status, c.status, result.message?.en ?? '')
    if (c.errorCode) t.equal(result.errorCode, c.errorCode)
    t.notOk(JSON.stringify(result).includes(provider.tenants.A.token), 'tenant tokens are scrubbed from evidence')
  })
}

t.test('all self-hosted checks in one run share uploads and pass on the compliant platform', async (t) => {
  const provider = await startProvider({ kind: 'self-hosted', courses: 2 })
  t.teardown(() => provider.close())
  const report = await runProbe({ baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, tenants: provider.tenants, catalogue: checks })
  t.same(report.results.map((r) => [r.checkId, r.status]), checks.map((c) => [c.id, 'pass']))
  const canaries = report.results.find((r) => r.checkId === 'selfhosted.moderation-canaries')!
  t.match(canaries.measured, { uploads: 18, blocked: 18, alerted: 18, alertLimitSeconds: 2 }, '6 canaries × 3 delivery forms')
})

t.test('without sandbox tenant tokens the self-hosted checks error (never pass, never skip)', async (t) => {
  const provider = await startProvider({ kind: 'self-hosted', courses: 2 })
  t.teardown(() => provider.close())
  const report = await runProbe({ baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, catalogue: checks, only: ['selfhosted.privacy-anonymous'] })
  t.match(report.results[0], { status: 'error', errorCode: 'SG_ERR_CHECK_TENANTS_MISSING' })
})

t.test('the default catalogue (60 s alert wait) holds the same checks as the tested one', async (t) => {
  t.same(selfHostedChecks.map((c) => c.id), checks.map((c) => c.id))
})
