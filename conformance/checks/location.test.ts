// R20-3 location.hosts against the reference platforms. Connections go to 127.0.0.1 only (the probe
// clients' resolver); a separate geolocation resolver says where each fixture name "lives" with
// public addresses from the geo tests' table, which nothing ever connects to.
import t from 'tap'
import { FIXTURE_HOSTS, FIXTURE_HOST_ADDRESSES, startProvider, type DefectName } from '../../fixtures/providers/index.js'
import type { ServiceInfo } from '../../specs/types.gen.js'
import { locateHosts } from '../geo/locate.js'
import type { Resolver } from '../net/ssrf-guard.js'
import { runProbe } from '../probe.js'
import { serviceInfoRewriter } from './probe-harness.test-support.js'
import type { CheckResult } from './framework.js'
import { createLocationChecks, judgeLocations, undeclaredHosts } from './location.js'

const MEDIA_MO = 'media.mo.example-edu.com'
const MEDIA_TW = 'media.tw.example-edu.com'
const MEDIA_LAN = 'media.lan.example-edu.cn'
const GEO: Record<string, string[]> = {
  ...Object.fromEntries(Object.entries(FIXTURE_HOST_ADDRESSES).map(([k, v]) => [k, [...v]])),
  [MEDIA_MO]: ['202.175.3.3'],
  [MEDIA_TW]: ['168.95.1.1'],
  [MEDIA_LAN]: ['10.20.30.40'],
}
const geoResolver: Resolver = async (host) => {
  const list = GEO[host]
  if (!list) throw Object.assign(new Error(`${host} is not a fixture name`), { code: 'ENOTFOUND' })
  return list.map((address) => ({ address, family: 4 }))
}
const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]


interface Case {
  name: string
  status: CheckResult['status']
  defect?: DefectName
  mediaHost?: string
  /** Drop the media host from service-info declaredHosts (through the rewriting proxy). */
  undeclareMedia?: boolean
  errorCode?: string
  kind?: 'on-demand' | 'self-hosted'
}

const cases: Case[] = [
  { name: 'API and media in mainland China, declared', status: 'pass' },
  { name: 'self-hosted platform in mainland China', status: 'pass', kind: 'self-hosted' },
  { name: 'API host abroad (US)', status: 'fail', defect: 'api-host-abroad', errorCode: 'SG_ERR_LOCATION_OUTSIDE_MAINLAND' },
  { name: 'media host in Hong Kong', status: 'fail', defect: 'media-host-abroad-hk', errorCode: 'SG_ERR_LOCATION_OUTSIDE_MAINLAND' },
  { name: 'media host in Macao', status: 'fail', mediaHost: MEDIA_MO, errorCode: 'SG_ERR_LOCATION_OUTSIDE_MAINLAND' },
  { name: 'media host in Taiwan', status: 'fail', mediaHost: MEDIA_TW, errorCode: 'SG_ERR_LOCATION_OUTSIDE_MAINLAND' },
  { name: 'media host on a private address (local mode)', status: 'warn', mediaHost: MEDIA_LAN, errorCode: 'SG_ERR_LOCATION_UNVERIFIABLE' },
  { name: 'media host seen but not declared', status: 'fail', undeclareMedia: true, errorCode: 'SG_ERR_LOCATION_UNDECLARED_HOST' },
]

for (const c of cases) {
  t.test(`location.hosts: ${c.name} → ${c.status}`, async (t) => {
    const kind = c.kind ?? 'on-demand'
    const provider = await startProvider({ kind, courses: 2, defects: c.defect ? [c.defect] : [], publicHost: FIXTURE_HOSTS.apiCn, mediaHost: c.mediaHost ?? FIXTURE_HOSTS.mediaCn })
    t.teardown(() => provider.close())
    const baseUrl = c.undeclareMedia
      ? await serviceInfoRewriter(t, provider, (info) => { info.declaredHosts = info.declaredHosts.filter((h) => h.role !== 'media') as ServiceInfo['declaredHosts'] })
      : provider.url
    const report = await runProbe({
      baseUrl, kind, mode: 'local', keyId: provider.keyId, secret: provider.secret, resolver: loopback, sample: 2,
      catalogue: createLocationChecks({ geoResolver }),
    })
    const result = report.results.find((r) => r.checkId === 'location.hosts')!
    t.equal(result.checkId, 'location.hosts')
    t.same(result.requirementIds, ['R20-3'], 'R20-3')
    t.equal(result.status, c.status, result.message?.en ?? '')
    if (c.errorCode) t.equal(result.errorCode, c.errorCode)
    const measured = result.measured as { geoDatabase: { package: string; buildDate: string }; hosts: Array<{ host: string; roles: string[] }> }
    t.equal(measured.geoDatabase.package, '@ip-location-db/geo-whois-asn-country-mmdb', 'the report names the database')
    t.match(measured.geoDatabase.buildDate, /^\d{4}-\d{2}-\d{2}T/, 'and its date')
    const media = measured.hosts.find((h) => h.roles.includes('media'))
    t.ok(media, 'the media host seen in previews was located')
    if (c.status === 'warn') t.ok(report.warnings?.some((w) => w.includes('unverifiable server location')), 'run-level warning')
  })
}

t.test('judgeLocations: a private address is a warning in local mode and a failure in deny mode', async (t) => {
  const located = await locateHosts([FIXTURE_HOSTS.apiCn, MEDIA_LAN], { resolver: geoResolver })
  const hosts = { api: [FIXTURE_HOSTS.apiCn], media: [MEDIA_LAN], declared: [FIXTURE_HOSTS.apiCn, MEDIA_LAN] }
  t.equal(judgeLocations(located, hosts, 'local').status, 'warn')
  const deny = judgeLocations(located, hosts, 'deny')
  t.equal(deny.status, 'fail')
  t.equal(deny.errorCode, 'SG_ERR_LOCATION_UNVERIFIABLE')
})

t.test('judgeLocations: a name that does not resolve is unverifiable, never a pass', async (t) => {
  const located = await locateHosts(['nowhere.example-edu.cn'], { resolver: geoResolver })
  const hosts = { api: ['nowhere.example-edu.cn'], media: [], declared: ['nowhere.example-edu.cn'] }
  t.equal(judgeLocations(located, hosts, 'local').status, 'warn')
  t.equal(judgeLocations(located, hosts, 'deny').status, 'fail')
})

t.test('undeclaredHosts compares names case- and dot-insensitively', async (t) => {
  t.same(undeclaredHosts({ api: ['API.od.example-edu.cn.'], media: ['cdn.example-edu.cn'], declared: ['api.od.example-edu.cn'] }), ['cdn.example-edu.cn'])
  t.same(undeclaredHosts({ api: ['a.cn'], media: [], declared: ['A.CN'] }), [])
})
