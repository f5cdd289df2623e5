// Self-hosted checks (R5.3-4, R5.3-5a, R5.3-5b) against the reference self-hosted platform with
// its sandbox tenants A and B: the compliant platform passes every check, and each twin differs
// by one defect. The alert waits run the spec's full 60 s window on a virtual clock shared by the
// probe and the provider, so the not-alerted and false-alert twins never wait 60 s of real time.
import t from 'tap'
import { startProvider, type DefectName } from '../../fixtures/providers/index.js'
import type { Resolver } from '../net/ssrf-guard.js'
import { runProbe } from '../probe.js'
import type { CheckResult } from './framework.js'
import { createSelfHostedChecks, selfHostedChecks } from './self-hosted.js'
import { virtualClock } from './virtual-clock.test-support.js'

const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]

/** A provider and a check catalogue on one fresh virtual clock. */
async function onVirtualClock(defects: DefectName[] = []) {
  const clock = virtualClock()
  const provider = await startProvider({ kind: 'self-hosted', courses: 2, defects, now: clock.now })
  return { clock, provider, checks: createSelfHostedChecks({ clock }) }
}

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
  { checkId: 'selfhosted.moderation-withheld', requirement: 'R5.3-4', status: 'pass' },
  { checkId: 'selfhosted.moderation-withheld', requirement: 'R5.3-4', defect: 'canary-served', status: 'fail', errorCode: 'SG_ERR_MODERATION_CANARY_SERVED' },
  { checkId: 'selfhosted.moderation-control', requirement: 'R5.3-4', status: 'pass' },
  { checkId: 'selfhosted.moderation-control', requirement: 'R5.3-4', defect: 'clean-control-blocked', status: 'fail', errorCode: 'SG_ERR_MODERATION_CONTROL_BLOCKED' },
  { checkId: 'selfhosted.moderation-control', requirement: 'R5.3-4', defect: 'control-false-alert', status: 'fail', errorCode: 'SG_ERR_MODERATION_CONTROL_ALERTED' },
]

for (const c of cases) {
  t.test(`${c.checkId} ${c.defect ?? 'compliant'} → ${c.status}`, async (t) => {
    const { provider, checks } = await onVirtualClock(c.defect ? [c.defect] : [])
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
  const { clock, provider, checks } = await onVirtualClock()
  t.teardown(() => provider.close())
  const report = await runProbe({ baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, tenants: provider.tenants, catalogue: checks })
  t.same(report.results.map((r) => [r.checkId, r.status]), checks.map((c) => [c.id, 'pass']))
  const canaries = report.results.find((r) => r.checkId === 'selfhosted.moderation-canaries')!
  t.match(canaries.measured, { uploads: 18, blocked: 18, alerted: 18, alertLimitSeconds: 60 }, '6 canaries × 3 delivery forms')
  const withheld = report.results.find((r) => r.checkId === 'selfhosted.moderation-withheld')!
  t.match(withheld.measured, { canaryObjects: 18, reads: 54, withheld: 54, served: 0, ownerQuarantined: 18 }, 'owner, tenant B and anonymous read each canary object')
  const control = report.results.find((r) => r.checkId === 'selfhosted.moderation-control')!
  t.match(control.measured, { controls: 6, alerted: 0, alertWindowSeconds: 60 })
  t.ok((control.measured as { watchedSeconds: number }).watchedSeconds >= 60, 'the controls were watched for the whole 60 s window')
  t.ok(clock.slept() >= 60_000, 'on the virtual clock')
})

t.test('R5.3-4: a false alert 5 s after a clean control is caught inside the window, and the watch ends there', async (t) => {
  const { clock, provider, checks } = await onVirtualClock(['control-false-alert'])
  t.teardown(() => provider.close())
  const report = await runProbe({ baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, tenants: provider.tenants, catalogue: checks, only: ['selfhosted.moderation-control'] })
  const control = report.results[0]!
  t.match(control, { status: 'fail', errorCode: 'SG_ERR_MODERATION_CONTROL_ALERTED', requirementIds: ['R5.3-4'] })
  t.match(control.measured, { controls: 6, blocked: 0, alerted: 6, alertWindowSeconds: 60 })
  const watched = (control.measured as { watchedSeconds: number }).watchedSeconds
  t.ok(watched >= 5 && watched < 60, `the alert raised 5 s after the upload was seen (watched ${watched} s)`)
  t.ok(clock.slept() < 60_000, 'no need to wait out the window once an alert is seen')
})

t.test('without sandbox tenant tokens the self-hosted checks error (never pass, never skip)', async (t) => {
  const { provider, checks } = await onVirtualClock()
  t.teardown(() => provider.close())
  const report = await runProbe({ baseUrl: provider.url, kind: 'self-hosted', mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, catalogue: checks, only: ['selfhosted.privacy-anonymous'] })
  t.match(report.results[0], { status: 'error', errorCode: 'SG_ERR_CHECK_TENANTS_MISSING' })
})

t.test('the default catalogue (wall clock) holds the same checks as the tested one', async (t) => {
  t.same(selfHostedChecks.map((c) => c.id), createSelfHostedChecks({ clock: virtualClock() }).map((c) => c.id))
})
