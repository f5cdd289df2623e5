// Addresses below were chosen by looking them up in the shipped MMDB itself (see the
// "fixture addresses" test, which fails if a database update moves them). They are only ever
// returned by an injected resolver; nothing connects to them.
import t from 'tap'
import { createDnsRecordResolver, locateAddress, locateHosts, openGeoDatabase } from './locate.js'
import type { Resolver } from '../net/ssrf-guard.js'

const FIXTURE: Record<string, string[]> = {
  'cn.example.test': ['114.114.114.114', '223.5.5.5', '240e::1'],
  'hk.example.test': ['202.45.84.58'],
  'mo.example.test': ['202.175.3.3'],
  'tw.example.test': ['168.95.1.1'],
  'us.example.test': ['8.8.8.8'],
  'mixed.example.test': ['114.114.114.114', '202.45.84.58'],
  'private.example.test': ['10.0.0.1'],
  'cn-and-private.example.test': ['223.5.5.5', '192.168.1.10'],
  'mapped.example.test': ['::ffff:114.114.114.114'],
}

const resolver: Resolver = async (host) => {
  const list = FIXTURE[host]
  if (!list) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

t.test('database: found in the npm package, with its build date', async (t) => {
  const { info } = await openGeoDatabase()
  t.equal(info.package, '@ip-location-db/geo-whois-asn-country-mmdb')
  t.match(info.file, /\.mmdb$/)
  t.ok(!Number.isNaN(Date.parse(info.buildEpoch)), `buildEpoch ${info.buildEpoch}`)
  t.comment(`${info.file} built ${info.buildEpoch} (${info.databaseType})`)
})

t.test('fixture addresses are where the tests assume (R20-3)', async (t) => {
  const { reader } = await openGeoDatabase()
  const expected: Record<string, string> = {
    '114.114.114.114': 'CN', '223.5.5.5': 'CN', '240e::1': 'CN',
    '202.45.84.58': 'HK', '202.175.3.3': 'MO', '168.95.1.1': 'TW', '8.8.8.8': 'US',
  }
  for (const [address, country] of Object.entries(expected)) t.equal(locateAddress(reader, address).country, country, address)
})

t.test('R20-3: a host whose every address is in mainland China passes', async (t) => {
  const r = await locateHosts(['cn.example.test'], { resolver })
  const h = r.hosts[0]!
  t.equal(h.verdict, 'mainland')
  t.equal(h.pass, true)
  t.equal(h.addresses.length, 3, 'A and AAAA records are all located')
  t.ok(h.addresses.every((a) => a.country === 'CN' && a.verdict === 'mainland'))
  t.equal(r.pass, true)
})

t.test('R20-3: Hong Kong, Macao, Taiwan and the US are outside', async (t) => {
  for (const [host, country] of [['hk.example.test', 'HK'], ['mo.example.test', 'MO'], ['tw.example.test', 'TW'], ['us.example.test', 'US']] as const) {
    const r = await locateHosts([host], { resolver })
    const h = r.hosts[0]!
    t.equal(h.verdict, 'outside', host)
    t.equal(h.pass, false, host)
    t.equal(h.addresses[0]?.country, country, host)
    t.equal(r.pass, false, host)
  }
})

t.test('R20-3: one address outside fails the host even if the others are mainland', async (t) => {
  const r = await locateHosts(['mixed.example.test'], { resolver })
  t.equal(r.hosts[0]!.verdict, 'outside')
  t.equal(r.hosts[0]!.pass, false)
})

t.test('R20-3: private addresses are unverifiable, never mainland', async (t) => {
  const r = await locateHosts(['private.example.test', 'cn-and-private.example.test'], { resolver })
  t.equal(r.hosts[0]!.verdict, 'unverifiable')
  t.match(r.hosts[0]!.addresses[0]!.reason, /private/)
  t.equal(r.hosts[1]!.verdict, 'unverifiable', 'a private address spoils an otherwise mainland host')
  t.equal(r.pass, false)
  const { reader } = await openGeoDatabase()
  for (const a of ['127.0.0.1', '::1', '169.254.169.254', '100.64.0.1', 'fd00::1']) t.equal(locateAddress(reader, a).verdict, 'unverifiable', a)
})

t.test('R20-3: IPv4-mapped IPv6 is located as its IPv4 address', async (t) => {
  const r = await locateHosts(['mapped.example.test'], { resolver })
  t.equal(r.hosts[0]!.addresses[0]!.country, 'CN')
  t.equal(r.hosts[0]!.pass, true)
})

t.test('R20-3: an unresolvable host is unverifiable with the reason', async (t) => {
  const r = await locateHosts(['cn.example.test', 'nowhere.example.test'], { resolver })
  const h = r.hosts.find((x) => x.host === 'nowhere.example.test')!
  t.equal(h.verdict, 'unverifiable')
  t.match(h.reason, /ENOTFOUND/)
  t.equal(r.pass, false, 'one unverifiable host fails the provider')
})

t.test('IP-literal hosts are located without the resolver; duplicates collapse', async (t) => {
  const asked: string[] = []
  const counting: Resolver = async (host) => {
    asked.push(host)
    return resolver(host)
  }
  const lit = await locateHosts(['114.114.114.114', '[240e::1]', 'hk.example.test'], { resolver: counting })
  t.same(lit.hosts.map((h) => h.verdict), ['mainland', 'mainland', 'outside'])
  t.same(asked, ['hk.example.test'], 'only the name went to the resolver')
  const dup = await locateHosts(['CN.example.test.', 'cn.example.test'], { resolver })
  t.equal(dup.hosts.length, 1)
})

t.test('an empty host list does not pass (nothing verified)', async (t) => {
  t.equal((await locateHosts([], { resolver })).pass, false)
})

t.test('default resolver queries DNS records (pointed at a closed loopback port, so no traffic leaves)', async (t) => {
  const r = await locateHosts(['cn.example.test'], { resolver: createDnsRecordResolver({ servers: ['127.0.0.1:9'], timeoutMs: 200 }) })
  t.equal(r.hosts[0]!.verdict, 'unverifiable')
  t.match(r.hosts[0]!.reason, /does not resolve/)
})
