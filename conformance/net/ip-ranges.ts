// Special-purpose address ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and
// successors). A probe of an untrusted provider may only reach globally routable unicast space;
// everything here is either internal to the gateway's network, not routable, or a translation
// prefix that embeds an IPv4 address (checked separately, so 64:ff9b::7f00:1 is treated as
// 127.0.0.1 rather than as "some IPv6 address").
//
// Parsing and prefix matching are ipaddr.js's; the table is ours because ipaddr.js's own range()
// names too little for a verdict (documentation is "reserved", ::/96 and IPv6 outside 2000::/3 are
// "unicast"). node:net's isIP gates the input first: ipaddr.js also accepts the legacy IPv4 forms
// (127.1, 0x7f.0.0.1, 2130706433) that are not addresses here.
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

export type AddressRange =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'translation'

export interface AddressClass {
  /** The address as given, with any IPv6 zone id removed. */
  address: string
  family: 4 | 6
  range: AddressRange
  /** Set when the verdict came from an IPv4 address embedded in an IPv6 one (mapped, NAT64, 6to4). */
  embeddedIPv4?: string
}

type Cidr<T> = readonly [T, number]

// First match wins, so a narrower range precedes any wider one that contains it.
const V4 = ranges((cidr) => ipaddr.IPv4.parseCIDR(cidr), [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // includes the cloud metadata endpoint 169.254.169.254
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // former 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
])

const V6 = ranges((cidr) => ipaddr.IPv6.parseCIDR(cidr), [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b:1::/48', 'translation'], // local-use NAT64 (RFC 8215): the IPv4 sits where the operator chose
  ['100::/64', 'reserved'], // discard-only
  ['2001::/23', 'reserved'], // IETF protocol assignments, incl. Teredo 2001::/32, ORCHID, benchmarking
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'], // segment routing SIDs
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
])

// Only 2000::/3 is allocated as global unicast; the rest of the space (IPv4-translated
// ::ffff:0:0:0/96, fe00::/9, 4000::/3, …) is reserved by the IETF and routes nowhere public.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3')

// Prefixes through which an IPv6 connection ends at an IPv4 host chosen by the address bits.
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96') // RFC 6052 well-known prefix: the last 32 bits
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16') // RFC 3056: bits 16–47

function ranges<T>(parseCIDR: (cidr: string) => [T, number], table: Array<[string, AddressRange]>): Array<[Cidr<T>, AddressRange]> {
  return table.map(([cidr, range]) => [parseCIDR(cidr), range])
}

/** Strip brackets and a zone id, so URL hostnames and link-local scoped addresses classify. */
export function normaliseAddress(address: string): string {
  let a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  const zone = a.indexOf('%')
  if (zone >= 0) a = a.slice(0, zone)
  return a
}

/**
 * Parses an address that isIP already called IPv6, bit for bit as the socket will use it. ipaddr.js
 * reads the deprecated IPv4-compatible form ::a.b.c.d as the mapped ::ffff:a.b.c.d, which would
 * turn ::8.8.8.8 (reserved, routes nowhere) into 8.8.8.8; so a dotted tail is rewritten as the two
 * hex groups it stands for first.
 */
function parseIPv6(address: string): ipaddr.IPv6 {
  const hex = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_tail, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
  return ipaddr.IPv6.parse(hex)
}

/** IPv4-mapped (::ffff:a.b.c.d) addresses become plain IPv4: the DB and the rules are keyed on it. */
export function unmapIPv4(address: string): string {
  const a = normaliseAddress(address)
  if (isIP(a) !== 6) return a
  const v6 = parseIPv6(a)
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : a
}

/** Which special-purpose range an IP address is in ('public' if none). Throws on a non-IP string. */
export function classifyAddress(address: string): AddressClass {
  const a = normaliseAddress(address)
  const family = isIP(a)
  if (family === 4) {
    const v4 = ipaddr.IPv4.parse(a)
    return { address: a, family: 4, range: V4.find(([cidr]) => v4.match(cidr[0], cidr[1]))?.[1] ?? 'public' }
  }
  if (family === 6) {
    const v6 = parseIPv6(a)
    const embedded = embeddedIPv4(v6)
    if (embedded) return { address: a, family: 6, range: classifyAddress(embedded).range, embeddedIPv4: embedded }
    const hit = V6.find(([cidr]) => v6.match(cidr[0], cidr[1]))?.[1]
    return { address: a, family: 6, range: hit ?? (v6.match(GLOBAL_UNICAST_V6) ? 'public' : 'reserved') }
  }
  throw new TypeError(`not an IP address: ${address}`)
}

function embeddedIPv4(v6: ipaddr.IPv6): string | undefined {
  const bytes = v6.toByteArray()
  const v4 = (from: number): string => bytes.slice(from, from + 4).join('.')
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString() // ::ffff:0:0/96
  if (v6.match(NAT64)) return v4(12)
  if (v6.match(SIX_TO_FOUR)) return v4(2)
  return undefined
}

export const isPublicAddress = (address: string): boolean => classifyAddress(address).range === 'public'
