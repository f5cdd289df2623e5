// The same judgement the packet path makes (span.ts), from an MP4 index, track by track
// (R5.1-3, R5.2-2):
// - presentation time = (dts + composition offset − edit media time) / timescale + empty-edit
//   offset, as ffmpeg's demuxer presents them (an AAC priming frame comes out at −1024/rate and
//   counts, exactly as ffprobe lists it); samples past the edit's end are not presented;
// - a sample whose data does not start inside the real file is not playable (a truncated file,
//   or an index pointing past the end): it is dropped, so the span stops where data stops (the
//   frame cut in half at the end counts, as it does for ffprobe);
// - subtitle, data and hint tracks are ignored; playable = the minimum over audio and video.
// Edit lists the reader does not model (several media segments, a rate other than 1) are a doubt:
// the caller then asks the ffprobe referee.
import type { StreamKind, StreamMeasurement } from './measure-file.js'
import type { Mp4Index } from './mp4-index.js'
import type { TrackIndex } from './mp4-sample-table.js'
import { heapScratch, type Scratch } from './scratch.js'
import { spanOfSorted } from './span.js'

export interface IndexedStream extends StreamMeasurement {
  trackId: number
  /** Samples whose data starts at or beyond the end of the file. */
  samplesBeyondEnd: number
  /** Samples the index lists (before edits and truncation). */
  indexedSamples: number
}

export interface Mp4Judgement {
  container: 'mp4' | 'mov'
  streams: IndexedStream[]
  headerSeconds: number | null
  warnings: string[]
  /** Reasons to ask the referee. */
  doubts: string[]
}

const KINDS: Record<string, StreamKind> = { vide: 'video', soun: 'audio' }

interface EditWindow { shift: number; startOffset: number; end: number; doubt?: string }

/** What the edit list does to this track's timeline, in track timescale units. */
function editWindow(track: TrackIndex, movieTimescale: number): EditWindow {
  let startOffset = 0
  let window: EditWindow | undefined
  for (const e of track.edits) {
    if (e.mediaTime === -1) {
      if (window) return { shift: 0, startOffset: 0, end: Infinity, doubt: 'an empty edit after media' }
      startOffset += (e.segmentDuration / movieTimescale) * track.timescale
      continue
    }
    if (window) return { shift: 0, startOffset: 0, end: Infinity, doubt: `${track.edits.length} edits` }
    if (e.rate !== 1) return { shift: 0, startOffset: 0, end: Infinity, doubt: `an edit at rate ${e.rate}` }
    const length = (e.segmentDuration / movieTimescale) * track.timescale
    window = { shift: e.mediaTime, startOffset, end: e.segmentDuration > 0 ? e.mediaTime + length : Infinity }
  }
  return window ?? { shift: 0, startOffset, end: Infinity }
}

/** Presentation times beyond this range, or fractional ones, are sorted with a comparator instead of packed keys. */
const PACKED_RANGE = 2 ** 31
/** Sample positions packed below the presentation time (a track lists at most INDEX_MAX_SAMPLES < 2^21). */
const POSITION_BITS = 2 ** 21

/**
 * Sort sample positions by presentation time, ties by position (as a stable sort of ascending
 * positions would). The common case packs (pts − min) × 2^21 + position into one float and lets the
 * typed array sort natively: a comparator call per comparison was a third of the MP4 judgement.
 */
function sortByPts(order: Uint32Array, dts: Float64Array, cto: Int32Array, scratch: Scratch): void {
  let min = Infinity
  let max = -Infinity
  let integral = true
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!
    const pts = dts[i]! + cto[i]!
    if (pts < min) min = pts
    if (pts > max) max = pts
    if (!Number.isInteger(pts)) integral = false
  }
  if (!integral || max - min >= PACKED_RANGE || order.length >= POSITION_BITS) {
    order.sort((a, b) => dts[a]! + cto[a]! - (dts[b]! + cto[b]!) || a - b)
    return
  }
  const keys = scratch.f64(order.length)
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!
    keys[k] = (dts[i]! + cto[i]! - min) * POSITION_BITS + i
  }
  if (!insertionSorted(keys)) keys.sort()
  for (let k = 0; k < keys.length; k++) order[k] = keys[k]! % POSITION_BITS
}

/** Moves per key an insertion sort may spend before it gives up (B-frames move a sample a few places). */
const INSERTION_MOVES_PER_KEY = 8

/**
 * Sort `keys` in place by insertion when they are nearly sorted, as decode-order samples are in
 * presentation order (each moves a few places): linear there, where a full sort is n log n. Gives
 * up, returning false with `keys` a permutation of what it was, once it has moved more than
 * INSERTION_MOVES_PER_KEY × n places, so a hostile order costs no more than that before the
 * native sort takes over.
 */
function insertionSorted(keys: Float64Array): boolean {
  let budget = INSERTION_MOVES_PER_KEY * keys.length
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
      if (--budget < 0) {
        keys[j + 1] = key
        return false
      }
    }
    keys[j + 1] = key
  }
  return true
}

function judgeTrack(track: TrackIndex, position: number, movieTimescale: number, fileSize: number | undefined, doubts: string[], scratch: Scratch): IndexedStream | undefined {
  const kind = KINDS[track.handler]
  if (!kind) return undefined
  const win = editWindow(track, movieTimescale)
  if (win.doubt) doubts.push(`track ${track.trackId}: edit list with ${win.doubt}`)
  const { dts, cto, offsets, durations: own, count, timescale: ts } = track
  const limit = fileSize ?? Infinity
  const editEnd = win.end
  const keep = scratch.u32(count)
  let kept = 0
  let beyond = 0
  let ordered = true
  let previous = -Infinity
  for (let i = 0; i < count; i++) {
    // A sample whose data starts inside the file counts, as ffprobe counts the partial packet it
    // reads there; one that starts at or past the end does not exist.
    if (offsets[i]! >= limit) {
      beyond++
      continue
    }
    const pts = cto ? dts[i]! + cto[i]! : dts[i]!
    if (pts >= editEnd) continue
    if (pts < previous) ordered = false
    previous = pts
    keep[kept++] = i
  }
  const order = keep.subarray(0, kept)
  if (cto && !ordered) sortByPts(order, dts, cto, scratch)
  const times = scratch.f64(kept)
  const durations = scratch.f64(kept)
  const { shift, startOffset } = win
  for (let k = 0; k < kept; k++) {
    const i = order[k]!
    times[k] = ((cto ? dts[i]! + cto[i]! : dts[i]!) - shift + startOffset) / ts
    durations[k] = own[i]! / ts
  }
  const span = spanOfSorted(times, durations, scratch)
  return {
    index: position,
    trackId: track.trackId,
    kind,
    codec: track.description?.codec ?? 'unknown',
    declaredSeconds: track.declaredDuration > 0 ? track.declaredDuration / ts : null,
    playableSeconds: span.playableSeconds,
    firstPts: span.firstTime,
    lastEnd: span.lastEnd,
    largestGapSeconds: span.largestGapSeconds,
    expectedPacketSeconds: span.expectedPacketSeconds,
    packets: kept,
    samplesBeyondEnd: beyond,
    indexedSamples: track.count,
  }
}

/** `scratch`: where the judgement's per-sample arrays come from (the caller's measurement scratch). */
export function judgeMp4(index: Mp4Index, scratch: Scratch = heapScratch): Mp4Judgement {
  const { movie } = index
  const doubts: string[] = []
  const warnings: string[] = [...index.notes]
  const streams = movie.tracks.flatMap((t, i) => judgeTrack(t, i, movie.movieTimescale, index.fileSize, doubts, scratch) ?? [])
  const beyond = streams.reduce((n, s) => n + s.samplesBeyondEnd, 0)
  if (beyond > 0) {
    warnings.push(`${beyond} sample(s) the index lists lie beyond the end of the file (${index.fileSize} bytes): the file is truncated or its index points past its end; they do not play`)
  }
  if (index.truncatedBox) warnings.push(`the ${index.truncatedBox.type} box at byte ${index.truncatedBox.start} claims ${index.truncatedBox.size} bytes, past the end of the file`)
  if (index.fileSize === undefined) doubts.push('the server did not say how long the file is, so samples cannot be checked against its end')
  return {
    container: index.majorBrand?.trim() === 'qt' ? 'mov' : 'mp4',
    streams,
    headerSeconds: movie.movieDuration > 0 ? movie.movieDuration / movie.movieTimescale : null,
    warnings,
    doubts,
  }
}
