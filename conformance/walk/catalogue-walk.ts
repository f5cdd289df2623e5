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
import { likelySampled, type PrefetchOptions } from './sample-prefetch.js'

export const EXAMPLES = 10

export type StopReason = 'end' | 'cycle' | 'page-cap' | 'declared-cap' | 'entry-cap' | 'http-status' | 'unreadable-page'

export interface OrderExample { page: number; previous: { courseId: string; updatedAt: string }; next: { courseId: string; updatedAt: string } }
export interface PrefixEntry { courseId: string; at: number }

export interface WalkOptions {
  limit: number
  updatedSince?: string
  /** Hard cap on pages; a walk that reaches it stops (a platform that never ends is a failure). */
  maxPages: number
  /**
   * The page cap derived from what the platform declares (service-info `courseCount`, the page
   * size; the formula is in the specification), read before every page; undefined: not declared.
   * A walk past it stops with 'declared-cap', so an endless catalogue ends within the declared size.
   */
  declaredCap?: () => number | undefined
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


export interface CatalogueWalk {
  limit: number
  updatedSince?: string
  pages: number
  stopReason: StopReason
  /** The page cap the walk stopped at ('page-cap' or 'declared-cap'). */
  capPages?: number
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

/** What the walk carries from page to page besides the result it builds. */
interface WalkState {
  readonly o: WalkOptions
  readonly w: CatalogueWalk
  readonly sample: BottomK<CourseSummary>
  readonly freeSample: BottomK<CourseSummary>
  readonly since: number | undefined
  times: Float64Array | undefined
  previous: { courseId: string; updatedAt: string; at: number } | undefined
  firstAt: number
  /** Page 1's serverTime. */
  serverAt: number
  /** Where the catalogue ends, once `estimateEnd` knows (see PrefetchOptions). */
  endAt: (() => number | undefined) | undefined
  /** This page showed a problem (it becomes `firstProblemPage` unless an earlier one did). */
  problem: boolean
}

function newWalkState(o: WalkOptions): WalkState {
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
    ids: new FingerprintSet(1024),
    sample: [],
    freeSample: [],
  }
  return {
    o,
    w,
    sample: new BottomK<CourseSummary>(o.sample?.size ?? 0, o.sample?.seed ?? ''),
    freeSample: new BottomK<CourseSummary>(o.sample?.size ?? 0, o.sample?.seed ?? ''),
    since: o.updatedSince === undefined ? undefined : timeOf(o.updatedSince),
    times: o.keepUpdatedAt ? new Float64Array(1024) : undefined,
    previous: undefined,
    firstAt: Number.NaN,
    serverAt: Number.NaN,
    endAt: undefined,
    problem: false,
  }
}

/** The page cap in force now: the hard cap, or the declared one when it is lower. */
const pageCap = (o: WalkOptions): number => Math.min(o.maxPages, o.declaredCap?.() ?? Infinity)

async function walkPages(fetchPage: PageFetcher, o: WalkOptions, walkDone: AbortSignal): Promise<CatalogueWalk> {
  // Page 1 goes out before the page schema is compiled (the first compile costs ~0.2 s of CPU), and
  // the compile waits one turn of the event loop so the run's other first requests go out too: the
  // provider works on them meanwhile instead of waiting for us.
  let nextFetch = o.maxPages > 0 ? fetchPage(undefined) : undefined
  nextFetch?.catch(() => {})
  await new Promise<void>((resolve) => setImmediate(resolve))
  const validate = schemas().validator('catalogue-page')
  const s = newWalkState(o)
  const { w } = s
  const cursors = new FingerprintSet(64)
  let cursor: string | undefined
  const announce = o.prefetch && (o.sample?.size ?? 0) > 0 ? likelySampled(o.prefetch, o.sample!.size, [['sample', s.sample], ['free', s.freeSample]]) : undefined

  for (;;) {
    const declared = o.declaredCap?.()
    if (w.pages >= pageCap(o)) {
      w.stopReason = declared !== undefined && declared < o.maxPages ? 'declared-cap' : 'page-cap'
      w.capPages = pageCap(o)
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
    const doc = readPage(s, res, page, validate)
    if (!doc) break
    if (page === 1 && typeof doc.serverTime === 'string') {
      w.serverTime = doc.serverTime
      s.serverAt = timeOf(doc.serverTime)
    }
    walkItems(s, doc.items ?? [], page)
    walkTombstones(s, doc.tombstones)
    if (s.problem) w.firstProblemPage ??= { page, exchange: res.evidence }
    if (announce) announceProgress(s, announce, doc, page === 1 && nextFetch !== undefined, walkDone)
    const next = nextCursor(w, o, doc, cursors, page, res)
    if (next === undefined) break
    cursor = next
  }
  if (s.times) w.updatedAt = s.times.subarray(0, w.distinct)
  w.sample = s.sample.values()
  w.freeSample = s.freeSample.values()
  return w
}

/**
 * The page's body when the walk can read it (problems of content type and schema are counted and
 * flagged on the state); undefined when the walk stops here (an HTTP error or no items array).
 */
function readPage(s: WalkState, res: ProbeResponse, page: number, validate: (doc: unknown) => boolean): Partial<CataloguePage> | undefined {
  const { w } = s
  s.problem = false
  if (res.status !== 200) {
    w.stoppedAt = { page, status: res.status, exchange: res.evidence }
    w.stopReason = 'http-status'
    w.firstProblemPage ??= { page, exchange: res.evidence }
    return undefined
  }
  const contentType = String(res.headers['content-type'] ?? '')
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    w.contentType.badPages++
    if (w.contentType.examples.length < EXAMPLES) w.contentType.examples.push({ page, contentType })
    s.problem = true
  }
  const body = res.json
  if (!validate(body)) {
    w.schema.invalidPages++
    s.problem = true
    const { errors } = res.jsonError ? { errors: [{ path: '/', expected: 'a JSON document', found: res.jsonError, keyword: 'parse' }] } : schemas().validate('catalogue-page', body)
    for (const e of errors) if (w.schema.errors.length < EXAMPLES * 2) w.schema.errors.push({ ...e, page })
  }
  if (!isObject(body) || !Array.isArray(body.items)) {
    w.stopReason = 'unreadable-page'
    w.firstProblemPage ??= { page, exchange: res.evidence }
    return undefined
  }
  return body as Partial<CataloguePage>
}

/** Every live item of a page: order, times, duplicates, the prefix, declared previews, categories, the samples. */
function walkItems(s: WalkState, items: CataloguePage['items'], page: number): void {
  const { w, o, since, sample, freeSample } = s
  const { ids } = w
  let { previous, times, firstAt } = s
  for (const raw of items) {
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
        s.problem = true
        if (w.order.examples.length < EXAMPLES) {
          w.order.examples.push({ page, previous: { courseId: previous.courseId, updatedAt: previous.updatedAt }, next: { courseId: item.courseId, updatedAt: String(item.updatedAt) } })
        }
      }
    }
    previous = { courseId: item.courseId, updatedAt: String(item.updatedAt), at }
    if (Number.isNaN(firstAt)) firstAt = at
    if (since !== undefined && !(at > since)) {
      w.notAfterSince.count++
      s.problem = true
      if (w.notAfterSince.examples.length < EXAMPLES) w.notAfterSince.examples.push({ courseId: item.courseId, at: String(item.updatedAt) })
    }
    if (!ids.add(item.courseId)) {
      w.duplicates.count++
      s.problem = true
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
  s.previous = previous
  s.times = times
  s.firstAt = firstAt
}

function walkTombstones(s: WalkState, tombstones: Partial<CataloguePage>['tombstones']): void {
  const { w, o, since } = s
  for (const t of Array.isArray(tombstones) ? tombstones : []) {
    if (!isObject(t) || typeof t.courseId !== 'string') continue
    w.tombstones.count++
    if (o.keepTombstoneIds && w.tombstoneIds.length < 100_000) w.tombstoneIds.push(t.courseId)
    if (o.liveIds?.has(t.courseId)) {
      w.tombstones.forLiveCourses++
      if (w.tombstones.examples.length < EXAMPLES) w.tombstones.examples.push(t.courseId)
    }
    if (since !== undefined && !(timeOf(t.removedAt) > since)) {
      w.notAfterSince.count++
      s.problem = true
      if (w.notAfterSince.examples.length < EXAMPLES) w.notAfterSince.examples.push({ courseId: t.courseId, at: String(t.removedAt) })
    }
  }
}

/** Tell the prefetch how far through the catalogue the walk is (see `likelySampled`). */
function announceProgress(s: WalkState, announce: ReturnType<typeof likelySampled>, doc: Partial<CataloguePage>, firstPageWithMore: boolean, walkDone: AbortSignal): void {
  const { w, o, previous, firstAt, serverAt } = s
  if (!previous) return
  // Worth asking where the catalogue ends only when the walk goes on past page 1 (its next page is already out).
  if (firstPageWithMore && o.prefetch?.estimateEnd && firstAt < serverAt) s.endAt = o.prefetch.estimateEnd(firstAt, serverAt, walkDone)
  const estimate = s.endAt?.()
  // An estimate the walk has already passed is wrong (e.g. updatedSince answered nothing at all):
  // trusting it would announce members as final too early, so serverTime it is, as without one.
  const end = estimate !== undefined && estimate >= previous.at ? estimate : Math.max(serverAt, previous.at)
  // Another page follows: at least about a page more is to come, whatever the clock projects
  // (entries changed during the walk, or a platform clock behind, reach progress 1 early).
  const more = typeof doc.nextCursor === 'string' && doc.nextCursor.length > 0 ? Math.max(1, doc.items?.length ?? 0) : 0
  announce((previous.at - firstAt) / (end - firstAt), { sample: w.distinct, free: w.free }, more)
}

/** The cursor of the next page, or undefined when the walk ends here (with its stop reason set). */
function nextCursor(w: CatalogueWalk, o: WalkOptions, doc: Partial<CataloguePage>, cursors: FingerprintSet, page: number, res: ProbeResponse): string | undefined {
  if (o.maxEntries !== undefined && w.itemsServed + w.tombstones.count >= o.maxEntries) {
    w.stopReason = 'entry-cap'
    return undefined
  }
  const next = doc.nextCursor
  if (next === null || next === undefined) {
    w.stopReason = 'end'
    w.complete = true
    return undefined
  }
  if (typeof next !== 'string' || next.length === 0) {
    w.stopReason = 'unreadable-page'
    w.firstProblemPage ??= { page, exchange: res.evidence }
    return undefined
  }
  if (!cursors.add(next)) {
    w.cycle = { page, cursor: next.length > 120 ? `${next.slice(0, 117)}...` : next }
    w.stopReason = 'cycle'
    w.firstProblemPage ??= { page, exchange: res.evidence }
    return undefined
  }
  return next
}

/**
 * The next page's fetch, started now, when the loop is certain to ask for exactly it: a 200 whose
 * body has an items array (the probe client parsed it already) and a non-empty string nextCursor
 * not served before, under the page cap, and with the entry cap (prefix walks) not reached by the
 * items and tombstones this page holds. Otherwise undefined and the loop decides as usual.
 */
function speculate(res: ProbeResponse, w: CatalogueWalk, o: WalkOptions, cursors: FingerprintSet, fetchPage: PageFetcher): Promise<ProbeResponse> | undefined {
  if (res.status !== 200 || w.pages >= pageCap(o)) return undefined
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
