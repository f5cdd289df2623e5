// The decision functions, tested without connecting anywhere: public addresses below are only
// classified, never dialled.
import t from 'tap'
import { classifyAddress, unmapIPv4 } from './ip-ranges.js'
import { assertUrlAllowed, checkAddresses, createGuardedLookup } from './ssrf-guard.js'
import type { SkillgateError } from '../../specs/lib/errors.js'

t.test('address classification: each special range, and its public neighbour', async (t) => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'], ['11.0.0.1', 'public'],
    ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', 'public'], ['172.15.255.255', 'public'],
    ['192.168.1.1', 'private'], ['192.169.0.1', 'public'],
    ['169.254.169.254', 'link-local'], ['169.255.0.1', 'public'],
    ['100.64.0.1', 'cgnat'], ['100.127.255.255', 'cgnat'], ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'], ['239.255.255.255', 'multicast'],
    ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'], ['198.18.0.1', 'benchmarking'],
    ['8.8.8.8', 'public'], ['114.114.114.114', 'public'],
    ['::1', 'loopback'], ['::', 'unspecified'],
    ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'], ['fe00::1', 'public'],
    ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'], ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'], ['2002:c0a8:0101::1', 'private'], ['::127.0.0.1', 'reserved'],
    ['[::1]', 'loopback'],
    ['240e::1', 'public'], ['2400:3200::1', 'public'],
  ]
  for (const [address, range] of cases) t.equal(classifyAddress(address).range, range, `${address} is ${range}`)
  t.equal(classifyAddress('::ffff:10.0.0.1').embeddedIPv4, '10.0.0.1')
  t.throws(() => classifyAddress('example.com'), TypeError)
  t.equal(unmapIPv4('::ffff:114.114.114.114'), '114.114.114.114')
  t.equal(unmapIPv4('240e::1'), '240e::1')
})

t.test('policy: deny refuses any non-public answer, local allows it and reports it', async (t) => {
  const code = (f: () => unknown) => {
    try {
      f()
      return 'allowed'
    } catch (e) {
      return (e as SkillgateError).code
    }
  }
  t.equal(code(() => checkAddresses('a.test', [{ address: '8.8.8.8', family: 4 }], 'deny')), 'allowed')
  t.equal(code(() => checkAddresses('a.test', [{ address: '10.0.0.1', family: 4 }], 'deny')), 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(code(() => checkAddresses('a.test', [{ address: '8.8.8.8', family: 4 }, { address: 'fd00::1', family: 6 }], 'deny')), 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(code(() => checkAddresses('a.test', [], 'deny')), 'SG_ERR_NET_DNS')
  const local = checkAddresses('a.test', [{ address: '10.0.0.1', family: 4 }], 'local')
  t.same(local.nonPublic.map((a) => a.range), ['private'])
})

t.test('URLs: only http(s), no credentials', async (t) => {
  t.equal(assertUrlAllowed('https://provider.example/v1').hostname, 'provider.example')
  for (const bad of ['file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'http://u:p@x/', 'http://u@x/', 'not a url']) {
    t.throws(() => assertUrlAllowed(bad), { code: 'SG_ERR_NET_BAD_URL' }, bad)
  }
})

t.test('guarded lookup: returns exactly the checked addresses, or fails before connect', async (t) => {
  const lookup = (mode: 'deny' | 'local', answer: string[]) => createGuardedLookup({
    mode,
    timeoutMs: 1000,
    resolver: async () => answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  })
  const call = (l: ReturnType<typeof lookup>, all: boolean) => new Promise<{ err: unknown; address: unknown; family?: number }>((resolve) => {
    l('x.test', { all }, (err, address, family) => resolve({ err, address, ...(family !== undefined ? { family } : {}) }))
  })
  const ok = await call(lookup('deny', ['8.8.8.8', '2001:4860::8888']), true)
  t.equal(ok.err, null)
  t.same(ok.address, [{ address: '8.8.8.8', family: 4 }, { address: '2001:4860::8888', family: 6 }])
  const one = await call(lookup('deny', ['8.8.8.8']), false)
  t.same([one.address, one.family], ['8.8.8.8', 4])
  const blocked = await call(lookup('deny', ['169.254.169.254']), true)
  t.equal((blocked.err as SkillgateError).code, 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(blocked.address, '', 'no address handed to the socket')
  const allowed = await call(lookup('local', ['127.0.0.1']), true)
  t.same(allowed.address, [{ address: '127.0.0.1', family: 4 }])
  const slow = createGuardedLookup({ mode: 'deny', timeoutMs: 20, resolver: () => new Promise(() => {}) })
  const timedOut = await call(slow, true)
  t.equal((timedOut.err as SkillgateError).code, 'SG_ERR_NET_DNS')
})
