// R20-3: a platform whose servers are outside mainland China ("国（境）外": Hong Kong, Macao and
// Taiwan included) is forced out, so every host it serves from is located: the API host, every
// media host seen while fetching previews (CDN redirects included), and the hosts service-info
// declares. Lookups are offline (the MMDB named in the report). Two resolvers are kept apart on
// purpose: the probe clients' resolver decides where sockets connect, the geolocation resolver
// says where a name lives for the public. In production both are real DNS; in tests the first
// maps fixture names to 127.0.0.1 and the second to public addresses nothing ever connects to.
import { isIP } from 'node:net'
import { locateHosts, type HostLocation, type LocateResult } from '../geo/locate.js'
import type { Resolver, SsrfMode } from '../net/ssrf-guard.js'
import type { ProbeContext } from '../probe-context.js'
import { defineCheck, fail, note, pass, warn, type CheckDefinition, type CheckOutcome, type Evidence } from './framework.js'
import { mapLimit } from './map-limit.js'

export interface LocationCheckOptions {
  /** Resolver for geolocation; default `ctx.geoResolver` when the run has one, else DNS A/AAAA records. */
  geoResolver?: Resolver
}

export interface HostsToLocate {
  /** role → host names (lower case, no port). */
  api: string[]
  media: string[]
  declared: string[]
}

const normalise = (h: string): string => h.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1')
const uniq = (xs: Iterable<string>): string[] => [...new Set([...xs].map(normalise))].sort()

/** Seen hosts (API and media) that service-info does not declare. IP literals count too. */
export function undeclaredHosts(hosts: HostsToLocate): string[] {
  const declared = new Set(hosts.declared.map(normalise))
  return uniq([...hosts.api, ...hosts.media]).filter((h) => !declared.has(h))
}

/**
 * The R20-3 verdict from located hosts. Outside → fail. Unverifiable (private address, not in the
 * database, does not resolve) → warning in local mode, where provider engineers run staging
 * platforms on private networks, and a failure in deny (gateway) mode, where nothing unlocated may
 * pass. A host missing from declaredHosts fails in both modes.
 */
export function judgeLocations(located: LocateResult, hosts: HostsToLocate, mode: SsrfMode): CheckOutcome {
  const outside = located.hosts.filter((h) => h.verdict === 'outside')
  const unverifiable = located.hosts.filter((h) => h.verdict === 'unverifiable')
  const undeclared = undeclaredHosts(hosts)
  const db = located.database
  const roleOf = (host: string): string[] => [
    ...(hosts.api.map(normalise).includes(host) ? ['api'] : []),
    ...(hosts.media.map(normalise).includes(host) ? ['media'] : []),
    ...(hosts.declared.map(normalise).includes(host) ? ['declared'] : []),
  ]
  const describe = (h: HostLocation): Record<string, unknown> => ({
    host: h.host,
    roles: roleOf(h.host),
    verdict: h.verdict,
    addresses: h.addresses.map((a) => ({ address: a.address, country: a.country, verdict: a.verdict, ...(a.reason ? { reason: a.reason } : {}) })),
    ...(h.reason ? { reason: h.reason } : {}),
  })
  const measured = {
    geoDatabase: { package: db.package, file: db.file, buildDate: db.buildEpoch, type: db.databaseType },
    hosts: located.hosts.map(describe),
    outside: outside.length,
    unverifiable: unverifiable.length,
    undeclared,
    mode,
  }
  const dbText = `${db.package} ${db.file}, built ${db.buildEpoch}`
  const evidence: Evidence[] = [note(`geolocation database: ${dbText}`, measured.geoDatabase)]
  for (const h of located.hosts) {
    const where = h.addresses.map((a) => `${a.address} ${a.country ?? '?'}`).join(', ') || h.reason || 'no address'
    evidence.push(note(`${h.host} [${roleOf(h.host).join(', ')}]: ${h.verdict} (${where})`, describe(h)))
  }
  if (undeclared.length > 0) evidence.push(note(`served from but not declared in service-info declaredHosts: ${undeclared.join(', ')}`, { undeclared, declared: hosts.declared }))

  const problems: string[] = []
  const problemsZh: string[] = []
  let errorCode: string | undefined
  const place = (h: HostLocation): string => h.addresses.filter((a) => a.verdict !== 'mainland').map((a) => `${a.address} → ${a.country ?? a.reason ?? '?'}`).join(', ') || (h.reason ?? '')
  if (outside.length > 0) {
    errorCode = 'SG_ERR_LOCATION_OUTSIDE_MAINLAND'
    problems.push(`outside mainland China: ${outside.map((h) => `${h.host} (${place(h)})`).join('; ')}`)
    problemsZh.push(`位于中国大陆以外：${outside.map((h) => `${h.host}（${place(h)}）`).join('；')}`)
  }
  if (undeclared.length > 0) {
    errorCode ??= 'SG_ERR_LOCATION_UNDECLARED_HOST'
    problems.push(`not declared in service-info: ${undeclared.join(', ')}`)
    problemsZh.push(`未在 service-info 中声明：${undeclared.join('、')}`)
  }
  if (unverifiable.length > 0 && mode === 'deny') {
    errorCode ??= 'SG_ERR_LOCATION_UNVERIFIABLE'
    problems.push(`cannot be located: ${unverifiable.map((h) => `${h.host} (${place(h)})`).join('; ')}`)
    problemsZh.push(`无法定位：${unverifiable.map((h) => `${h.host}（${place(h)}）`).join('；')}`)
  }
  if (located.hosts.length === 0) {
    errorCode ??= 'SG_ERR_LOCATION_UNVERIFIABLE'
    problems.push('no host to locate')
    problemsZh.push('没有可定位的主机')
  }
  if (problems.length > 0) {
    return fail({ 'zh-CN': `服务器所在地不合规（${dbText}）：${problemsZh.join('；')}`, en: `Server location fails (${dbText}): ${problems.join('; ')}` }, { evidence, measured, errorCode })
  }
  if (unverifiable.length > 0) {
    const list = unverifiable.map((h) => `${h.host} (${place(h)})`).join('; ')
    return warn({
      'zh-CN': `以下主机无法定位（本地模式仅提示，网关检测将判为不通过）：${list}`,
      en: `These hosts cannot be located (a warning in local mode; the gateway fails them): ${list}`,
    }, { evidence, measured, errorCode: 'SG_ERR_LOCATION_UNVERIFIABLE' })
  }
  return pass({ 'zh-CN': `${located.hosts.length} 个主机仅解析到中国大陆地址（${dbText}）`, en: `${located.hosts.length} host(s) resolve only to mainland China addresses (${dbText})` }, { evidence, measured })
}

/** The API host, the media hosts seen in sampled previews, and the declared hosts. */
export async function collectHosts(ctx: ProbeContext, signal?: AbortSignal): Promise<HostsToLocate> {
  const sample = await ctx.sample().catch(() => undefined)
  // Fetching the preview documents notes their media hosts; the preview check shares these fetches.
  if (sample) await mapLimit(sample.courses, ctx.settings.concurrency, (c) => ctx.preview(c.courseId).then(() => ctx.donePreview(c.courseId), () => undefined), signal)
  const info = await ctx.serviceInfo().catch(() => undefined)
  const declaredList = Array.isArray(info?.doc?.declaredHosts) ? info.doc.declaredHosts : []
  const declared = declaredList.flatMap((d) => (d && typeof d.host === 'string' ? [d.host] : []))
  const seen = ctx.hostsSeen()
  return { api: uniq([new URL(ctx.baseUrl).hostname, ...seen.api]), media: uniq(seen.media), declared: uniq(declared) }
}

export function createLocationChecks(o: LocationCheckOptions = {}): CheckDefinition<ProbeContext>[] {
  return [defineCheck<ProbeContext>({
    id: 'location.hosts',
    requirementIds: ['R20-3'],
    severity: 'must',
    kinds: ['on-demand', 'self-hosted'],
    subject: 'platform',
    title: { 'zh-CN': 'API 与媒体/CDN 服务器均位于中国大陆境内，且均已在 service-info 中声明', en: 'API and media/CDN servers are all in mainland China and declared in service-info' },
    does: { 'zh-CN': '定位 API 主机、抽样试看中出现的媒体与 CDN 主机以及 service-info 声明的主机（离线 IP 库），要求全部位于中国大陆且每个访问到的主机都已声明（第二十条（三））。', en: 'Locates the API host, the media and CDN hosts seen in sampled previews and the declared hosts (offline IP database) and requires all in mainland China and every host reached to be declared (R20-3).' },
    failureMeans: { 'zh-CN': '有服务器位于中国大陆以外或未声明：属于强制退出情形（第二十条（三））。', en: 'A server is outside mainland China or undeclared: a ground for forced exit (R20-3).' },
    async run(ctx, rt) {
      const hosts = await collectHosts(ctx, rt.signal)
      const all = uniq([...hosts.api, ...hosts.media, ...hosts.declared])
      const geoResolver = o.geoResolver ?? ctx.geoResolver
      const located = await locateHosts(all, geoResolver ? { resolver: geoResolver } : {})
      const outcome = judgeLocations(located, hosts, ctx.ssrfMode)
      if (outcome.status === 'warn') rt.warn(`unverifiable server location for ${located.hosts.filter((h) => h.verdict === 'unverifiable').map((h) => h.host).join(', ')}`)
      if (all.some((h) => isIP(h) !== 0)) outcome.evidence.push(note('some hosts are IP literals: they were located as given, without DNS'))
      return outcome
    },
  })]
}

export const locationChecks: CheckDefinition<ProbeContext>[] = createLocationChecks()
