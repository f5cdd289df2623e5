// Address classes, tested without connecting anywhere: public addresses below are only classified,
// never dialled. Each special range comes with a public neighbour, so a range drawn too wide or
// too narrow fails here.
import t, { type Test } from 'tap'
import { classifyAddress, isPublicAddress, unmapIPv4 } from './ip-ranges.js'

const expectRanges = (t: Test, cases: Array<[string, string]>): void => {
  for (const [address, range] of cases) t.equal(classifyAddress(address).range, range, `${address} is ${range}`)
}

t.test('each special range, and its public neighbour', async (t) => {
  expectRanges(t, [
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'], ['11.0.0.1', 'public'],
    ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', 'public'], ['172.15.255.255', 'public'],
    ['192.168.1.1', 'private'], ['192.169.0.1', 'public'],
    ['169.254.169.254', 'link-local'], ['169.255.0.1', 'public'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'], ['255.255.255.254', 'reserved'],
    ['198.18.0.1', 'benchmarking'], ['198.19.255.255', 'benchmarking'], ['198.20.0.1', 'public'], ['198.17.255.255', 'public'],
    ['192.0.0.8', 'reserved'], ['192.88.99.1', 'reserved'],
    ['8.8.8.8', 'public'], ['114.114.114.114', 'public'],
    ['::1', 'loopback'], ['::', 'unspecified'], ['::2', 'reserved'],
    ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'], ['fec0::1', 'reserved'],
    ['100::1', 'reserved'], ['5f00::1', 'reserved'],
    ['[::1]', 'loopback'],
    ['240e::1', 'public'], ['2400:3200::1', 'public'],
  ])
})

t.test('carrier-grade NAT 100.64.0.0/10, with both neighbours', async (t) => {
  expectRanges(t, [['100.64.0.0', 'cgnat'], ['100.64.0.1', 'cgnat'], ['100.127.255.255', 'cgnat'], ['100.63.255.255', 'public'], ['100.128.0.1', 'public']])
})

t.test('multicast, IPv4 and IPv6', async (t) => {
  expectRanges(t, [['224.0.0.1', 'multicast'], ['239.255.255.255', 'multicast'], ['223.255.255.255', 'public'], ['ff02::1', 'multicast'], ['ff0e::101', 'multicast']])
})

t.test('documentation ranges: the three IPv4 TEST-NETs, 2001:db8::/32 and 3fff::/20', async (t) => {
  expectRanges(t, [
    ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'], ['203.0.113.255', 'documentation'], ['203.0.114.1', 'public'],
    ['2001:db8::1', 'documentation'], ['2001:db9::1', 'public'], ['3fff:fff::1', 'documentation'], ['3ffe::1', 'public'],
  ])
})

t.test('unique-local fc00::/7, and IPv6 outside global unicast 2000::/3 is reserved', async (t) => {
  expectRanges(t, [
    ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'], ['fdff:ffff::1', 'unique-local'],
    // Not in any registry entry but unallocated: nothing public routes there.
    ['fe00::1', 'reserved'], ['fbff::1', 'reserved'], ['4000::1', 'reserved'], ['1fff::1', 'reserved'], ['2000::1', 'public'],
  ])
})

t.test('IPv4-mapped IPv6 is judged by the IPv4 address, dotted or hex', async (t) => {
  expectRanges(t, [
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'], ['::ffff:100.64.0.1', 'cgnat'], ['::ffff:8.8.8.8', 'public'], ['::FFFF:808:808', 'public'],
  ])
  t.equal(classifyAddress('::ffff:10.0.0.1').embeddedIPv4, '10.0.0.1')
  t.equal(classifyAddress('::ffff:a00:1').embeddedIPv4, '10.0.0.1', 'hex form, same embedded address')
  t.equal(unmapIPv4('::ffff:114.114.114.114'), '114.114.114.114')
  t.equal(unmapIPv4('[::ffff:7272:7272]'), '114.114.114.114')
  t.equal(unmapIPv4('240e::1'), '240e::1')
  t.equal(unmapIPv4('8.8.8.8'), '8.8.8.8')
})

t.test('IPv4-compatible ::a.b.c.d is the deprecated reserved block, not a mapped address', async (t) => {
  // ipaddr.js on its own reads ::8.8.8.8 as ::ffff:8.8.8.8; the socket would not.
  expectRanges(t, [['::127.0.0.1', 'reserved'], ['::8.8.8.8', 'reserved'], ['::808:808', 'reserved']])
  t.equal(classifyAddress('::8.8.8.8').embeddedIPv4, undefined)
  t.equal(unmapIPv4('::8.8.8.8'), '::8.8.8.8')
})

t.test('NAT64: the well-known prefix is judged by the embedded IPv4, the local-use prefix is refused', async (t) => {
  expectRanges(t, [
    ['64:ff9b::a00:1', 'private'], ['64:ff9b::7f00:1', 'loopback'], ['64:ff9b::127.0.0.1', 'loopback'], ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'], ['64:ff9b:1::808:808', 'translation'], ['64:ff9b:1:ffff::1', 'translation'],
  ])
  t.equal(classifyAddress('64:ff9b::a9fe:a9fe').embeddedIPv4, '169.254.169.254')
  t.equal(classifyAddress('64:ff9b::808:808').embeddedIPv4, '8.8.8.8')
  t.equal(classifyAddress('64:ff9b:1::808:808').embeddedIPv4, undefined)
})

t.test('6to4 2002::/16 is judged by the IPv4 address in bits 16–47', async (t) => {
  expectRanges(t, [['2002:c0a8:0101::1', 'private'], ['2002:7f00:1::1', 'loopback'], ['2002:a9fe:a9fe::', 'link-local'], ['2002:808:808::1', 'public']])
  t.equal(classifyAddress('2002:c0a8:0101::1').embeddedIPv4, '192.168.1.1')
  t.equal(classifyAddress('2002:808:808::1').embeddedIPv4, '8.8.8.8')
})

t.test('Teredo and the other IETF protocol assignments in 2001::/23 are reserved', async (t) => {
  expectRanges(t, [
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo 2001::/32
    ['2001:2::1', 'reserved'], // benchmarking
    ['2001:20::1', 'reserved'], // ORCHIDv2
    ['2001:1ff:ffff::1', 'reserved'], ['2001:200::1', 'public'],
  ])
})

t.test('anything but a plain IP address throws, including legacy IPv4 spellings', async (t) => {
  for (const bad of ['example.com', '', '127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433', '1.2.3.256', '::ffff::1', 'fe80::1::', '1:2:3:4:5:6:7:8:9']) {
    t.throws(() => classifyAddress(bad), TypeError, JSON.stringify(bad))
  }
  t.equal(classifyAddress('fe80::1%eth0').address, 'fe80::1', 'zone id removed')
  t.equal(classifyAddress('[2400:3200::1]').family, 6)
})

t.test('isPublicAddress is the public verdict', async (t) => {
  t.equal(isPublicAddress('8.8.8.8'), true)
  t.equal(isPublicAddress('64:ff9b::a00:1'), false)
})
