// Fragmented MP4 (ISO/IEC 14496-12 §8.8): the moov lists no (or few) samples and each moof's
// track fragments (tfhd, tfdt, trun) list the rest. The samples are appended to the moov's typed
// tables, so the judgement reads one shape whatever the layout.
import { sgError } from '../../specs/lib/errors.js'
import { child, children, payloadStart, type BoxHeader } from './mp4-boxes.js'
import type { MovieIndex, SampleLimits, TrackIndex } from './mp4-sample-table.js'

/** Typed-array tables that grow by doubling while fragments are read. */
class Growing {
  count = 0
  dts = new Float64Array(0)
  cto = new Int32Array(0)
  durations = new Float64Array(0)
  sizes = new Uint32Array(0)
  offsets = new Float64Array(0)
  hasCto = false
  /** Decode time where the next fragment continues when it has no tfdt. */
  nextDts = 0

  constructor(from: TrackIndex) {
    this.#reserve(from.count + 1024)
    this.dts.set(from.dts)
    if (from.cto) {
      this.cto.set(from.cto)
      this.hasCto = true
    }
    this.durations.set(from.durations)
    this.sizes.set(from.sizes)
    this.offsets.set(from.offsets)
    this.count = from.count
    const last = from.count - 1
    this.nextDts = last >= 0 ? from.dts[last]! + from.durations[last]! : 0
  }

  #reserve(n: number): void {
    if (n <= this.dts.length) return
    const cap = Math.max(n, this.dts.length * 2)
    const grow = <T extends Float64Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap)
      b.set(a)
      return b
    }
    this.dts = grow(this.dts, (k) => new Float64Array(k))
    this.cto = grow(this.cto, (k) => new Int32Array(k))
    this.durations = grow(this.durations, (k) => new Float64Array(k))
    this.sizes = grow(this.sizes, (k) => new Uint32Array(k))
    this.offsets = grow(this.offsets, (k) => new Float64Array(k))
  }

  push(duration: number, size: number, offset: number, cto: number): void {
    this.#reserve(this.count + 1)
    const i = this.count++
    this.dts[i] = this.nextDts
    this.durations[i] = duration
    this.sizes[i] = size
    this.offsets[i] = offset
    this.cto[i] = cto
    if (cto !== 0) this.hasCto = true
    this.nextDts += duration
  }

  into(track: TrackIndex): void {
    track.count = this.count
    track.dts = this.dts.subarray(0, this.count)
    track.cto = this.hasCto ? this.cto.subarray(0, this.count) : undefined
    track.durations = this.durations.subarray(0, this.count)
    track.sizes = this.sizes.subarray(0, this.count)
    track.offsets = this.offsets.subarray(0, this.count)
  }
}

/** Collects the samples of every moof of one file, in file order. */
export class FragmentReader {
  readonly #movie: MovieIndex
  readonly #tracks = new Map<number, { track: TrackIndex; table: Growing }>()
  readonly #file: string
  readonly #limits: SampleLimits
  #total = 0
  fragments = 0

  constructor(movie: MovieIndex, file: string, limits: SampleLimits) {
    this.#movie = movie
    this.#file = file
    this.#limits = limits
    for (const track of movie.tracks) {
      this.#tracks.set(track.trackId, { track, table: new Growing(track) })
      this.#total += track.count
    }
  }

  /** Read one whole moof box, `moofStart` being its absolute offset in the file. */
  addMoof(moof: Buffer, moofStart: number): void {
    this.fragments++
    const root: BoxHeader = { type: 'moof', start: 0, headerSize: 8, size: moof.length }
    let nextBase = moofStart
    for (const traf of children(moof, payloadStart(root), moof.length)) {
      if (traf.type !== 'traf') continue
      nextBase = this.#readTraf(moof, traf, moofStart, nextBase)
    }
  }

  #readTraf(buf: Buffer, traf: BoxHeader, moofStart: number, implicitBase: number): number {
    const tfhd = child(buf, traf, 'tfhd')
    if (!tfhd) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${this.#file}: traf without tfhd`, { file: this.#file })
    let p = payloadStart(tfhd)
    const flags = buf.readUIntBE(p + 1, 3)
    const trackId = buf.readUInt32BE(p + 4)
    p += 8
    const entry = this.#tracks.get(trackId)
    if (!entry) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${this.#file}: a fragment names track ${trackId}, which the moov does not have`, { file: this.#file })
    const trex = this.#movie.trex.get(trackId) ?? { duration: 0, size: 0, flags: 0 }
    let base = flags & 0x20000 ? moofStart : implicitBase
    if (flags & 0x01) { base = Number(buf.readBigUInt64BE(p)); p += 8 }
    if (flags & 0x02) p += 4
    let defaultDuration = trex.duration
    let defaultSize = trex.size
    if (flags & 0x08) { defaultDuration = buf.readUInt32BE(p); p += 4 }
    if (flags & 0x10) defaultSize = buf.readUInt32BE(p)
    const tfdt = child(buf, traf, 'tfdt')
    if (tfdt) {
      const q = payloadStart(tfdt)
      entry.table.nextDts = buf[q] === 1 ? Number(buf.readBigUInt64BE(q + 4)) : buf.readUInt32BE(q + 4)
    }
    let dataAt = base
    for (const trun of children(buf, payloadStart(traf), traf.start + traf.size)) {
      if (trun.type !== 'trun') continue
      let q = payloadStart(trun)
      const tf = buf.readUIntBE(q + 1, 3)
      const count = buf.readUInt32BE(q + 4)
      q += 8
      if ((this.#total += count) > this.#limits.maxSamples) {
        throw sgError('SG_ERR_MEDIA_TOO_LARGE', `${this.#file}: more than ${this.#limits.maxSamples} samples`, { file: this.#file, maxPackets: this.#limits.maxSamples })
      }
      if (tf & 0x01) { dataAt = base + buf.readInt32BE(q); q += 4 }
      if (tf & 0x04) q += 4
      const stride = ((tf & 0x100) ? 4 : 0) + ((tf & 0x200) ? 4 : 0) + ((tf & 0x400) ? 4 : 0) + ((tf & 0x800) ? 4 : 0)
      if (q + count * stride > trun.start + trun.size) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${this.#file}: trun shorter than its sample count`, { file: this.#file })
      for (let i = 0; i < count; i++) {
        const duration = tf & 0x100 ? buf.readUInt32BE((q += 4) - 4) : defaultDuration
        const size = tf & 0x200 ? buf.readUInt32BE((q += 4) - 4) : defaultSize
        if (tf & 0x400) q += 4
        // Version 0 offsets are read signed too, as for ctts.
        const cto = tf & 0x800 ? buf.readInt32BE((q += 4) - 4) : 0
        entry.table.push(duration, size, dataAt, cto)
        dataAt += size
      }
    }
    return dataAt
  }

  /** Move the collected samples into the movie's tracks. */
  finish(): void {
    for (const { track, table } of this.#tracks.values()) table.into(track)
  }
}
