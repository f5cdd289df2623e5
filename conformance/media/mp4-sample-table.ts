// The moov's sample tables (ISO/IEC 14496-12 §8.6–8.7) read straight into typed arrays: per track
// every sample's decode time, composition offset, duration, size and byte offset.
//
// Why not mp4box (GPAC's MP4Box.js 2.4, which the issue suggests for boxes): it builds JS objects
// per box and per sample and runs a streaming state machine around them. On a realistic
// 10-minute preview (75 MB, 340 KB moov, 43,126 samples) it took 85–180 ms of CPU; this DataView
// walk of stts/ctts/stsz/stsc/stco finds the same durations and last byte in 1.3 ms warm (10 ms
// cold), i.e. 15 s instead of ~15 min of CPU at 10,000 previews, and holds five typed arrays per
// track instead of ~40,000 objects. Only the dozen boxes the judgement needs are read; anything
// else in the moov is skipped by size.
import { sgError } from '../../specs/lib/errors.js'
import { child, children, descend, payloadStart, type BoxHeader } from './mp4-boxes.js'
import { describeSamples, type SampleDescription } from './mp4-codec.js'
import { heapScratch, type Scratch } from './scratch.js'

/** One edit (elst entry): `mediaTime` -1 is an empty edit (a start offset). */
export interface Edit { segmentDuration: number; mediaTime: number; rate: number }

export interface TrackIndex {
  trackId: number
  /** hdlr handler type: 'vide', 'soun', 'text', 'sbtl', 'meta', … */
  handler: string
  description: SampleDescription | undefined
  timescale: number
  /** mdhd duration in timescale units: a claim, never trusted. */
  declaredDuration: number
  edits: Edit[]
  count: number
  /** Decode time of each sample, in timescale units. */
  dts: Float64Array
  /** Composition offset (pts − dts) per sample, when the track has a ctts or trun offsets. */
  cto: Int32Array | undefined
  durations: Float64Array
  sizes: Uint32Array
  /** Absolute byte offset of each sample in the file. */
  offsets: Float64Array
}

export interface MovieIndex {
  movieTimescale: number
  /** mvhd duration in movie timescale units: what a header claims (ffprobe's format.duration). */
  movieDuration: number
  tracks: TrackIndex[]
  /** mvex present: samples (also) come in moof fragments. */
  fragmented: boolean
  /** trex defaults by track id, for fragments. */
  trex: Map<number, { duration: number; size: number; flags: number }>
}

export interface SampleLimits {
  maxSamples: number
  /** Where the per-sample arrays come from (default: their own buffers). */
  scratch?: Scratch
}

const bad = (file: string, what: string): Error => sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${file}: ${what}`, { file })

function fullBox(buf: Buffer, box: BoxHeader): { version: number; flags: number; at: number } {
  const p = payloadStart(box)
  return { version: buf[p]!, flags: buf.readUIntBE(p + 1, 3), at: p + 4 }
}

function need(buf: Buffer, box: BoxHeader, at: number, bytes: number, file: string): void {
  if (at + bytes > box.start + box.size) throw bad(file, `${box.type} box is shorter than its entry count says`)
}

function mdhd(buf: Buffer, box: BoxHeader): { timescale: number; duration: number } {
  const { version, at } = fullBox(buf, box)
  return version === 1
    ? { timescale: buf.readUInt32BE(at + 16), duration: Number(buf.readBigUInt64BE(at + 20)) }
    : { timescale: buf.readUInt32BE(at + 8), duration: buf.readUInt32BE(at + 12) }
}

function elst(buf: Buffer, box: BoxHeader | undefined, file: string): Edit[] {
  if (!box) return []
  const { version, at } = fullBox(buf, box)
  const n = buf.readUInt32BE(at)
  const w = version === 1 ? 20 : 12
  need(buf, box, at + 4, n * w, file)
  const out: Edit[] = []
  for (let i = 0, p = at + 4; i < n && i < 1000; i++, p += w) {
    out.push(version === 1
      ? { segmentDuration: Number(buf.readBigUInt64BE(p)), mediaTime: Number(buf.readBigInt64BE(p + 8)), rate: buf.readInt32BE(p + 16) / 65536 }
      : { segmentDuration: buf.readUInt32BE(p), mediaTime: buf.readInt32BE(p + 4), rate: buf.readInt32BE(p + 8) / 65536 })
  }
  return out
}

/** Decode times and durations from stts (run-length coded deltas). */
function stts(buf: Buffer, box: BoxHeader, count: number, file: string, scratch: Scratch): { dts: Float64Array; durations: Float64Array } {
  const { at } = fullBox(buf, box)
  const n = buf.readUInt32BE(at)
  need(buf, box, at + 4, n * 8, file)
  const dts = scratch.f64(count)
  const durations = scratch.f64(count)
  let i = 0
  let t = 0
  for (let e = 0, p = at + 4; e < n; e++, p += 8) {
    const run = buf.readUInt32BE(p)
    const delta = buf.readUInt32BE(p + 4)
    if (i + run > count) throw bad(file, `stts describes more than the ${count} samples stsz lists`)
    for (let k = 0; k < run; k++, i++) {
      dts[i] = t
      durations[i] = delta
      t += delta
    }
  }
  if (i !== count) throw bad(file, `stts describes ${i} samples, stsz ${count}`)
  return { dts, durations }
}

function ctts(buf: Buffer, box: BoxHeader | undefined, count: number, file: string, scratch: Scratch): Int32Array | undefined {
  if (!box) return undefined
  const { at } = fullBox(buf, box)
  const n = buf.readUInt32BE(at)
  need(buf, box, at + 4, n * 8, file)
  const out = scratch.i32(count)
  let i = 0
  // Version 0 offsets are unsigned by the letter of the spec, but writers put negative values
  // there and every demuxer (ffmpeg's included) reads them as signed.
  for (let e = 0, p = at + 4; e < n && i < count; e++, p += 8) {
    const run = buf.readUInt32BE(p)
    const off = buf.readInt32BE(p + 4)
    for (let k = 0; k < run && i < count; k++) out[i++] = off
  }
  return out
}

function sampleSizes(buf: Buffer, stbl: BoxHeader, file: string, limits: SampleLimits): Uint32Array {
  const scratch = limits.scratch ?? heapScratch
  const stsz = child(buf, stbl, 'stsz')
  if (stsz) {
    const { at } = fullBox(buf, stsz)
    const uniform = buf.readUInt32BE(at)
    const count = buf.readUInt32BE(at + 4)
    if (count > limits.maxSamples) throw sgError('SG_ERR_MEDIA_TOO_LARGE', `${file}: a track lists ${count} samples (limit ${limits.maxSamples})`, { file, maxPackets: limits.maxSamples })
    const sizes = scratch.u32(count)
    if (uniform !== 0) return sizes.fill(uniform)
    need(buf, stsz, at + 8, count * 4, file)
    for (let i = 0, p = at + 8; i < count; i++, p += 4) sizes[i] = buf.readUInt32BE(p)
    return sizes
  }
  const stz2 = child(buf, stbl, 'stz2')
  if (!stz2) throw bad(file, 'a track has neither stsz nor stz2')
  const { at } = fullBox(buf, stz2)
  const field = buf[at + 3]!
  const count = buf.readUInt32BE(at + 4)
  if (count > limits.maxSamples) throw sgError('SG_ERR_MEDIA_TOO_LARGE', `${file}: a track lists ${count} samples (limit ${limits.maxSamples})`, { file, maxPackets: limits.maxSamples })
  if (field !== 4 && field !== 8 && field !== 16) throw bad(file, `stz2 field size ${field}`)
  need(buf, stz2, at + 8, Math.ceil((count * field) / 8), file)
  const sizes = scratch.u32(count)
  for (let i = 0; i < count; i++) {
    const p = at + 8
    sizes[i] = field === 16 ? buf.readUInt16BE(p + i * 2) : field === 8 ? buf[p + i]! : (buf[p + (i >> 1)]! >> ((i & 1) === 0 ? 4 : 0)) & 0x0f
  }
  return sizes
}

/** Byte offset of every sample: chunk offsets (stco/co64) walked with the chunk map (stsc). */
function sampleOffsets(buf: Buffer, stbl: BoxHeader, sizes: Uint32Array, file: string, scratch: Scratch): Float64Array {
  const co = child(buf, stbl, 'stco') ?? child(buf, stbl, 'co64')
  const stsc = child(buf, stbl, 'stsc')
  const offsets = scratch.f64(sizes.length)
  if (sizes.length === 0) return offsets
  if (!co || !stsc) throw bad(file, 'a track without stco/co64 or stsc')
  const wide = co.type === 'co64'
  const c = fullBox(buf, co)
  const chunks = buf.readUInt32BE(c.at)
  need(buf, co, c.at + 4, chunks * (wide ? 8 : 4), file)
  const chunkOffset = (k: number): number => (wide ? Number(buf.readBigUInt64BE(c.at + 4 + k * 8)) : buf.readUInt32BE(c.at + 4 + k * 4))
  const m = fullBox(buf, stsc)
  const entries = buf.readUInt32BE(m.at)
  need(buf, stsc, m.at + 4, entries * 12, file)
  let sample = 0
  for (let e = 0; e < entries && sample < sizes.length; e++) {
    const p = m.at + 4 + e * 12
    const firstChunk = buf.readUInt32BE(p) - 1
    const perChunk = buf.readUInt32BE(p + 4)
    const nextFirst = e + 1 < entries ? buf.readUInt32BE(p + 12) - 1 : chunks
    if (firstChunk < 0 || nextFirst > chunks || nextFirst < firstChunk) throw bad(file, 'stsc names chunks stco does not have')
    for (let k = firstChunk; k < nextFirst && sample < sizes.length; k++) {
      let at = chunkOffset(k)
      for (let s = 0; s < perChunk && sample < sizes.length; s++, sample++) {
        offsets[sample] = at
        at += sizes[sample]!
      }
    }
  }
  if (sample !== sizes.length) throw bad(file, `the chunk map places ${sample} of ${sizes.length} samples`)
  return offsets
}

function readTrack(buf: Buffer, trak: BoxHeader, file: string, limits: SampleLimits): TrackIndex | undefined {
  const tkhd = child(buf, trak, 'tkhd')
  const mdia = child(buf, trak, 'mdia')
  const mdhdBox = mdia && child(buf, mdia, 'mdhd')
  const hdlr = mdia && child(buf, mdia, 'hdlr')
  const stbl = mdia && descend(buf, mdia, ['minf', 'stbl'])
  if (!tkhd || !mdhdBox || !hdlr || !stbl) throw bad(file, 'a trak without tkhd, mdhd, hdlr or stbl')
  const tk = fullBox(buf, tkhd)
  const trackId = buf.readUInt32BE(tk.at + (tk.version === 1 ? 16 : 8))
  const handler = buf.toString('latin1', payloadStart(hdlr) + 8, payloadStart(hdlr) + 12)
  const { timescale, duration } = mdhd(buf, mdhdBox)
  if (timescale === 0) throw bad(file, `track ${trackId} has timescale 0`)
  const stsd = child(buf, stbl, 'stsd')
  const description = stsd && describeSamples(buf, stsd, handler)
  const sizes = sampleSizes(buf, stbl, file, limits)
  const sttsBox = child(buf, stbl, 'stts')
  if (!sttsBox) throw bad(file, `track ${trackId} has no stts`)
  const scratch = limits.scratch ?? heapScratch
  const { dts, durations } = stts(buf, sttsBox, sizes.length, file, scratch)
  const edts = child(buf, trak, 'edts')
  return {
    trackId,
    handler,
    description,
    timescale,
    declaredDuration: duration,
    edits: elst(buf, edts && child(buf, edts, 'elst'), file),
    count: sizes.length,
    dts,
    cto: ctts(buf, child(buf, stbl, 'ctts'), sizes.length, file, scratch),
    durations,
    sizes,
    offsets: sampleOffsets(buf, stbl, sizes, file, scratch),
  }
}

/** Read a whole moov box (`moov` holds it from its header on). */
export function readMovie(moov: Buffer, file: string, limits: SampleLimits): MovieIndex {
  const root: BoxHeader = { type: 'moov', start: 0, headerSize: moov.readUInt32BE(0) === 1 ? 16 : 8, size: moov.length }
  const mvhd = child(moov, root, 'mvhd')
  if (!mvhd) throw bad(file, 'moov without mvhd')
  const mv = fullBox(moov, mvhd)
  const movieTimescale = moov.readUInt32BE(mv.at + (mv.version === 1 ? 16 : 8))
  const movieDuration = mv.version === 1 ? Number(moov.readBigUInt64BE(mv.at + 20)) : moov.readUInt32BE(mv.at + 12)
  const tracks: TrackIndex[] = []
  let total = 0
  for (const b of children(moov, payloadStart(root), moov.length)) {
    if (b.type !== 'trak') continue
    const track = readTrack(moov, b, file, limits)
    if (!track) continue
    total += track.count
    if (total > limits.maxSamples) throw sgError('SG_ERR_MEDIA_TOO_LARGE', `${file}: more than ${limits.maxSamples} samples`, { file, maxPackets: limits.maxSamples })
    tracks.push(track)
  }
  const mvex = child(moov, root, 'mvex')
  const trex = new Map<number, { duration: number; size: number; flags: number }>()
  if (mvex) {
    for (const b of children(moov, payloadStart(mvex), mvex.start + mvex.size)) {
      if (b.type !== 'trex') continue
      const { at } = fullBox(moov, b)
      trex.set(moov.readUInt32BE(at), { duration: moov.readUInt32BE(at + 8), size: moov.readUInt32BE(at + 12), flags: moov.readUInt32BE(at + 16) })
    }
  }
  return { movieTimescale: movieTimescale || 1000, movieDuration, tracks, fragmented: mvex !== undefined, trex }
}
