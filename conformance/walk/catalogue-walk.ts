// Streams GET /v1/courses page by page and keeps only what the checks need: counts, a compact set
// of seen ids, the first problems of each kind as examples, a bounded prefix for the cross-walk
// comparison and a bottom-k sample. Nothing grows with the catalogue except the fingerprint set and
// (optionally) one float per course for the incremental-sync check, so 100,000 courses cost a few MB.
import type { CataloguePage, CourseSummary } from '../../specs/types.gen.js'
import { schemas, type ReadableError } from '../../specs/lib/schemas.js'
import type { Evidence as HttpExchange } from '../net/evidence.js'
import type { ProbeResponse } from '../net/probe-client.js'
import { BottomK } from './bottom-k.js'
import { FingerprintSet } from './fingerprint-set.js'

export const EXAMPLES = 10

export type StopReason = 'end' | 'cycle' | 'page-cap' | 'entry-cap' | 'http-status' | 'unreadable-page'

export interface OrderExample { page: number; previous: { courseId: string; updatedAt: string }; next: { courseId: string; updatedAt: string } }
export interface PrefixEntry { courseId: string; at: number }

export interface WalkOptions {
  limit: number
  updatedSince?: string
  /** Hard cap on pages; a walk that reaches it stops (a platform that never ends is a failure). */
  maxPages: number
  /** Stop after this many entries (prefix walks for the gap cross-check). */
  maxEntries?: number
  /** Remember the first N items (id, time) for the cross-walk comparison. */
  recordPrefix?: number
  sample?: { size: number; seed: string }
  keepUpdatedAt?: boolean
  isValidCategory?: (code: string) => boolean
  /** Count declared previews shorter than this (R5.1-3: 600). */
  shortPreviewSeconds?: number
  keepTombstoneIds?: boolean
  /** Ids known to be live (tombstones for them are reported). */
  liveIds?: FingerprintSet
  onPage?: (pages: number) => void
  /** Speculative work on sampled courses while the walk goes on (see `likelySampled`). */
  prefetch?: PrefetchOptions
}

export interface PrefetchOptions {
  /** A sample member that will very likely still be sampled at the end (called once per course and set). */
  onLikelySampled: (item: CourseSummary, set: 'sample' | 'free') => void
  /** Announce a member once it stays in the final sample with at least this probability; default 0.9. */
  confidence?: number
  /** At most this many announcements per set; default 1.5 × the sample size. */
  maxPerSet?: number
  /**
   * Where the catalogue ends in time: called once page 1 has given the first entry's time and the
   * serverTime; returns a getter for the newest entry's time once known (undefined until then,
   * and the projection runs to serverTime). See `newestEntryTime`.
   */
  estimateEnd?: (firstAtMs: number, serverAtMs: number, walkDone: AbortSignal) => () => number | undefined
}

export interface CatalogueWalk {
  limit: number
  updatedSince?: string
  pages: number
  stopReason: StopReason
  complete: boolean
  /** Items as served, duplicates included. */
  itemsServed: number
  /** Distinct live course ids. */
  distinct: number
  free: number
  duplicates: { count: number; examples: Array<{ courseId: string; page: number }> }
  tombstones: { count: number; forLiveCourses: number; examples: string[] }
  /** Ids of the tombstones served (kept only with `keepTombstoneIds`; one per deleted course). */
  tombstoneIds: string[]
  order: { violations: number; examples: OrderExample[] }
  cycle?: { page: number; cursor: string }
  schema: { invalidPages: number; errors: Array<ReadableError & { page: number }> }
  contentType: { badPages: number; examples: Array<{ page: number; contentType: string }> }
  /** Live courses declaring previewSeconds below `shortPreviewSeconds` (R5.1-3, whole catalogue). */
  previewShort: { count: number; examples: string[] }
  categories: { invalid: number; examples: Array<{ courseId: string; category: string; occupationCode?: string }> }
  /** Items (and tombstones) not strictly after updatedSince: must be 0. */
  notAfterSince: { count: number; examples: Array<{ courseId: string; at: string }> }
  unparsableTimes: number
  /** Some updatedAt carries more than millisecond precision (Date.parse cuts it to the millisecond). */
  subMillisecondTimes: boolean
  firstPage?: HttpExchange
  /** The first page that showed any problem, for evidence and a reproduce command. */
  firstProblemPage?: { page: number; exchange: HttpExchange }
  stoppedAt?: { page: number; status: number; exchange: HttpExchange }
  prefix: PrefixEntry[]
  ids: FingerprintSet
  updatedAt?: Float64Array
  sample: CourseSummary[]
  freeSample: CourseSummary[]
  serverTime?: string
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const FINER_THAN_MS = /\.\d{4}/
const timeOf = (s: unknown): number => (typeof s === 'string' ? Date.parse(s) : Number.NaN)

export type PageFetcher = (cursor: string | undefined) => Promise<ProbeResponse>

export async function walkCatalogue(fetchPage: PageFetcher, o: WalkOptions): Promise<CatalogueWalk> {
  // Stops the end-of-catalogue search (and its request in flight) however the walk ends.
  const walkDone = new AbortController()
  try {
    return await walkPages(fetchPage, o, walkDone.signal)
  } finally {
    walkDone.abort()
  }
}

async function walkPages(fetchPage: PageFetcher, o: WalkOptions, walkDone: AbortSignal): Promise<CatalogueWalk> {
  // Page 1 goes out before the page schema is compiled (the first compile costs ~0.2 s of CPU), and
  // the compile waits one turn of the event loop so the run's other first requests go out too: the
  // provider works on them meanwhile instead of waiting for us.
  let nextFetch = o.maxPages > 0 ? fetchPage(undefined) : undefined
  nextFetch?.catch(() => {})
  await new Promise<void>((resolve) => setImmediate(resolve))
  const validate = schemas().validator('catalogue-page')
  const ids = new FingerprintSet(1024)
  const cursors = new FingerprintSet(64)
  const sample = new BottomK<CourseSummary>(o.sample?.size ?? 0, o.sample?.seed ?? '')
  const freeSample = new BottomK<CourseSummary>(o.sample?.size ?? 0, o.sample?.seed ?? '')
  const since = o.updatedSince === undefined ? undefined : timeOf(o.updatedSince)
  let times = o.keepUpdatedAt ? new Float64Array(1024) : undefined
  const w: CatalogueWalk = {
    limit: o.limit,
    ...(o.updatedSince === undefined ? {} : { updatedSince: o.updatedSince }),
    pages: 0,
    stopReason: 'end',
    complete: false,
    itemsServed: 0,
    distinct: 0,
    free: 0,
    duplicates: { count: 0, examples: [] },
    tombstones: { count: 0, forLiveCourses: 0, examples: [] },
    tombstoneIds: [],
    order: { violations: 0, examples: [] },
    schema: { invalidPages: 0, errors: [] },
    contentType: { badPages: 0, examples: [] },
    previewShort: { count: 0, examples: [] },
    categories: { invalid: 0, examples: [] },
    notAfterSince: { count: 0, examples: [] },
    unparsableTimes: 0,
    subMillisecondTimes: false,
    prefix: [],
    ids,
    sample: [],
    freeSample: [],
  }
  let previous: { courseId: string; updatedAt: string; at: number } | undefined
  let cursor: string | undefined
  const announce = o.prefetch && (o.sample?.size ?? 0) > 0 ? likelySampled(o.prefetch, o.sample!.size, [['sample', sample], ['free', freeSample]]) : undefined
  let firstAt = Number.NaN
  let serverAt = Number.NaN
  let endAt: (() => number | undefined) | undefined

  for (;;) {
    if (w.pages >= o.maxPages) {
      w.stopReason = 'page-cap'
      break
    }
    const res = await (nextFetch ?? fetchPage(cursor))
    const page = ++w.pages
    // The next page goes out before this one is validated and walked, so the platform works on it
    // meanwhile: a walk is a chain, and otherwise every page would wait for our CPU and then for
    // the platform in turn. Only when this page will certainly be followed by that cursor: the
    // checks below stop on the same conditions (status, shape, cursor, cap, cycle) before using it.
    nextFetch = speculate(res, w, o, cursors, fetchPage)
    o.onPage?.(page)
    if (page === 1) w.firstPage = res.evidence
    let problem = false
    if (res.status !== 200) {
      w.stoppedAt = { page, status: res.status, exchange: res.evidence }
      w.stopReason = 'http-status'
      w.firstProblemPage ??= { page, exchange: res.evidence }
      break
    }
    const contentType = String(res.headers['content-type'] ?? '')
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      w.contentType.badPages++
      if (w.contentType.examples.length < EXAMPLES) w.contentType.examples.push({ page, contentType })
      problem = true
    }
    const body = res.json
    if (!validate(body)) {
      w.schema.invalidPages++
      problem = true
      const { errors } = schemas().validate('catalogue-page', body)
      for (const e of errors) if (w.schema.errors.length < EXAMPLES * 2) w.schema.errors.push({ ...e, page })
    }
    if (!isObject(body) || !Array.isArray(body.items)) {
      w.stopReason = 'unreadable-page'
      w.firstProblemPage ??= { page, exchange: res.evidence }
      break
    }
    const doc = body as Partial<CataloguePage>
    if (page === 1 && typeof doc.serverTime === 'string') {
      w.serverTime = doc.serverTime
      serverAt = timeOf(doc.serverTime)
    }

    for (const raw of doc.items ?? []) {
      if (!isObject(raw) || typeof raw.courseId !== 'string') continue
      const item = raw as unknown as CourseSummary
      w.itemsServed++
      const at = timeOf(item.updatedAt)
      if (Number.isNaN(at)) w.unparsableTimes++
      else if (!w.subMillisecondTimes && FINER_THAN_MS.test(item.updatedAt)) w.subMillisecondTimes = true
      if (previous && !Number.isNaN(at) && !Number.isNaN(previous.at)) {
        const inOrder = at > previous.at || (at === previous.at && item.courseId > previous.courseId)
        if (!inOrder) {
          w.order.violations++
          problem = true
          if (w.order.examples.length < EXAMPLES) {
            w.order.examples.push({ page, previous: { courseId: previous.courseId, updatedAt: previous.updatedAt }, next: { courseId: item.courseId, updatedAt: String(item.updatedAt) } })
          }
        }
      }
      previous = { courseId: item.courseId, updatedAt: String(item.updatedAt), at }
      if (Number.isNaN(firstAt)) firstAt = at
      if (since !== undefined && !(at > since)) {
        w.notAfterSince.count++
        problem = true
        if (w.notAfterSince.examples.length < EXAMPLES) w.notAfterSince.examples.push({ courseId: item.courseId, at: String(item.updatedAt) })
      }
      if (!ids.add(item.courseId)) {
        w.duplicates.count++
        problem = true
        if (w.duplicates.examples.length < EXAMPLES) w.duplicates.examples.push({ courseId: item.courseId, page })
        continue
      }
      w.distinct++
      if (w.prefix.length < (o.recordPrefix ?? 0)) w.prefix.push({ courseId: item.courseId, at })
      if (times) {
        if (w.distinct > times.length) {
          const grown = new Float64Array(times.length * 2)
          grown.set(times)
          times = grown
        }
        times[w.distinct - 1] = at
      }
      if (o.shortPreviewSeconds !== undefined && !(typeof item.previewSeconds === 'number' && item.previewSeconds >= o.shortPreviewSeconds)) {
        w.previewShort.count++
        if (w.previewShort.examples.length < EXAMPLES) w.previewShort.examples.push(item.courseId)
      }
      const free = isObject(item.fee) && item.fee.free === true
      if (free) w.free++
      if (o.isValidCategory) {
        const categoryOk = typeof item.category === 'string' && o.isValidCategory(item.category)
        const occupationOk = item.occupationCode === undefined || (o.isValidCategory(item.occupationCode) && item.occupationCode.startsWith(`${item.category}-`))
        if (!categoryOk || !occupationOk) {
          w.categories.invalid++
          if (w.categories.examples.length < EXAMPLES) {
            w.categories.examples.push({ courseId: item.courseId, category: String(item.category), ...(item.occupationCode === undefined ? {} : { occupationCode: String(item.occupationCode) }) })
          }
        }
      }
      // Both samples use the same seed, so one priority serves both.
      const priority = sample.priority(item.courseId)
      sample.offer(item.courseId, item, priority)
      if (free) freeSample.offer(item.courseId, item, priority)
    }
    for (const t of Array.isArray(doc.tombstones) ? doc.tombstones : []) {
      if (!isObject(t) || typeof t.courseId !== 'string') continue
      w.tombstones.count++
      if (o.keepTombstoneIds && w.tombstoneIds.length < 100_000) w.tombstoneIds.push(t.courseId)
      if (o.liveIds?.has(t.courseId)) {
        w.tombstones.forLiveCourses++
        if (w.tombstones.examples.length < EXAMPLES) w.tombstones.examples.push(t.courseId)
      }
      if (since !== undefined && !(timeOf(t.removedAt) > since)) {
        w.notAfterSince.count++
        problem = true
        if (w.notAfterSince.examples.length < EXAMPLES) w.notAfterSince.examples.push({ courseId: t.courseId, at: String(t.removedAt) })
      }
    }
    if (problem) w.firstProblemPage ??= { page, exchange: res.evidence }
    if (announce && previous) {
      // Worth asking only when the walk goes on past page 1 (nextFetch: its next page is already out).
      if (page === 1 && nextFetch && o.prefetch?.estimateEnd && firstAt < serverAt) endAt = o.prefetch.estimateEnd(firstAt, serverAt, walkDone)
      // An estimate the walk has already passed is wrong (e.g. updatedSince answered nothing at all):
      // trusting it would announce members as final too early, so serverTime it is, as without one.
      const estimate = endAt?.()
      const end = estimate !== undefined && estimate >= previous.at ? estimate : Math.max(serverAt, previous.at)
      // Another page follows: at least about a page more is to come, whatever the clock projects
      // (entries changed during the walk, or a platform clock behind, reach progress 1 early).
      const more = typeof doc.nextCursor === 'string' && doc.nextCursor.length > 0 ? Math.max(1, doc.items?.length ?? 0) : 0
      announce((previous.at - firstAt) / (end - firstAt), { sample: w.distinct, free: w.free }, more)
    }
    if (o.maxEntries !== undefined && w.itemsServed + w.tombstones.count >= o.maxEntries) {
      w.stopReason = 'entry-cap'
      break
    }
    const next = doc.nextCursor
    if (next === null || next === undefined) {
      w.stopReason = 'end'
      w.complete = true
      break
    }
    if (typeof next !== 'string' || next.length === 0) {
      w.stopReason = 'unreadable-page'
      w.firstProblemPage ??= { page, exchange: res.evidence }
      break
    }
    if (!cursors.add(next)) {
      w.cycle = { page, cursor: next.length > 120 ? `${next.slice(0, 117)}...` : next }
      w.stopReason = 'cycle'
      w.firstProblemPage ??= { page, exchange: res.evidence }
      break
    }
    cursor = next
  }
  if (times) w.updatedAt = times.subarray(0, w.distinct)
  w.sample = sample.values()
  w.freeSample = freeSample.values()
  return w
}

/**
 * The next page's fetch, started now, when the loop is certain to ask for exactly it: a 200 whose
 * body has an items array (the probe client parsed it already) and a non-empty string nextCursor
 * not served before, under the page cap, and with the entry cap (prefix walks) not reached by the
 * items and tombstones this page holds. Otherwise undefined and the loop decides as usual.
 */
function speculate(res: ProbeResponse, w: CatalogueWalk, o: WalkOptions, cursors: FingerprintSet, fetchPage: PageFetcher): Promise<ProbeResponse> | undefined {
  if (res.status !== 200 || w.pages >= o.maxPages) return undefined
  const body = res.json
  if (!isObject(body) || !Array.isArray(body.items)) return undefined
  const next = body.nextCursor
  if (typeof next !== 'string' || next.length === 0 || cursors.has(next)) return undefined
  if (o.maxEntries !== undefined) {
    const tombstones = Array.isArray(body.tombstones) ? body.tombstones.length : 0
    if (w.itemsServed + w.tombstones.count + body.items.length + tombstones >= o.maxEntries) return undefined
  }
  const p = fetchPage(next)
  p.catch(() => {})
  return p
}

/**
 * Which sample members to announce for prefetching while the walk is still going. A member of the
 * running bottom-k can still be evicted, so fetching every member eagerly would cost about
 * k·(1 + ln(n/k)) fetches instead of k (≈ 6k at 10,000 courses). Instead the final population is
 * projected from the walk's progress through time (the catalogue is in updatedAt order, from the
 * first item's time to where it ends), and a member is announced once it will stay in the sample
 * with probability ≥ `confidence` if the projection is right: the member of rank r (1 = lowest
 * priority) with priority p stays unless more than k − r of the m members still to come have a
 * priority below p, and their number is Poisson with mean m·p/RANGE (priorities are uniform).
 * Early in the walk only the lowest ranks qualify; as m falls towards 0 near the end (known from
 * `estimateEnd`) nearly every member does, so the walk's end leaves little to fetch. While another
 * page follows, m is at least that page's size, and a clock that claims the walk is already over
 * announces nothing. The projection only steers speculative work: the sample itself is still the
 * exact bottom-k, members never announced are fetched after the walk, and an announced member
 * that is evicted just wastes its fetch (capped). A catalogue whose newest entries are older than
 * serverTime makes the projection too large, which errs towards announcing fewer (safe), never
 * more; `estimateEnd` (newestEntryTime) corrects that.
 */
export function likelySampled(
  o: PrefetchOptions,
  k: number,
  sets: ReadonlyArray<readonly ['sample' | 'free', BottomK<CourseSummary>]>,
): (progress: number, counts: { sample: number; free: number }, atLeastToCome?: number) => void {
  const confidence = o.confidence ?? 0.9
  const cap = o.maxPerSet ?? Math.ceil(k * 1.5)
  const announced = { sample: new Set<string>(), free: new Set<string>() }
  return (progress, counts, atLeastToCome = 0) => {
    // A clock that says the walk is over while another page follows is wrong (entries changed
    // during the walk, or a platform clock behind ours): it says nothing, so nothing is announced.
    if (!(progress > 0) || (progress >= 1 && atLeastToCome > 0)) return
    const f = Math.min(1, progress)
    for (const [set, bottom] of sets) {
      const done = announced[set]
      if (done.size >= cap) continue
      const toCome = Math.max(atLeastToCome, counts[set] / f - counts[set])
      let rank = 0
      for (const e of bottom.below(BottomK.RANGE)) {
        rank++
        if (done.has(e.id)) continue
        // Ranks are in priority order, so once one member is unlikely to stay, so are the rest.
        if (!(poissonCdf(k - rank, (toCome * e.priority) / BottomK.RANGE) >= confidence)) break
        if (done.size >= cap) break
        done.add(e.id)
        o.onLikelySampled(e.value, set)
      }
    }
  }
}

/**
 * P(X ≤ j) for X ~ Poisson(λ), summed in log space (no overflow for large λ or j). A λ that is
 * not a number ≥ 0 gives 0: the prefetch then announces nothing rather than everything.
 */
export function poissonCdf(j: number, lambda: number): number {
  if (j < 0 || Number.isNaN(j) || !(lambda >= 0)) return 0
  if (lambda === 0 || j === Infinity) return 1
  if (lambda === Infinity) return 0
  const logLambda = Math.log(lambda)
  let logTerm = -lambda
  let sum = Math.exp(logTerm)
  for (let i = 1; i <= j; i++) {
    logTerm += logLambda - Math.log(i)
    sum += Math.exp(logTerm)
  }
  return Math.min(1, sum)
}

/**
 * The time of the newest catalogue entry, to within `resolution` ms, by bisection over (lo, hi]:
 * `exists(t)` says whether any entry changed strictly after t (GET /v1/courses?limit=1&updatedSince=t).
 * lo is a time with an entry after it (the first entry's, less 1 ms) and hi one without (serverTime).
 * Returns the upper end of the final interval; at most `maxSteps` questions, one at a time.
 */
export async function newestEntryTime(lo: number, hi: number, exists: (t: number) => Promise<boolean>, o: { resolution: number; maxSteps: number; signal?: AbortSignal }): Promise<number> {
  const resolution = Math.max(1, o.resolution)
  for (let step = 0; step < o.maxSteps && hi - lo > resolution; step++) {
    o.signal?.throwIfAborted()
    const mid = Math.floor((lo + hi) / 2)
    if (await exists(mid)) lo = mid
    else hi = mid
  }
  return hi
}
