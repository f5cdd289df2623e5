// The walk's building blocks: the compact id set, deterministic bottom-k sampling, the sampling
// statement, and the cross-walk comparison that finds gaps.
import t from 'tap'
import { BottomK } from './bottom-k.js'
import { compareWalks } from './compare-walks.js'
import { walkCatalogue, type CatalogueWalk } from './catalogue-walk.js'
import { likelySampled, newestEntryTime, poissonCdf } from './sample-prefetch.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { CourseSummary } from '../../specs/types.gen.js'
import { FingerprintSet, fingerprint } from './fingerprint-set.js'
import { detectionProbability, samplingStatement, upperBoundWhenNoneFound } from './sampling.js'

t.test('FingerprintSet: membership, duplicates and growth, in a few bytes per member', async (t) => {
  const s = new FingerprintSet(4)
  let notNew = 0
  for (let i = 0; i < 100_000; i++) if (!s.add(`c-${i}`)) notNew++
  t.equal(notNew, 0, 'every distinct id is new')
  t.equal(s.size, 100_000)
  t.notOk(s.add('c-99999'), 'a repeat is not new')
  t.ok(s.has('c-0'))
  t.notOk(s.has('c-100000'))
  t.ok(s.bytes <= 100_000 * 40, `backing arrays ${s.bytes} bytes for 100k ids`)
})

t.test('fingerprint: no collision among a million similar ids, and bottom-k priorities spread evenly', async (t) => {
  const s = new FingerprintSet(1 << 20)
  let collisions = 0
  for (let i = 0; i < 1_000_000; i++) if (!s.add(`course-${i}`)) collisions++
  t.equal(collisions, 0, 'a million sequential ids, no shared fingerprint')
  // Chi-square over 64 equal buckets of [0, 2^53): 63 degrees of freedom, 99.9th percentile ≈ 104.
  const b = new BottomK<string>(1, 'skillgate')
  const buckets = new Array<number>(64).fill(0)
  const n = 100_000
  for (let i = 0; i < n; i++) buckets[Math.floor((b.priority(`c-${i}`) / BottomK.RANGE) * 64)]!++
  const expected = n / 64
  const chi2 = buckets.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0)
  t.ok(chi2 < 104, `chi-square ${chi2.toFixed(1)} over 64 buckets`)
  t.ok(buckets.every((o) => o > 0))
  t.not(fingerprint('c-1').lo, fingerprint('c-2').lo, 'neighbouring ids differ')
})

t.test('BottomK: same seed, same sample, whatever the arrival order; another seed differs', async (t) => {
  const ids = Array.from({ length: 1000 }, (_, i) => `c-${i}`)
  const pick = (order: string[], seed: string): string[] => {
    const b = new BottomK<string>(59, seed)
    for (const id of order) b.offer(id, id)
    return b.values()
  }
  const a = pick(ids, 's')
  t.equal(a.length, 59)
  t.same(pick([...ids].reverse(), 's'), a)
  t.not(pick(ids, 'other').join(), a.join())
  const all = new BottomK<string>(Infinity, 's')
  for (const id of ids) all.offer(id, id)
  t.equal(all.size, 1000)
})

t.test('sampling statement: 59 finds a 5 % defect rate with ≥ 95 % probability', async (t) => {
  t.ok(detectionProbability(59, 0.05) >= 0.95)
  t.ok(detectionProbability(58, 0.05) < 0.95, '59 is the smallest such sample')
  t.ok(upperBoundWhenNoneFound(59) < 0.05)
  const s = samplingStatement(10_000, 59, 'seed')
  t.match(s, { population: 10_000, size: 59, all: false })
  t.match(s.confidence, /59 of 10000 courses.*95\.2 % probability/)
  t.match(samplingStatement(40, 59, 'seed'), { population: 40, size: 40, all: true })
})

const walk = (ids: string[], complete: boolean): CatalogueWalk => ({
  complete,
  distinct: ids.length,
  prefix: ids.map((courseId, i) => ({ courseId, at: i })),
} as unknown as CatalogueWalk)

t.test('compareWalks: agreement, a gap on either side, and a bounded comparison range', async (t) => {
  const ids = Array.from({ length: 10 }, (_, i) => `c-${i}`)
  t.same(compareWalks(walk(ids, true), walk(ids, true)), { compared: { main: 10, crossCheck: 10 }, missingFromMain: [], missingFromCrossCheck: [] })
  t.same(compareWalks(walk(ids, true), walk(ids.filter((x) => x !== 'c-4'), true)).missingFromCrossCheck, ['c-4'])
  t.same(compareWalks(walk(ids.filter((x) => x !== 'c-2'), true), walk(ids, true)).missingFromMain, ['c-2'])
  // The cross-check walk stopped after c-5: only that range is compared.
  const r = compareWalks(walk(ids, true), walk(ids.slice(0, 6), false))
  t.same(r, { compared: { main: 6, crossCheck: 6 }, missingFromMain: [], missingFromCrossCheck: [] })
})

t.test('likelySampled: announces what the final bottom-k keeps, and no more than its cap', async (t) => {
  const n = 10_000
  const k = 59
  const run = (progressOf: (seen: number) => number, maxPerSet?: number, pageFollows = false): { announced: string[]; final: string[] } => {
    const sample = new BottomK<CourseSummary>(k, 'seed')
    const announced: string[] = []
    const announce = likelySampled({ onLikelySampled: (c) => announced.push(c.courseId), ...(maxPerSet ? { maxPerSet } : {}) }, k, [['sample', sample]])
    for (let i = 0; i < n; i++) {
      const courseId = `c-${i}`
      sample.offer(courseId, { courseId } as CourseSummary)
      if (i % 200 === 199) announce(progressOf(i + 1), { sample: i + 1, free: 0 }, pageFollows && i + 1 < n ? 200 : 0)
    }
    return { announced, final: sample.values().map((c) => c.courseId) }
  }
  // Progress through time tracks progress through the catalogue (an even spread of updates).
  const even = run((seen) => seen / n)
  const kept = even.announced.filter((id) => even.final.includes(id)).length
  t.ok(even.announced.length >= k / 2, `${even.announced.length} announced during the walk`)
  t.ok(kept / even.announced.length >= 0.9, `${kept} of ${even.announced.length} announced stay sampled`)
  t.equal(new Set(even.announced).size, even.announced.length, 'each course at most once')
  // Nothing is left for after the walk: by its last page no more members are to come, so every
  // member of the final sample has been announced.
  t.same(even.final.filter((id) => !even.announced.includes(id)), [], 'the whole final sample is announced by the last page')
  // Early on only the lowest ranks are safe: after a tenth of the walk few members are announced.
  const tenth = run((seen) => (seen <= n / 10 ? seen / n : Number.NaN))
  t.ok(tenth.announced.length > 0 && tenth.announced.length < k / 2, `${tenth.announced.length} announced after a tenth of the walk`)
  t.ok(tenth.announced.every((id) => tenth.final.includes(id)), 'and all of them stay sampled')
  // Twin: a clock that claims the walk is already over from page 1 announces early members that
  // are evicted later; the cap bounds that waste.
  const early = run(() => 1, 70)
  t.equal(early.announced.length, 70, 'stops at the cap')
  t.ok(early.announced.filter((id) => !early.final.includes(id)).length > 0, 'a wrong projection does waste fetches')
  t.same(early.final, even.final, 'the sample itself never depends on the projection')
  // The walk says when another page follows: a clock that claims the walk is over before its last
  // page is then known to be wrong, and nothing is announced until the last page.
  const wasted = (r: { announced: string[]; final: string[] }): number => r.announced.filter((id) => !r.final.includes(id)).length
  const earlyBlind = wasted(run(() => 1))
  const earlyKnowing = run(() => 1, undefined, true)
  t.ok(earlyBlind > 0, `without knowing that a page follows, ${earlyBlind} fetches are wasted`)
  t.equal(wasted(earlyKnowing), 0, 'knowing it, none')
  t.same(earlyKnowing.final.filter((id) => !earlyKnowing.announced.includes(id)), [], 'and the last page announces the whole sample')
  // A projection that is right but not yet at the end: at least a page more is to come.
  const nearEnd = run((seen) => Math.min(0.999, seen / n), undefined, true)
  t.ok(wasted(nearEnd) <= Math.ceil(nearEnd.announced.length / 10), `${wasted(nearEnd)} of ${nearEnd.announced.length} wasted with the page floor`)
})

t.test('poissonCdf: P(X ≤ j) for a Poisson count (the prefetch\'s survival odds)', async (t) => {
  t.equal(poissonCdf(-1, 3), 0)
  t.equal(poissonCdf(0, 0), 1, 'nothing to come: certain')
  t.equal(poissonCdf(Infinity, 5), 1, '--all-media keeps everyone')
  t.ok(Math.abs(poissonCdf(0, 2) - Math.exp(-2)) < 1e-12)
  t.ok(Math.abs(poissonCdf(2, 2) - 5 * Math.exp(-2)) < 1e-12, 'e^-2 (1 + 2 + 2)')
  t.ok(Math.abs(poissonCdf(1000, 1000) - 0.5084) < 1e-3, 'large λ and j stay finite')
  t.ok(poissonCdf(59, 2000) < 1e-300, 'a member far past the threshold has no chance')
  // Anything but a number ≥ 0 gives 0, so the prefetch announces nothing rather than everything.
  t.equal(poissonCdf(5, Number.NaN), 0)
  t.equal(poissonCdf(5, -1), 0)
  t.equal(poissonCdf(5, Infinity), 0)
  t.equal(poissonCdf(Number.NaN, 1), 0)
})

/** An in-memory catalogue of `pages` pages; `nextOf` may rewrite a page's nextCursor (cycles). */
function pagedCatalogue(pages: number, perPage: number, nextOf: (page: number) => string | null = (p) => (p < pages ? `c${p + 1}` : null)) {
  const events: string[] = []
  const fetchPage = async (cursor: string | undefined): Promise<ProbeResponse> => {
    events.push(`fetch ${cursor ?? 'first'}`)
    const page = cursor === undefined ? 1 : Number(cursor.slice(1))
    const items = Array.from({ length: perPage }, (_, i) => {
      const n = (page - 1) * perPage + i
      return { courseId: `c-${String(n).padStart(6, '0')}`, title: { 'zh-CN': '课' }, category: '6-31-01', fee: { free: true }, durationSeconds: 60, lessonCount: 1, previewSeconds: 600, updatedAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() }
    })
    const json = { items, tombstones: [], nextCursor: nextOf(page), serverTime: '2026-11-27T09:30:00+08:00' }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(0), json, url: `https://p.test/v1/courses?cursor=${cursor ?? ''}`, remoteAddress: undefined, timings: { totalMs: 0 }, redirects: [], attempts: [], warnings: [], evidence: { request: { method: 'GET', url: 'https://p.test/v1/courses', headers: {} } } }
  }
  const isValidCategory = (code: string): boolean => {
    if (events.at(-1)?.startsWith('fetch')) events.push('walking')
    return code.length > 0
  }
  return { events, fetchPage, isValidCategory }
}

t.test('walk: the next page is requested before this one is walked, and never a page the walk will not use', async (t) => {
  const full = pagedCatalogue(5, 3)
  const w = await walkCatalogue(full.fetchPage, { limit: 3, maxPages: 100, isValidCategory: full.isValidCategory })
  t.equal(w.stopReason, 'end')
  t.equal(w.distinct, 15)
  t.same(full.events.filter((e) => e.startsWith('fetch')), ['fetch first', 'fetch c2', 'fetch c3', 'fetch c4', 'fetch c5'], 'one request per page, none wasted')
  t.same(full.events.slice(0, 3), ['fetch first', 'fetch c2', 'walking'], 'page 2 went out before page 1 was walked')

  const capped = pagedCatalogue(10, 3)
  const c = await walkCatalogue(capped.fetchPage, { limit: 3, maxPages: 3 })
  t.equal(c.stopReason, 'page-cap')
  t.equal(capped.events.length, 3, 'the page cap: no fourth request')

  const prefix = pagedCatalogue(10, 3)
  const p = await walkCatalogue(prefix.fetchPage, { limit: 3, maxPages: 100, maxEntries: 7 })
  t.equal(p.stopReason, 'entry-cap')
  t.same(prefix.events, ['fetch first', 'fetch c2', 'fetch c3'], 'the entry cap: the page that reaches it is the last one asked for')

  const cycle = pagedCatalogue(4, 2, (page) => (page === 3 ? 'c2' : `c${page + 1}`))
  const y = await walkCatalogue(cycle.fetchPage, { limit: 2, maxPages: 100 })
  t.equal(y.stopReason, 'cycle')
  t.same(cycle.events, ['fetch first', 'fetch c2', 'fetch c3'], 'a cursor already served is not asked for again')
})

t.test('newestEntryTime: bisection finds the newest entry to the resolution, one question at a time', async (t) => {
  const times = [1_000, 5_000, 9_000, 70_000, 70_500]
  const asked: number[] = []
  let inFlight = 0
  const exists = async (x: number): Promise<boolean> => {
    t.equal(inFlight++, 0, 'never two questions at once')
    asked.push(x)
    await new Promise((r) => setImmediate(r))
    inFlight--
    return times.some((v) => v > x)
  }
  const found = await newestEntryTime(999, 1_000_000, exists, { resolution: 100, maxSteps: 20 })
  t.ok(found >= 70_500 && found - 70_500 <= 100, `newest 70500, found ${found}`)
  t.ok(asked.length <= 14, `${asked.length} questions for a million ms at 100 ms`)
  const capped = await newestEntryTime(999, 1_000_000, async (x) => times.some((v) => v > x), { resolution: 1, maxSteps: 3 })
  t.ok(capped >= 70_500, 'a capped search still bounds the newest entry from above')
  const tiny: number[] = []
  await newestEntryTime(0, 50, async (x) => { tiny.push(x); return x < 20 }, { resolution: 50 / 128, maxSteps: 10 })
  t.equal(new Set(tiny).size, tiny.length, `a span under 128 ms: no question asked twice (${tiny.join(', ')})`)
  const stop = new AbortController()
  let questions = 0
  const stopped = newestEntryTime(0, 1_000_000, async () => { if (++questions === 2) stop.abort(); return true }, { resolution: 1, maxSteps: 20, signal: stop.signal })
  await t.rejects(stopped, 'an aborted search stops')
  t.equal(questions, 2, 'and asks nothing more')
})

t.test('prefetch: knowing where the catalogue ends announces most of the sample during the walk, and only members that stay sampled', async (t) => {
  // 2,000 entries one second apart in January 2026; page 1 says serverTime is late November.
  const run = async (withEnd: boolean, end = Date.UTC(2026, 0, 1) + 1999 * 1000): Promise<{ announced: string[]; sample: string[] }> => {
    const c = pagedCatalogue(40, 50)
    const announced: string[] = []
    const w = await walkCatalogue(c.fetchPage, {
      limit: 50, maxPages: 100, sample: { size: 30, seed: 's' },
      prefetch: {
        onLikelySampled: (item, set) => { if (set === 'sample') announced.push(item.courseId) },
        ...(withEnd ? { estimateEnd: () => () => end } : {}),
      },
    })
    return { announced, sample: w.sample.map((x) => x.courseId) }
  }
  const blind = await run(false)
  const told = await run(true)
  const fooled = await run(true, Date.UTC(2026, 0, 1) + 5_000)
  t.equal(fooled.announced.length, blind.announced.length, 'an end the walk has already passed is ignored, not trusted')
  t.ok(told.announced.length >= 20, `${told.announced.length} of 30 announced with the end known`)
  t.ok(blind.announced.length <= 5, `${blind.announced.length} when projecting to serverTime`)
  // A member is announced once it stays with probability ≥ 0.9, so at most about a tenth is wasted.
  const wasted = told.announced.filter((id) => !told.sample.includes(id))
  t.ok(wasted.length <= Math.ceil(told.announced.length / 10), `${wasted.length} of ${told.announced.length} announced were evicted later`)
  t.same(told.sample.filter((id) => !told.announced.includes(id)), [], 'with the end known, the whole sample is announced by the last page')
})

t.test('prefetch: the end is only looked for when the walk goes past page 1, and the search is stopped when the walk ends', async (t) => {
  const calls: AbortSignal[] = []
  const prefetch = { onLikelySampled: () => {}, estimateEnd: (_a: number, _b: number, done: AbortSignal) => { calls.push(done); return () => undefined } }
  const one = pagedCatalogue(1, 20)
  await walkCatalogue(one.fetchPage, { limit: 20, maxPages: 10, sample: { size: 5, seed: 's' }, prefetch })
  t.equal(calls.length, 0, 'a one-page catalogue: no search')
  const many = pagedCatalogue(5, 20)
  await walkCatalogue(many.fetchPage, { limit: 20, maxPages: 10, sample: { size: 5, seed: 's' }, prefetch })
  t.equal(calls.length, 1, 'one search per walk')
  t.ok(calls[0]!.aborted, 'its signal is aborted once the walk has returned')
})
