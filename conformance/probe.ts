// `runProbe`: checks one provider platform over the wire and returns the conformance report. The
// CLI (`skillgate probe`, SSRF mode 'local') and the gateway (mode 'deny') both call it. It builds
// one ProbeContext (signed + anonymous probe clients, shared lazily computed results) and hands it
// to the check framework; the catalogue is streamed, never held, so memory stays bounded by the
// page size and the sample, not by the number of courses.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Preview, ServiceInfo } from '../specs/types.gen.js'
import { sgError } from '../specs/lib/errors.js'
import { schemas } from '../specs/lib/schemas.js'
import { isValidCategory } from '../specs/lib/categories.js'
import { platformChecks } from './checks/catalogue.js'
import { freeOpening } from './checks/catalogue-rules.js'
import { runChecks, selectChecks, type CheckCatalogue, type ProgressEvent, type Report } from './checks/framework.js'
import { createProbeClient, type ProbeClient, type ProbeRequest, type ProbeResponse, type ProbeWarning } from './net/probe-client.js'
import { Semaphore } from './net/semaphore.js'
import type { Resolver } from './net/ssrf-guard.js'
import type { CourseSample, FetchedDocument, PlatformKind, ProbeContext, ProbeSettings, SandboxTenants } from './probe-context.js'
import { lastReader } from './last-reader.js'
import { makeSigner } from './signing/index.js'
import { walkCatalogue } from './walk/catalogue-walk.js'
import { newestEntryTime, type PrefetchOptions } from './walk/sample-prefetch.js'
import { DEFAULT_SAMPLE_SIZE, samplingStatement } from './walk/sampling.js'
import { MEDIA_METHODS, type MediaMethod } from './media/measure-index.js'
import { DEFAULT_REQUIRES, platformPreconditions } from './probe-preconditions.js'
import { declaredPageCap, runDeadline, type DeadlineTimer } from './run-bounds.js'

export interface RunProbeOptions {
  baseUrl: string
  kind: PlatformKind
  keyId?: string
  secret?: string
  /** 'local' (CLI: private targets allowed with a warning) or 'deny' (gateway: refused). */
  mode: 'local' | 'deny'
  /** Requests in flight at once; default 8. */
  concurrency?: number
  /** Courses sampled for media, detail and free-opening checks; default: every course (allMedia). */
  sample?: number
  /** Every course (the default unless `sample` is given). */
  allMedia?: boolean
  /** 'index' (default) or 'ffprobe' (today's path: full download, every packet read). */
  mediaMethod?: MediaMethod
  /** Previews also measured by the ffprobe referee (index path); default 3. */
  referee?: number
  /** Preview media requests in flight at once on the index path; default 32. */
  mediaConcurrency?: number
  only?: readonly string[]
  skip?: readonly string[]
  resolver?: Resolver
  /** Geolocation resolver for the location checks (R20-3); default real DNS records. */
  geoResolver?: Resolver
  tenants?: SandboxTenants
  /** Sandbox learner whose token opens free lessons behind a learner login (R5.1-4); scrubbed like every secret. */
  learner?: { token: string }
  /** Deadline of one HTTP exchange; default 15 s. */
  deadlineMs?: number
  onProgress?: (event: ProgressEvent) => void
  /** Per-check budget (framework default 10 min). */
  checkTimeoutMs?: number
  /** Seed of the course sample; default "skillgate". */
  sampleSeed?: string
  /** Hard page cap of each catalogue walk; default 10,000 pages (a declared courseCount lowers it). */
  maxPages?: number
  /** Overall deadline in seconds; default from the declared courseCount (conformance/run-bounds.ts). */
  runDeadlineSeconds?: number
  /** The deadline's timer (tests inject one that fires when they say, never in real time). */
  deadlineTimer?: DeadlineTimer
  /** Called after every HTTP exchange (bench, verbose output). */
  onRequest?: (info: RequestInfo) => void
  /** Replace the check catalogue (tests of the runner itself). */
  catalogue?: CheckCatalogue<ProbeContext>
  now?: () => Date
}

/** One HTTP exchange as the bench replays it: signed by the run's key or sent with the caller's headers. */
export interface RequestInfo {
  method: string
  url: string
  status: number | undefined
  /** Signed with the run's key (a fresh signature per attempt). */
  signed: boolean
  /** Headers the check set itself (a byte range, crafted signature headers), before signing. */
  headers: Record<string, string>
}

const MAX_PAGE_LIMIT = 200
/** Walk chains that run at once (main and cross-check; the incremental walk follows the main one): the prefetch leaves them their slots. */
const WALK_CHAINS = 2
/** R5.1-3 */
const MIN_PREVIEW_SECONDS = 600
const CROSS_CHECK_LIMIT = 50

/** Previews refereed by ffprobe per run by default: a few, whatever the catalogue's size. */
export const DEFAULT_REFEREE = 3
/**
 * Media requests in flight on the index path. Measured locally with 20 ms of latency: 1,000
 * realistic previews (10 % HLS; a quarter as many previews in flight, 8 segments per HLS preview)
 * took 78 s at 8 requests and 25 s at 32, peak RSS 185 MiB; every request is small.
 */
export const DEFAULT_MEDIA_CONCURRENCY = 32

export function probeSettings(o: Pick<RunProbeOptions, 'sample' | 'allMedia' | 'concurrency' | 'deadlineMs' | 'sampleSeed' | 'maxPages' | 'mediaMethod' | 'referee' | 'mediaConcurrency'>): ProbeSettings {
  const concurrency = o.concurrency ?? 8
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw sgError('SG_ERR_USAGE', `--concurrency must be an integer 1–256, got ${String(o.concurrency)}`)
  const sampleSize = o.sample ?? DEFAULT_SAMPLE_SIZE
  if (!Number.isInteger(sampleSize) || sampleSize < 1) throw sgError('SG_ERR_USAGE', `--sample must be a positive integer, got ${String(o.sample)}`)
  const deadlineMs = o.deadlineMs ?? 15_000
  if (!(deadlineMs > 0)) throw sgError('SG_ERR_USAGE', `the deadline must be positive, got ${String(o.deadlineMs)}`)
  const mediaMethod = o.mediaMethod ?? 'index'
  if (!MEDIA_METHODS.includes(mediaMethod)) throw sgError('SG_ERR_USAGE', `--media-method must be ${MEDIA_METHODS.join(' or ')}, got ${String(o.mediaMethod)}`)
  const referee = o.referee ?? DEFAULT_REFEREE
  if (!Number.isInteger(referee) || referee < 0) throw sgError('SG_ERR_USAGE', `--referee must be an integer ≥ 0, got ${String(o.referee)}`)
  const mediaConcurrency = o.mediaConcurrency ?? DEFAULT_MEDIA_CONCURRENCY
  if (!Number.isInteger(mediaConcurrency) || mediaConcurrency < 1 || mediaConcurrency > 256) throw sgError('SG_ERR_USAGE', `the media concurrency must be an integer 1–256, got ${String(o.mediaConcurrency)}`)
  return {
    sampleSize,
    mediaConcurrency,
    // R5.1-3 binds every course: every preview is measured unless a sample size is asked for.
    allMedia: o.allMedia ?? o.sample === undefined,
    mediaMethod,
    referee,
    sampleSeed: o.sampleSeed ?? 'skillgate',
    concurrency,
    deadlineMs,
    pageLimit: MAX_PAGE_LIMIT,
    crossCheckLimit: CROSS_CHECK_LIMIT,
    crossCheckEntries: 2_000,
    incrementalEntries: 2 * MAX_PAGE_LIMIT,
    maxPages: o.maxPages ?? 10_000,
  }
}

function normaliseBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw sgError('SG_ERR_USAGE', `BASE_URL "${raw}" is not an absolute http(s) URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw sgError('SG_ERR_USAGE', `BASE_URL must be http:// or https://, got ${url.protocol}`)
  if (url.search || url.hash) throw sgError('SG_ERR_USAGE', 'BASE_URL must not carry a query or fragment')
  return url.toString().replace(/\/+$/, '')
}

/** Wrap a client so every exchange is reported (bench, verbose). */
function observed(client: ProbeClient, signs: boolean, onRequest: RunProbeOptions['onRequest']): ProbeClient {
  if (!onRequest) return client
  return {
    async request(r: ProbeRequest): Promise<ProbeResponse> {
      let status: number | undefined
      try {
        const res = await client.request(r)
        status = res.status
        return res
      } finally {
        onRequest({ method: r.method ?? 'GET', url: String(r.url), status, signed: signs && r.sign !== false, headers: { ...r.headers } })
      }
    },
    download: (url, dest, o) => client.download(url, dest, o).finally(() => onRequest({ method: 'GET', url: String(url), status: undefined, signed: signs && o.sign !== false, headers: { ...o.headers } })),
    get inFlight() {
      return client.inFlight
    },
    close: () => client.close(),
  }
}

export async function runProbe(opts: RunProbeOptions): Promise<Report> {
  if (opts.kind !== 'on-demand' && opts.kind !== 'self-hosted') throw sgError('SG_ERR_USAGE', `--kind must be on-demand or self-hosted, got ${String(opts.kind)}`)
  if (opts.mode !== 'local' && opts.mode !== 'deny') throw sgError('SG_ERR_USAGE', `mode must be local or deny, got ${String(opts.mode)}`)
  if ((opts.keyId === undefined) !== (opts.secret === undefined)) throw sgError('SG_ERR_USAGE', 'give both a key id and its secret, or neither')
  const baseUrl = normaliseBaseUrl(opts.baseUrl)
  const settings = probeSettings(opts)
  if (opts.runDeadlineSeconds !== undefined && !(Number.isInteger(opts.runDeadlineSeconds) && opts.runDeadlineSeconds > 0)) throw sgError('SG_ERR_USAGE', `--deadline must be a positive number of seconds, got ${String(opts.runDeadlineSeconds)}`)
  const clients = probeClients(opts, settings)
  const catalogue = opts.catalogue ?? platformChecks
  const deadline = runDeadline({ ...(opts.runDeadlineSeconds !== undefined ? { explicitSeconds: opts.runDeadlineSeconds } : {}), ...(opts.deadlineTimer ? { timer: opts.deadlineTimer } : {}) })
  const run = probeRun(opts, baseUrl, settings, clients, catalogue)
  // service-info goes out first: its courseCount sets the default deadline and the walks' page cap.
  run.ctx.serviceInfo().then(() => deadline.declare(run.declaredCourses()), () => {})
  try {
    const report = await runChecks(catalogue, run.ctx, {
      preconditions: platformPreconditions(() => run.ctx),
      defaultRequires: DEFAULT_REQUIRES,
      deadline: deadline.signal,
      concurrency: Math.min(settings.concurrency, 8),
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      ...(opts.checkTimeoutMs !== undefined ? { checkTimeoutMs: opts.checkTimeoutMs } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    })
    const asked = report.sampling || deadline.signal.aborted ? undefined : run.askedSample()
    if (asked) {
      const sample = await asked.catch(() => undefined)
      if (sample) report.sampling = { ...sample.statement }
    }
    if (clients.warnings.size > 0) report.warnings = [...(report.warnings ?? []), ...clients.warnings.values()]
    return report
  } finally {
    deadline.stop()
    await Promise.allSettled([clients.client.close(), clients.anonymous.close(), clients.media.close()])
    await run.removeScratch()
  }
}

interface ProbeClients {
  /** Signed with the run's key when it has one. */
  client: ProbeClient
  anonymous: ProbeClient
  /** Unsigned, for preview media (learners fetch it without credentials), with its own concurrency. */
  media: ProbeClient
  credentials: { keyId: string; secret: string } | undefined
  /** Run-level warnings from either client (non-public address, cross-origin redirect), each once. */
  warnings: Map<string, string>
}

/** The signed and the anonymous client: the same SSRF mode, deadline, concurrency and secrets to scrub. */
function probeClients(opts: RunProbeOptions, settings: ProbeSettings): ProbeClients {
  const secrets = [opts.secret, opts.tenants?.A?.token, opts.tenants?.B?.token, opts.learner?.token].filter((s): s is string => typeof s === 'string' && s.length > 0)
  const warnings = new Map<string, string>()
  const onWarning = (w: ProbeWarning): void => {
    if (w.code === 'SSRF_NON_PUBLIC_ALLOWED' || w.code === 'CROSS_ORIGIN_REDIRECT') warnings.set(`${w.code}|${w.message}`, `${w.code}: ${w.message}`)
  }
  const common = {
    mode: opts.mode,
    ...(opts.resolver ? { resolver: opts.resolver } : {}),
    deadlineMs: settings.deadlineMs,
    concurrency: settings.concurrency,
    secrets,
    onWarning,
  }
  const credentials = opts.keyId !== undefined && opts.secret !== undefined ? { keyId: opts.keyId, secret: opts.secret } : undefined
  const client = observed(createProbeClient({ ...common, ...(credentials ? { signer: makeSigner(credentials) } : {}) }), credentials !== undefined, opts.onRequest)
  const anonymous = observed(createProbeClient(common), false, opts.onRequest)
  const media = observed(createProbeClient({ ...common, concurrency: settings.mediaConcurrency }), false, opts.onRequest)
  return { client, anonymous, media, credentials, warnings }
}

interface ProbeRun {
  ctx: ProbeContext
  /** The course sample, when a check asked for it. */
  askedSample(): Promise<CourseSample> | undefined
  /** Remove the scratch directory, if a check made one. */
  removeScratch(): Promise<void>
  /** The courseCount service-info declared (undefined until read, or when not declared). */
  declaredCourses(): number | undefined
}

/**
 * The context every check of one run shares: results computed once however many checks ask
 * (`once`), the hosts seen, and the catalogue walks, which are streamed, never held.
 */
function probeRun(opts: RunProbeOptions, baseUrl: string, settings: ProbeSettings, clients: ProbeClients, catalogue: CheckCatalogue<ProbeContext>): ProbeRun {
  const { client, anonymous, media, credentials } = clients
  const memo = new Map<string, Promise<unknown>>()
  const once = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined
    if (!p) {
      p = compute()
      // A shared failure is reported by each check that asked; never as an unhandled rejection.
      p.catch(() => {})
      memo.set(key, p)
    }
    return p
  }
  const hosts = { api: new Set<string>(), media: new Set<string>() }
  const noteHost = (url: string, role: 'api' | 'media'): void => {
    try {
      hosts[role].add(new URL(url).hostname)
    } catch { /* not a URL: the contract checks report it */ }
  }
  noteHost(baseUrl, 'api')
  let scratch: Promise<string> | undefined
  let declaredCourses: number | undefined
  // The page cap a declared course count allows at this page size (spec 1.1; run-bounds.ts).
  const declaredCap = (limit: number) => (): number | undefined => (declaredCourses === undefined ? undefined : declaredPageCap(declaredCourses, limit))

  const url = (path: string, query?: Record<string, string | number | undefined>): string => {
    const u = new URL(`${baseUrl}${path.startsWith('/') ? path : `/${path}`}`)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }
  const fetchDocument = async <T>(target: string, schema: string): Promise<FetchedDocument<T>> => {
    const response = await client.request({ url: target })
    const ok = response.status >= 200 && response.status < 300
    const doc = ok ? (response.json as T | undefined) : undefined
    const schemaErrors = !ok ? [] : response.jsonError ? [{ path: '/', expected: 'a JSON document', found: response.jsonError, keyword: 'parse' }] : schemas().validate(schema, response.json).errors
    return { response, doc, schemaErrors }
  }

  // Sampled-course fetches start during the walk for courses that will very likely stay sampled
  // (walk/sample-prefetch.ts, likelySampled), so they overlap the walk instead of following it. Only
  // what a selected check will ask for is fetched, in slots the walk chains do not need.
  const subject = { type: 'platform', kind: opts.kind, baseUrl } as const
  const chosen = chosenChecks(catalogue, subject, opts)
  const prefetch = chosen && samplePrefetch(() => ctx, settings, chosen)
  // A sampled course's preview document is kept until every selected check that reads the sample's
  // previews has said it is done with it (donePreview): with every course measured, 10,000 kept
  // documents were ~40 MB of the probe's peak (issue #14).
  const donePreview = lastReader(chosen ? PREVIEW_READERS.filter((id) => chosen.has(id)).length : 0, (courseId) => memo.delete(`preview:${courseId}`))
  const ctx: ProbeContext = {
    subject,
    mode: opts.mode === 'deny' ? 'gateway' : 'local',
    kind: opts.kind,
    baseUrl,
    ssrfMode: opts.mode,
    settings,
    client,
    anonymous,
    media,
    ...(credentials ? { credentials } : {}),
    tenants: opts.tenants ?? {},
    ...(opts.learner ? { learner: opts.learner } : {}),
    ...(opts.resolver ? { resolver: opts.resolver } : {}),
    ...(opts.geoResolver ? { geoResolver: opts.geoResolver } : {}),
    url,
    once,
    serviceInfo: () => once('service-info', async () => {
      const d = await fetchDocument<ServiceInfo>(url('/v1/service-info'), 'service-info')
      const count = (d.doc as { courseCount?: unknown } | undefined)?.courseCount
      if (Number.isInteger(count) && (count as number) >= 0) declaredCourses = count as number
      return d
    }),
    walk: () => once('walk', () => walkCatalogue((cursor) => client.request({ url: url('/v1/courses', { limit: settings.pageLimit, cursor }) }), {
      limit: settings.pageLimit,
      maxPages: settings.maxPages,
      declaredCap: declaredCap(settings.pageLimit),
      recordPrefix: settings.crossCheckEntries * 2 + settings.pageLimit,
      sample: { size: settings.allMedia ? Infinity : settings.sampleSize, seed: settings.sampleSeed },
      keepUpdatedAt: true,
      ...(prefetch ? { prefetch } : {}),
      isValidCategory: (code) => isValidCategory(code),
      shortPreviewSeconds: MIN_PREVIEW_SECONDS,
    })),
    crossWalk: () => once('cross-walk', () => walkCatalogue((cursor) => client.request({ url: url('/v1/courses', { limit: settings.crossCheckLimit, cursor }) }), {
      limit: settings.crossCheckLimit,
      maxPages: settings.maxPages,
      declaredCap: declaredCap(settings.crossCheckLimit),
      maxEntries: settings.crossCheckEntries,
      recordPrefix: settings.crossCheckEntries,
    })),
    sample: () => once('sample', async (): Promise<CourseSample> => {
      const w = await ctx.walk()
      return {
        courses: w.sample,
        free: w.freeSample,
        statement: samplingStatement(w.distinct, w.sample.length, settings.sampleSeed),
        freeStatement: samplingStatement(w.free, w.freeSample.length, settings.sampleSeed, 'free courses'),
      }
    }),
    detail: (courseId) => once(`detail:${courseId}`, () => client.request({ url: url(`/v1/courses/${encodeURIComponent(courseId)}`) })),
    preview: (courseId) => once(`preview:${courseId}`, async () => {
      const d = await fetchDocument<Preview>(url(`/v1/courses/${encodeURIComponent(courseId)}/preview`), 'preview')
      if (d.doc && typeof d.doc.url === 'string') noteHost(d.doc.url, 'media')
      return d
    }),
    donePreview,
    hostsSeen: () => ({ api: [...hosts.api].sort(), media: [...hosts.media].sort() }),
    noteHost,
    scratchDir: () => (scratch ??= mkdtemp(join(tmpdir(), 'skillgate-probe-'))),
  }
  return {
    ctx,
    askedSample: () => memo.get('sample') as Promise<CourseSample> | undefined,
    declaredCourses: () => declaredCourses,
    removeScratch: async () => {
      if (scratch) await rm(await scratch, { recursive: true, force: true })
    },
  }
}

/** The checks that read the sample's preview documents (each calls ctx.donePreview per course). */
const PREVIEW_READERS = ['contract.preview-document', 'preview.declared-length', 'preview.media-duration', 'location.hosts']

/** The ids of the checks this run will run (undefined on a usage error, which runChecks reports). */
function chosenChecks(catalogue: CheckCatalogue<ProbeContext>, subject: ProbeContext['subject'], opts: RunProbeOptions): Set<string> | undefined {
  try {
    const { run, skipped } = selectChecks(catalogue, subject, { ...(opts.only ? { only: opts.only } : {}), ...(opts.skip ? { skip: opts.skip } : {}) })
    return new Set(run.map((c) => c.id).filter((id) => !skipped.has(id)))
  } catch {
    return undefined
  }
}

/**
 * What a selected check will fetch for a sampled course, started early (undefined: nothing to do).
 * Not when every course is measured: the sample is then the whole catalogue, and fetching ahead
 * would only hold every course's documents at once.
 */
function samplePrefetch(context: () => ProbeContext, { concurrency, allMedia }: ProbeSettings, chosen: Set<string>): PrefetchOptions | undefined {
  const slots = concurrency - WALK_CHAINS
  if (slots < 1 || allMedia) return undefined
  const wantDetail = chosen.has('contract.course-detail')
  const wantPreview = PREVIEW_READERS.some((id) => chosen.has(id))
  const wantOpen = chosen.has('catalogue.free-preview-open')
  if (!wantDetail && !wantPreview && !wantOpen) return undefined
  const limiter = new Semaphore(slots)
  const later = (work: () => Promise<unknown>): void => {
    void limiter.acquire().then((release) => work().catch(() => {}).finally(release))
  }
  return {
    estimateEnd: (firstAt: number, serverAt: number, walkDone: AbortSignal) => estimateEnd(context(), firstAt, serverAt, walkDone),
    onLikelySampled: (course, set) => {
      const ctx = context()
      if (set === 'sample') {
        if (wantDetail) later(() => ctx.detail(course.courseId))
        if (wantPreview) later(() => ctx.preview(course.courseId))
      } else if (wantOpen) {
        later(() => freeOpening(ctx, course))
      }
    },
  }
}

/**
 * The newest entry's time, found while the walk runs by bisecting with one-entry incremental pages
 * (about 7 small requests, one at a time), so the prefetch projects the catalogue to where it ends
 * rather than to serverTime. Only a hint: any failure leaves the projection on serverTime, and the
 * search (with its request in flight) stops when the walk ends.
 */
function estimateEnd(ctx: ProbeContext, firstAt: number, serverAt: number, walkDone: AbortSignal): () => number | undefined {
  let newest: number | undefined
  const exists = async (t: number): Promise<boolean> => {
    const res = await ctx.client.request({ url: ctx.url('/v1/courses', { limit: 1, updatedSince: new Date(t).toISOString() }), signal: walkDone })
    const items = (res.json as { items?: unknown } | undefined)?.items
    if (res.status !== 200 || !Array.isArray(items)) throw new Error(`GET /v1/courses?updatedSince answered ${res.status} without items`)
    return items.length > 0
  }
  newestEntryTime(firstAt - 1, serverAt, exists, { resolution: (serverAt - firstAt) / 128, maxSteps: 10, signal: walkDone }).then((t) => { newest = t }, () => {})
  return () => newest
}
