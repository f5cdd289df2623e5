// R17 drift: providers admitted compliant, then switched to one defect each; the next scheduled
// assessment (its job handler run directly) opens exactly the matching case; the compliant twin
// opens none. The real conformance kit runs against reference platforms on loopback; host names
// resolve through an injected resolver to public addresses (R20-3) but connections stay on loopback.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { FIXTURE_HOST_ADDRESSES, startProvider } from '../../fixtures/providers/index.js'
import type { RunningProvider } from '../../fixtures/providers/index.js'
import type { Resolver } from '../../conformance/net/ssrf-guard.js'
import { JobQueue } from '../jobs/job-queue.js'
import { openTestStore } from '../store/engines.test-support.js'
import { DataInterface } from '../sync/data-interface.js'
import { ASSESS_ALL_JOB, dataJobHandlers } from '../sync/jobs.js'
import { dataInterfaceSettings } from '../sync/settings.js'
import { admitProvider, keyOpener, testSecretBox } from '../sync/admit-provider.test-support.js'

// Where names are said to live (R20-3); the platforms are reached at their loopback URLs.
// Connections to any fixture name go to loopback.
const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]
const geoResolver: Resolver = async (host) => (FIXTURE_HOST_ADDRESSES[host] ?? ['127.0.0.1']).map((address) => ({ address, family: 4 }))

t.test('a provider switched to a defect after admission opens the matching case at the next run', async (t) => {
  const store = await openTestStore(t, 'sqlite')
  const box = testSecretBox()
  const di = new DataInterface({ store, openKey: keyOpener(store, box), settings: dataInterfaceSettings('local', { resolver, geoResolver, assessment: { sample: 3 } }) })
  const handler = dataJobHandlers(di, new JobQueue(store))[ASSESS_ALL_JOB]
  const cases = [
    { defect: null, kind: null },
    { defect: 'free-share-40', kind: 'free-share' },
    { defect: 'preview-9min', kind: 'preview' },
    { defect: 'api-host-abroad', kind: 'host-abroad' },
    { defect: 'media-host-abroad-hk', kind: 'host-abroad' },
    { defect: 'schema-drift', kind: 'contract' },
  ] as const
  const ids = new Map<string, string>()
  const running: RunningProvider[] = []
  t.teardown(() => Promise.all(running.map((p) => p.close())))
  for (const c of cases) {
    const keys = { [`k_${randomBytes(6).toString('hex')}`]: randomBytes(24).toString('base64url') }
    const admittedAs = await startProvider({ kind: 'on-demand', keys })
    const { providerId } = await admitProvider(store, box, { kind: 'on-demand', baseUrl: admittedAs.loopbackUrl, keyId: admittedAs.keyId, secret: admittedAs.secret })
    await admittedAs.close()
    // The same platform, same port and key, now with one defect (or still compliant).
    running.push(await startProvider({ kind: 'on-demand', keys, port: admittedAs.port, defects: c.defect ? [c.defect] : [] }))
    ids.set(c.defect ?? 'compliant', providerId)
  }
  const result = await handler({} as never, { workerId: 'test', signal: new AbortController().signal, heartbeat: async () => true }) as { runs: Array<{ providerId: string; drift: string[] }> }
  t.equal(result.runs.length, cases.length, 'every operating API provider was assessed')
  for (const c of cases) {
    const providerId = ids.get(c.defect ?? 'compliant')!
    const open = await di.assessment.listCases({ providerId, status: 'open' })
    // R5.1-4, R5.1-3, R20-3 and R7 each map to their own case kind.
    if (c.kind === null) t.same(open, [], 'the compliant twin opens no case')
    else t.same(open.map((x) => x.kind), [c.kind], `${c.defect} → ${c.kind}`)
  }

  await t.test('the next run refreshes the open case instead of opening another; a resolved case can reopen', async (t) => {
    const providerId = ids.get('free-share-40')!
    const [first] = await di.assessment.listCases({ providerId, status: 'open' })
    await di.assessment.assessProvider(providerId)
    const again = await di.assessment.listCases({ providerId })
    t.equal(again.length, 1)
    t.equal(again[0]!.id, first!.id)
    const resolved = await di.assessment.resolveCase(first!.id, 'reviewer:t', 'dismissed', '已约谈，限期整改')
    t.equal(resolved.status, 'resolved')
    await t.rejects(di.assessment.resolveCase(first!.id, 'reviewer:t', 'fixed', 'again'), { code: 'SG_ERR_ASSESSMENT_CASE_CLOSED' })
    await di.assessment.assessProvider(providerId)
    t.equal((await di.assessment.listCases({ providerId, status: 'open' })).length, 1, 'the drift persists: a new case')
  })
})
