// Speculative work on the sample while the walk goes on: which members of the running bottom-k
// will very likely still be sampled at the end (so their fetches can start now), and where the
// catalogue ends in time, which sharpens that projection. Only steers work: the sample itself is
// always the walk's exact bottom-k.
import type { CourseSummary } from '../../specs/types.gen.js'
import { BottomK } from './bottom-k.js'

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
