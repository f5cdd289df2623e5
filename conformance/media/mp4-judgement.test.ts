// The MP4 judgement's presentation order (R5.1-3): samples with composition offsets (B-frames) are
// put in presentation order by packed keys sorted natively, or, for times packed keys cannot hold
// exactly, by a comparator. Both orders must be the same one, ties by sample position.
import t from 'tap'
import type { Mp4Index } from './mp4-index.js'
import { judgeMp4 } from './mp4-judgement.js'
import type { TrackIndex } from './mp4-sample-table.js'
import { freeSlabCount, SlabScratch } from './scratch.js'
import { spanOfSorted } from './span.js'

const TIMESCALE = 12_800
const FRAME = 512 // 25 fps

/** An IBBP-style video track of `frames` frames: decode order differs from presentation order. */
function bFrameTrack(frames: number, dtsOffset: number): TrackIndex {
  const dts = new Float64Array(frames)
  const cto = new Int32Array(frames)
  // Pattern per group of three: I/P shown two frames later, the two B frames one frame earlier each.
  const pattern = [2 * FRAME, -FRAME, -FRAME]
  for (let i = 0; i < frames; i++) {
    dts[i] = dtsOffset + i * FRAME
    cto[i] = i < frames - (frames % 3) ? pattern[i % 3]! + FRAME : FRAME
  }
  return {
    trackId: 1, handler: 'vide', description: undefined, timescale: TIMESCALE, declaredDuration: frames * FRAME, edits: [],
    count: frames, dts, cto, durations: new Float64Array(frames).fill(FRAME), sizes: new Uint32Array(frames).fill(100),
    offsets: Float64Array.from({ length: frames }, (_, i) => 1000 + i * 100),
  }
}

const indexOf = (track: TrackIndex): Mp4Index => ({
  movie: { movieTimescale: 1000, movieDuration: 0, tracks: [track], fragmented: false, trex: new Map() },
  majorBrand: 'isom', moov: { start: 0, size: 0 }, fragments: 0, fileSize: 10_000_000, notes: [],
})

t.test('packed-key and comparator orders give the same stream (R5.1-3)', async (t) => {
  const frames = 15_000 // 600 s at 25 fps
  const packed = judgeMp4(indexOf(bFrameTrack(frames, 0))).streams[0]!
  // A fractional decode time cannot be packed exactly: the comparator orders it.
  const compared = judgeMp4(indexOf(bFrameTrack(frames, 0.5))).streams[0]!
  t.equal(packed.packets, frames)
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9
  t.ok(close(packed.playableSeconds, 600), 'every frame in presentation order: no step is a gap')
  t.ok(close(packed.largestGapSeconds, 0))
  t.ok(close(compared.playableSeconds, packed.playableSeconds))
  t.ok(close(compared.largestGapSeconds, packed.largestGapSeconds))
  t.ok(close(compared.firstPts! - packed.firstPts!, 0.5 / TIMESCALE))
})

t.test('a frame missing from presentation order shows as the gap it is in both orders', async (t) => {
  for (const offset of [0, 0.5]) {
    const track = bFrameTrack(15_000, offset)
    // 100 s of frames pushed 3 s later than they should play: a gap after the first 100 s.
    for (let i = 2_500; i < track.count; i++) track.dts[i] = track.dts[i]! + 3 * TIMESCALE
    const s = judgeMp4(indexOf(track)).streams[0]!
    t.ok(Math.abs(s.playableSeconds - 100) < 0.1, `offset ${offset}: the span stops at the gap (${s.playableSeconds} s)`)
    t.ok(s.largestGapSeconds > 2.5, `offset ${offset}: the gap is measured`)
  }
})

t.test('slab scratch: the same judgement as plain arrays, slabs reused, no use after release', async (t) => {
  const plain = judgeMp4(indexOf(bFrameTrack(15_000, 0))).streams[0]!
  const scratch = new SlabScratch()
  const slabbed = judgeMp4(indexOf(bFrameTrack(15_000, 0)), scratch).streams[0]!
  t.same(slabbed, plain)
  const before = freeSlabCount()
  scratch.release()
  t.ok(freeSlabCount() > before, 'released slabs are kept for the next measurement')
  t.throws(() => scratch.f64(1), /after release/)
  // A reused slab hands out zeroed views, as new arrays are.
  const again = new SlabScratch()
  t.ok(again.f64(1000).every((x) => x === 0))
  t.ok(again.u32(1001).every((x) => x === 0))
  again.release()
})

t.test('a hostile presentation order (every sample reversed) is sorted as well, past the insertion budget', async (t) => {
  const frames = 3_000
  const track = bFrameTrack(frames, 0)
  // Decode order is presentation order reversed: each sample would move thousands of places.
  for (let i = 0; i < frames; i++) track.cto![i] = (frames - 1 - 2 * i) * FRAME
  const s = judgeMp4(indexOf(track)).streams[0]!
  t.equal(s.packets, frames)
  t.ok(Math.abs(s.playableSeconds - frames * FRAME / TIMESCALE) < 1e-9, 'every frame in order: the full span')
  t.ok(Math.abs(s.largestGapSeconds) < 1e-9, 'no gap')
})

t.test('the expected step is the median step, found without sorting (R5.1-3 gap rule)', async (t) => {
  // Steps 0.04 ×5, 0.08 ×3, 3 ×1: sorted, the middle one (index 4 of 9) is 0.04.
  const steps = [0.08, 0.04, 3, 0.04, 0.08, 0.04, 0.04, 0.08, 0.04]
  const times = Float64Array.from([0, ...steps.map((_, i) => steps.slice(0, i + 1).reduce((a, b) => a + b, 0))])
  const span = spanOfSorted(times, new Float64Array(times.length).fill(0.04))
  t.ok(Math.abs(span.expectedPacketSeconds - 0.04) < 1e-9, 'the median step is 0.04 s')
  t.ok(Math.abs(span.largestGapSeconds - 2.96) < 1e-9, 'the 3 s step is 2.96 s beyond the median')
})
