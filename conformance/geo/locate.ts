// Server location, offline (R20-3: a platform whose servers move outside mainland China is forced
// out; "国（境）外" includes Hong Kong, Macao and Taiwan). Every A and AAAA record of every host a
// provider serves from is looked up in the CC0 geo-whois-asn-country MMDB shipped on npm, so the
// verdict is reproducible from the package version and needs no network beyond DNS.
import { readdirSync } from 'node:fs'
import { Resolver as DnsResolver } from 'node:dns/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { isIP } from 'node:net'
import maxmind from 'maxmind'
import type { Reader, Response } from 'maxmind'
import { sgError } from '../../specs/lib/errors.js'
import { classifyAddress, normaliseAddress, unmapIPv4 } from '../net/ip-ranges.js'
import type { Resolver } from '../net/ssrf-guard.js'

export type LocationVerdict = 'mainland' | 'outside' | 'unverifiable'

export interface AddressLocation {
  address: string
  family: 4 | 6
  /** ISO 3166-1 alpha-2 from the database; null when the address is not in it. */
  country: string | null
  verdict: LocationVerdict
  reason?: string
}

export interface HostLocation {
  host: string
  /** outside if any address is outside; unverifiable if any cannot be placed (or none resolve); else mainland. */
  verdict: LocationVerdict
  /** R20-3: true only when every address is in mainland China. */
  pass: boolean
  addresses: AddressLocation[]
  reason?: string
}

export interface GeoDatabaseInfo {
  package: string
  file: string
  path: string
  buildEpoch: string
  databaseType: string
}

export interface LocateResult {
  database: GeoDatabaseInfo
  hosts: HostLocation[]
  /** Every host passes. An empty host list does not pass: nothing was verified. */
  pass: boolean
}

const DB_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb'
// The combined IPv4+IPv6 file; the per-family files are the fallback.
const DB_FILES = ['geo-whois-asn-country.mmdb', 'geo-whois-asn-country-ipv4.mmdb']

/** Mainland China only: the database already gives HK, MO and TW their own codes. */
const MAINLAND = 'CN'

interface GeoDatabase { reader: Reader<Response>; info: GeoDatabaseInfo }
let opened: Promise<GeoDatabase> | undefined

function findDatabaseFile(): string {
  let dir: string
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${DB_PACKAGE}/package.json`))
  } catch (err) {
    throw sgError('SG_ERR_GEO_DB', `package ${DB_PACKAGE} is not installed`, { package: DB_PACKAGE }, err)
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.mmdb'))
  const file = DB_FILES.find((f) => files.includes(f)) ?? files[0]
  if (!file) throw sgError('SG_ERR_GEO_DB', `no .mmdb file in ${dir}`, { package: DB_PACKAGE })
  return join(dir, file)
}

/** Open (once per process) the country MMDB and describe it for reports. */
export function openGeoDatabase(): Promise<GeoDatabase> {
  opened ??= (async () => {
    const path = findDatabaseFile()
    let reader: Reader<Response>
    try {
      reader = await maxmind.open<Response>(path)
    } catch (err) {
      throw sgError('SG_ERR_GEO_DB', `${path} cannot be read`, { path }, err)
    }
    const info: GeoDatabaseInfo = {
      package: DB_PACKAGE,
      file: path.split(/[\\/]/).pop() ?? path,
      path,
      buildEpoch: reader.metadata.buildEpoch.toISOString(),
      databaseType: reader.metadata.databaseType,
    }
    return { reader, info }
  })()
  opened.catch(() => {
    opened = undefined
  })
  return opened
}

/** Locate one IP address: non-public addresses are unverifiable, never mainland (R20-3). */
export function locateAddress(reader: Reader<Response>, address: string): AddressLocation {
  const bare = normaliseAddress(address)
  const family = isIP(bare) === 6 ? 6 : 4
  if (isIP(bare) === 0) return { address: bare, family, country: null, verdict: 'unverifiable', reason: 'not an IP address' }
  const cls = classifyAddress(bare)
  if (cls.range !== 'public') {
    return { address: bare, family, country: null, verdict: 'unverifiable', reason: `${cls.range} address has no location` }
  }
  // The database keys IPv4 space on plain IPv4; a mapped form would miss.
  const record = reader.get(unmapIPv4(bare)) as { country_code?: string } | null
  const country = record?.country_code ?? null
  if (!country) return { address: bare, family, country: null, verdict: 'unverifiable', reason: 'address not in the database' }
  return { address: bare, family, country, verdict: country === MAINLAND ? 'mainland' : 'outside' }
}

/** All A and AAAA records, straight from DNS (not /etc/hosts): what the public sees. */
export function createDnsRecordResolver(o: { timeoutMs?: number; servers?: string[] } = {}): Resolver {
  const dns = new DnsResolver({ timeout: o.timeoutMs ?? 5_000, tries: 2 })
  if (o.servers) dns.setServers(o.servers)
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([dns.resolve4(host), dns.resolve6(host)])
    const out = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ]
    if (out.length === 0) {
      // A name with no records of either family: report the more telling failure.
      const failure = [v4, v6].find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as { code?: string }).code !== 'ENODATA')
      throw failure?.reason ?? Object.assign(new Error(`${host} has no A or AAAA records`), { code: 'ENODATA' })
    }
    return out
  }
}

function hostVerdict(addresses: AddressLocation[]): LocationVerdict {
  if (addresses.length === 0) return 'unverifiable'
  if (addresses.some((a) => a.verdict === 'outside')) return 'outside'
  if (addresses.some((a) => a.verdict === 'unverifiable')) return 'unverifiable'
  return 'mainland'
}

/**
 * R20-3: resolve every host and locate every address. A host passes only if all its addresses
 * are in mainland China; an unresolvable host is unverifiable, with the DNS error as the reason.
 */
export async function locateHosts(hosts: string[], o: { resolver?: Resolver } = {}): Promise<LocateResult> {
  const { reader, info } = await openGeoDatabase()
  const resolver = o.resolver ?? createDnsRecordResolver()
  const unique = [...new Set(hosts.map((h) => normaliseAddress(h.trim().toLowerCase()).replace(/\.$/, '')))]
  const located = await Promise.all(unique.map(async (host): Promise<HostLocation> => {
    let resolved: Array<{ address: string }>
    if (isIP(host)) {
      resolved = [{ address: host }]
    } else {
      try {
        resolved = await resolver(host)
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).message
        return { host, verdict: 'unverifiable', pass: false, addresses: [], reason: `does not resolve (${code})` }
      }
    }
    const seen = new Set<string>()
    const addresses = resolved.filter((r) => !seen.has(r.address) && seen.add(r.address)).map((r) => locateAddress(reader, r.address))
    const verdict = hostVerdict(addresses)
    const loc: HostLocation = { host, verdict, pass: verdict === 'mainland', addresses }
    if (addresses.length === 0) loc.reason = 'no addresses'
    return loc
  }))
  return { database: info, hosts: located, pass: located.length > 0 && located.every((h) => h.pass) }
}
