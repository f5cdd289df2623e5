// Special-purpose address ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and
// successors). A probe of an untrusted provider may only reach globally routable unicast space;
// everything here is either internal to the gateway's network, not routable, or a translation
// prefix that embeds an IPv4 address (checked separately, so 64:ff9b::7f00:1 is treated as
// 127.0.0.1 rather than as "some IPv6 address").
import { isIP } from 'node:net'

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

interface Cidr { bytes: Uint8Array; prefix: number; range: AddressRange }

const V4: Array<[string, AddressRange]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // includes the cloud metadata endpoint 169.254.169.254
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]

const V6: Array<[string, AddressRange]> = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b:1::/48', 'translation'],
  ['100::/64', 'reserved'],
  ['2001::/23', 'reserved'], // IETF protocol assignments, incl. Teredo, ORCHID, benchmarking
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'],
  ['ff00::/8', 'multicast'],
]

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? ''
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    out[i] = Number(p)
  }
  return out
}

function parseIPv6(input: string): Uint8Array | undefined {
  let s = input
  const words: number[] = []
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  let v4tail: Uint8Array | undefined
  if (tail?.[1]) {
    v4tail = parseIPv4(tail[1])
    if (!v4tail) return undefined
    s = s.slice(0, -tail[1].length) + '0:0'
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(':') : []
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined
  for (const w of head) words.push(parseInt(w, 16))
  for (let i = 0; i < missing; i++) words.push(0)
  for (const w of rest) words.push(parseInt(w, 16))
  if (words.some((w) => Number.isNaN(w) || w < 0 || w > 0xffff)) return undefined
  const out = new Uint8Array(16)
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff })
  if (v4tail) out.set(v4tail, 12)
  return out
}

function toCidrs(list: Array<[string, AddressRange]>, parse: (s: string) => Uint8Array | undefined): Cidr[] {
  return list.map(([cidr, range]) => {
    const [net, len] = cidr.split('/')
    const bytes = parse(net ?? '')
    if (!bytes) throw new Error(`bad CIDR ${cidr}`)
    return { bytes, prefix: Number(len), range }
  })
}

const V4_CIDRS = toCidrs(V4, parseIPv4)
const V6_CIDRS = toCidrs(V6, parseIPv6)

function inCidr(bytes: Uint8Array, c: Cidr): boolean {
  let bits = c.prefix
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if (((bytes[i] ?? 0) & mask) !== ((c.bytes[i] ?? 0) & mask)) return false
  }
  return true
}

const v4String = (b: Uint8Array): string => Array.from(b).join('.')

/** Strip brackets and a zone id, so URL hostnames and link-local scoped addresses classify. */
export function normaliseAddress(address: string): string {
  let a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  const zone = a.indexOf('%')
  if (zone >= 0) a = a.slice(0, zone)
  return a
}

/** IPv4-mapped (::ffff:a.b.c.d) addresses become plain IPv4: the DB and the rules are keyed on it. */
export function unmapIPv4(address: string): string {
  const a = normaliseAddress(address)
  if (isIP(a) !== 6) return a
  const b = parseIPv6(a)
  if (b && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return v4String(b.subarray(12))
  return a
}

/** Which special-purpose range an IP address is in ('public' if none). Throws on a non-IP string. */
export function classifyAddress(address: string): AddressClass {
  const a = normaliseAddress(address)
  const family = isIP(a)
  if (family === 4) {
    const b = parseIPv4(a)
    if (!b) throw new TypeError(`not an IP address: ${address}`)
    const hit = V4_CIDRS.find((c) => inCidr(b, c))
    return { address: a, family: 4, range: hit?.range ?? 'public' }
  }
  if (family === 6) {
    const b = parseIPv6(a)
    if (!b) throw new TypeError(`not an IP address: ${address}`)
    const embedded = embeddedIPv4(b)
    if (embedded) {
      const inner = classifyAddress(embedded)
      return { address: a, family: 6, range: inner.range, embeddedIPv4: embedded }
    }
    const hit = V6_CIDRS.find((c) => inCidr(b, c))
    return { address: a, family: 6, range: hit?.range ?? 'public' }
  }
  throw new TypeError(`not an IP address: ${address}`)
}

// Prefixes through which an IPv6 connection ends at an IPv4 host chosen by the address bits.
function embeddedIPv4(b: Uint8Array): string | undefined {
  const zeros = (from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4String(b.subarray(12)) // ::ffff:0:0/96
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4String(b.subarray(12)) // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return v4String(b.subarray(2, 6)) // 2002::/16 (6to4)
  return undefined
}

export const isPublicAddress = (address: string): boolean => classifyAddress(address).range === 'public'
