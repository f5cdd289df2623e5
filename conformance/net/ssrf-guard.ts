// SSRF guard. It runs inside the socket's DNS lookup (undici Agent `connect.lookup`), AFTER
// resolution, and hands the socket only the addresses it has just checked, so a provider's DNS
// cannot answer "public" to a pre-check and "169.254.169.254" to the connect (DNS rebinding).
// IP-literal URLs never reach a lookup (net.connect skips it), so `assertUrlAllowed` checks them.
import { promises as dnsPromises } from 'node:dns'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { classifyAddress, normaliseAddress } from './ip-ranges.js'
import type { AddressClass } from './ip-ranges.js'

/** `deny`: the gateway refuses non-public targets. `local`: the CLI on a provider's staging allows them, with a warning. */
export type SsrfMode = 'local' | 'deny'

export interface ResolvedAddress { address: string; family: number }
export type Resolver = (host: string) => Promise<ResolvedAddress[]>

export const systemResolver: Resolver = async (host) =>
  (await dnsPromises.lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family }))

export interface GuardDecision {
  host: string
  mode: SsrfMode
  /** Every address checked; in `local` mode non-public ones are allowed. */
  addresses: AddressClass[]
  nonPublic: AddressClass[]
}

/** Refuse URLs that cannot be probed safely: non-http(s) schemes and embedded credentials. */
export function assertUrlAllowed(input: string | URL): URL {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    throw sgError('SG_ERR_NET_BAD_URL', `not an absolute URL: ${String(input).slice(0, 200)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw sgError('SG_ERR_NET_BAD_URL', `scheme ${url.protocol} is not allowed`, { url: url.origin })
  }
  if (url.username || url.password) {
    // Never echo the URL: it carries the credentials.
    throw sgError('SG_ERR_NET_BAD_URL', 'credentials in the URL are not allowed', { host: url.host })
  }
  return url
}

/** Apply the policy to a resolved address set; throws SG_ERR_NET_SSRF_BLOCKED in `deny` mode. */
export function checkAddresses(host: string, resolved: ResolvedAddress[], mode: SsrfMode): GuardDecision {
  if (resolved.length === 0) throw sgError('SG_ERR_NET_DNS', `${host} has no addresses`, { host })
  let addresses: AddressClass[]
  try {
    addresses = resolved.map((r) => classifyAddress(r.address))
  } catch (err) {
    throw sgError('SG_ERR_NET_DNS', `${host}: the resolver returned something that is not an IP address`, { host }, err)
  }
  const nonPublic = addresses.filter((a) => a.range !== 'public')
  // One bad answer blocks the host: otherwise a resolver could mix a public decoy with an internal target.
  if (mode === 'deny' && nonPublic.length > 0) {
    const first = nonPublic[0]!
    throw sgError('SG_ERR_NET_SSRF_BLOCKED', `${host} resolves to ${first.address} (${first.range})`, {
      host,
      address: first.address,
      range: first.range,
    })
  }
  return { host, mode, addresses, nonPublic }
}

/** The IP-literal case: a host that is itself an address is checked without a resolver. */
export function checkLiteralHost(hostname: string, mode: SsrfMode): GuardDecision | undefined {
  const bare = normaliseAddress(hostname)
  const family = isIP(bare)
  if (family === 0) return undefined
  return checkAddresses(bare, [{ address: bare, family }], mode)
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

export interface GuardedLookupOptions {
  mode: SsrfMode
  resolver: Resolver
  /** Upper bound on one resolution; a resolver that never answers must not pin a connection slot. */
  timeoutMs: number
  onDecision?: (d: GuardDecision) => void
}

/** A `lookup` for net/tls.connect that resolves once, checks, and returns exactly the checked addresses. */
export function createGuardedLookup(o: GuardedLookupOptions) {
  return function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    const host = normaliseAddress(hostname)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(sgError('SG_ERR_NET_DNS', `resolving ${host} took longer than ${o.timeoutMs} ms`, { host })), o.timeoutMs)
    })
    const resolveAndCheck = async (): Promise<GuardDecision> => {
      let resolved: ResolvedAddress[]
      try {
        resolved = await Promise.race([o.resolver(host), timeout])
      } catch (err) {
        if (isSkillgateError(err)) throw err
        const code = (err as NodeJS.ErrnoException | undefined)?.code
        throw sgError('SG_ERR_NET_DNS', `${host}: ${code ?? String(err)}`, { host, dnsCode: code }, err)
      }
      const wanted = options.family === 4 || options.family === 6 ? resolved.filter((r) => r.family === options.family) : resolved
      return checkAddresses(host, wanted, o.mode)
    }
    resolveAndCheck().then(
      (decision) => {
        clearTimeout(timer)
        o.onDecision?.(decision)
        const pinned = decision.addresses.map((a) => ({ address: a.address, family: a.family }))
        if (options.all) callback(null, pinned)
        else callback(null, pinned[0]!.address, pinned[0]!.family)
      },
      (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        callback(err, '')
      },
    )
  }
}
