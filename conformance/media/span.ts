// The contiguous-span rule both measurement paths share (R5.1-3, R5.2-2), over one stream's
// presentation times sorted ascending and each packet's own duration (typed arrays: an index
// lists tens of thousands of samples per track and must not become as many objects):
// - the expected packet duration is the median step between consecutive packets;
// - the span runs from the first packet until the first step longer than expected +
//   GAP_THRESHOLD_SECONDS; a packet's own duration counts only up to that same bound, because
//   muxers fold a timestamp jump into the duration of the packet before it.

import { heapScratch, type Scratch } from './scratch.js'

/** A step this much longer than the expected packet duration ends the contiguous span. */
export const GAP_THRESHOLD_SECONDS = 2

export interface Span {
  playableSeconds: number
  firstTime: number | null
  /** End of the last packet (which may lie beyond a gap). */
  lastEnd: number | null
  /** Longest step beyond the expected packet duration (0 when none). */
  largestGapSeconds: number
  expectedPacketSeconds: number
}

export function spanOfSorted(t: Float64Array, d: Float64Array, scratch: Scratch = heapScratch): Span {
  const n = t.length
  if (n === 0) return { playableSeconds: 0, firstTime: null, lastEnd: null, largestGapSeconds: 0, expectedPacketSeconds: 0 }
  const steps = scratch.f64(Math.max(0, n - 1))
  let k = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 1; i < n; i++) {
    const s = t[i]! - t[i - 1]!
    if (s > 0) {
      steps[k++] = s
      if (s < min) min = s
      if (s > max) max = s
    }
  }
  // The steps of an index are usually all equal (a constant frame rate): then no sort.
  const median = k === 0 ? undefined : max - min < 1e-9 ? min : medianOf(steps.subarray(0, k))
  const d0 = d[0]!
  const expected = median ?? (Number.isFinite(d0) && d0 > 0 ? d0 : 0)
  const bound = expected + GAP_THRESHOLD_SECONDS
  const lengthOf = (i: number): number => {
    const own = d[i]!
    return Number.isFinite(own) && own > 0 && own <= bound ? own : expected
  }
  const first = t[0]!
  let contiguousEnd = first + lengthOf(0)
  let broken = false
  let largestGap = 0
  for (let i = 1; i < n; i++) {
    const step = t[i]! - t[i - 1]!
    if (step - expected > largestGap) largestGap = step - expected
    if (step > bound) broken = true
    if (!broken) contiguousEnd = Math.max(contiguousEnd, t[i]! + lengthOf(i))
  }
  return {
    playableSeconds: contiguousEnd - first,
    firstTime: first,
    lastEnd: t[n - 1]! + lengthOf(n - 1),
    largestGapSeconds: Math.max(0, largestGap),
    expectedPacketSeconds: expected,
  }
}

/** Median of positive steps (the upper one of an even count, as sorting and indexing n/2 gives), in linear time. */
function medianOf(steps: Float64Array): number {
  const want = Math.floor(steps.length / 2)
  // Quickselect (Hoare partition around the middle element's value): the steps of an index are
  // mostly equal, and sorting all 16,000 of a 10-minute video to find the middle one was a tenth
  // of the judgement's CPU.
  let lo = 0
  let hi = steps.length - 1
  while (lo < hi) {
    const pivot = steps[(lo + hi) >>> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (steps[i]! < pivot) i++
      while (steps[j]! > pivot) j--
      if (i <= j) {
        const x = steps[i]!
        steps[i] = steps[j]!
        steps[j] = x
        i++
        j--
      }
    }
    if (want <= j) hi = j
    else if (want >= i) lo = i
    else return steps[want]!
  }
  return steps[want]!
}
