// service.contact (R5.1-5, R5.3-6) and selfhosted.people-served (R5.3-3) against the reference
// platforms. The fixtures have no defect switch for these facts, so each failing twin puts a
// loopback proxy in front of the compliant platform that forwards requests byte for byte (the
// signature stays valid) and changes exactly one field of service-info.
import t from 'tap'
import { startProvider } from '../../fixtures/providers/index.js'
import type { ServiceInfo } from '../../specs/types.gen.js'
import type { Resolver } from '../net/ssrf-guard.js'
import { runProbe } from '../probe.js'
import { serviceInfoRewriter } from './probe-harness.test-support.js'
import type { CheckResult } from './framework.js'
import { contactProblems, serviceChecks } from './service.js'

const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]


interface Case {
  checkId: 'service.contact' | 'selfhosted.people-served'
  kind: 'on-demand' | 'self-hosted'
  name: string
  rewrite?: (info: ServiceInfo) => void
  status: CheckResult['status']
  errorCode?: string
}

const REQS = { 'service.contact': ['R5.1-5', 'R5.3-6'], 'selfhosted.people-served': ['R5.3-3'] }

const cases: Case[] = [
  { checkId: 'service.contact', kind: 'on-demand', name: 'contact published', status: 'pass' },
  { checkId: 'service.contact', kind: 'on-demand', name: 'no serviceContact', rewrite: (i) => { delete (i as Partial<ServiceInfo>).serviceContact }, status: 'fail', errorCode: 'SG_ERR_SERVICE_CONTACT_MISSING' },
  { checkId: 'service.contact', kind: 'self-hosted', name: 'contact published', status: 'pass' },
  { checkId: 'service.contact', kind: 'self-hosted', name: 'no phone', rewrite: (i) => { delete (i.serviceContact as Partial<ServiceInfo['serviceContact']>).phone }, status: 'fail', errorCode: 'SG_ERR_SERVICE_CONTACT_MISSING' },
  { checkId: 'selfhosted.people-served', kind: 'self-hosted', name: '1,250,000 declared', status: 'pass' },
  { checkId: 'selfhosted.people-served', kind: 'self-hosted', name: '999,999 declared', rewrite: (i) => { i.peopleServed = 999_999 }, status: 'warn', errorCode: 'SG_ERR_PEOPLE_SERVED_LOW' },
]

for (const c of cases) {
  t.test(`${c.checkId} (${c.kind}): ${c.name} → ${c.status}`, async (t) => {
    const provider = await startProvider({ kind: c.kind, courses: 2 })
    t.teardown(() => provider.close())
    const baseUrl = c.rewrite ? await serviceInfoRewriter(t, provider, c.rewrite) : provider.url
    const report = await runProbe({ baseUrl, kind: c.kind, mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2, catalogue: serviceChecks, only: [c.checkId] })
    const result = report.results.find((r) => r.checkId === c.checkId)!
    t.equal(result.checkId, c.checkId)
    t.same(result.requirementIds, REQS[c.checkId])
    t.equal(result.status, c.status, result.message?.en ?? '')
    if (c.errorCode) t.equal(result.errorCode, c.errorCode)
  })
}

t.test('selfhosted.people-served is a should-check and applies only to self-hosted platforms', async (t) => {
  const check = serviceChecks.find((c) => c.id === 'selfhosted.people-served')!
  t.equal(check.severity, 'should')
  t.same(check.kinds, ['self-hosted'])
})

t.test('contactProblems names each missing part', async (t) => {
  t.same(contactProblems(undefined), ['serviceContact is absent'])
  t.equal(contactProblems({ team: { 'zh-CN': ' ' }, phone: 'call us', email: 'nobody' }).length, 3)
  t.same(contactProblems({ team: { 'zh-CN': '技术支持中心' }, phone: '010-12345678', email: 'support@example-edu.cn' }), [])
})
