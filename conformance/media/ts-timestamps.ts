// MPEG-TS timestamps from the two ends of a segment (ISO/IEC 13818-1): the PAT and PMT at its
// head name the elementary streams, each PES header carries its PTS, so the first packets give
// where a stream starts and the last ones where it ends. The last audio PES holds several ADTS
// frames; they are counted so the end is the end of the last frame, as ffprobe (which splits them
// into one packet per frame) sees it.
//
// Why not mux.js (its lib/tools/ts-inspector.js does this for players): it answers first and last
// PTS per track type only, not per PID, and neither the step between frames nor the frames inside
// the last PES, so a segment's end would be short by one frame; it also pulls @babel/runtime and
// `global` in for a browser environment. The part needed here is the PES header's 33-bit PTS.
import { adtsProblem, annexBProblem } from './sample-framing.js'
import type { StreamKind } from './measure-file.js'

const PACKET = 188
const CLOCK = 90_000

/** PMT stream_type → ffprobe codec_name. */
const STREAM_TYPES: Record<number, { kind: StreamKind; codec: string }> = {
  0x1b: { kind: 'video', codec: 'h264' }, 0x24: { kind: 'video', codec: 'hevc' }, 0x02: { kind: 'video', codec: 'mpeg2video' },
  0x10: { kind: 'video', codec: 'mpeg4' }, 0x0f: { kind: 'audio', codec: 'aac' }, 0x11: { kind: 'audio', codec: 'aac_latm' },
  0x03: { kind: 'audio', codec: 'mp3' }, 0x04: { kind: 'audio', codec: 'mp3' }, 0x81: { kind: 'audio', codec: 'ac3' },
}

export interface TsStreamInfo { pid: number; kind: StreamKind; codec: string }

/** A PES packet that starts in a buffer: its PTS and its payload as [from, to) byte ranges of that buffer (no copies). */
interface PesRef { pts: number; parts: number[] }

/** The PES packets of a program's streams found in one buffer (a segment's head or tail), by PID. */
export interface PesIndex { buf: Buffer; byPid: Map<number, PesRef[]> }

/**
 * Walk whole 188-byte packets of `buf` (aligned at its start), calling `visit` with each packet's
 * payload range; `visit` returning true stops the walk. Offsets, not subarrays: a segment end is
 * walked per PID and per window, and a Buffer per packet was most of the HLS index path's CPU.
 */
function packets(buf: Buffer, visit: (pid: number, start: boolean, from: number, to: number) => boolean | void): void {
  for (let at = 0; at + PACKET <= buf.length; at += PACKET) {
    if (buf[at] !== 0x47) continue
    const pid = ((buf[at + 1]! & 0x1f) << 8) | buf[at + 2]!
    const start = (buf[at + 1]! & 0x40) !== 0
    const afc = (buf[at + 3]! >> 4) & 0x03
    if ((afc & 0x01) === 0) continue
    const from = afc === 3 ? at + 5 + buf[at + 4]! : at + 4
    if (from >= at + PACKET) continue
    if (visit(pid, start, from, at + PACKET) === true) return
  }
}

/** Elementary streams named by the PMT in the head, or undefined when the head has none. */
export function readProgram(head: Buffer): TsStreamInfo[] | undefined {
  let pmtPid: number | undefined
  let streams: TsStreamInfo[] | undefined
  packets(head, (pid, start, from, to) => {
    if (!start || (pid !== 0 && pid !== pmtPid)) return false
    const payload = head.subarray(from, to)
    const section = payload.subarray(1 + payload[0]!)
    if (pid === 0 && section[0] === 0x00 && section.length >= 12) {
      pmtPid = ((section[10]! & 0x1f) << 8) | section[11]!
      if (((section[8]! << 8) | section[9]!) === 0 && section.length >= 16) pmtPid = ((section[14]! & 0x1f) << 8) | section[15]!
    } else if (pid === pmtPid && section[0] === 0x02 && section.length >= 12) {
      const length = ((section[1]! & 0x0f) << 8) | section[2]!
      const end = Math.min(section.length, 3 + length - 4)
      let p = 12 + (((section[10]! & 0x0f) << 8) | section[11]!)
      const found: TsStreamInfo[] = []
      while (p + 5 <= end) {
        const type = section[p]!
        const esPid = ((section[p + 1]! & 0x1f) << 8) | section[p + 2]!
        const known = STREAM_TYPES[type]
        if (known) found.push({ pid: esPid, ...known })
        p += 5 + (((section[p + 3]! & 0x0f) << 8) | section[p + 4]!)
      }
      streams = found
      return true
    }
    return false
  })
  return streams
}

const readPts = (b: Buffer, at: number): number =>
  (b[at]! & 0x0e) * 536870912 + (b[at + 1]! << 22) + ((b[at + 2]! >> 1) << 15) + (b[at + 3]! << 7) + (b[at + 4]! >> 1)

/** One walk of `buf`: the PES packets of the program's streams that start inside it (the last may be cut off at its end). */
export function indexPes(buf: Buffer, program: readonly TsStreamInfo[]): PesIndex {
  const byPid = new Map<number, PesRef[]>()
  const current = new Map<number, PesRef | undefined>()
  for (const s of program) byPid.set(s.pid, [])
  packets(buf, (pid, start, from, to) => {
    const list = byPid.get(pid)
    if (!list) return
    if (!start) {
      current.get(pid)?.parts.push(from, to)
      return
    }
    current.set(pid, undefined)
    if (to - from < 14 || buf[from] !== 0 || buf[from + 1] !== 0 || buf[from + 2] !== 1) return
    if ((buf[from + 7]! & 0x80) === 0) return
    const pes: PesRef = { pts: readPts(buf, from + 9), parts: [Math.min(to, from + 9 + buf[from + 8]!), to] }
    current.set(pid, pes)
    list.push(pes)
  })
  return { buf, byPid }
}

/** Whether every stream of the program has a PES starting in the indexed buffer. */
export const everyStreamStarts = (index: PesIndex, program: readonly TsStreamInfo[]): boolean =>
  program.length > 0 && program.every((s) => (index.byPid.get(s.pid)?.length ?? 0) > 0)

/** A PES packet's payload, copied out of its packets. */
function payloadOf(index: PesIndex, pes: PesRef): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < pes.parts.length; i += 2) parts.push(index.buf.subarray(pes.parts[i], pes.parts[i + 1]))
  return Buffer.concat(parts)
}

/** ADTS frames in an audio PES payload, and the sample rate of the first. */
function adtsFrames(payload: Buffer): { frames: number; rate: number | undefined } {
  const rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
  let at = 0
  let frames = 0
  let rate: number | undefined
  while (at + 7 <= payload.length && payload.readUInt16BE(at) >> 4 === 0xfff) {
    rate ??= rates[(payload[at + 2]! >> 2) & 0x0f]
    const length = ((payload[at + 3]! & 0x03) << 11) | (payload[at + 4]! << 3) | (payload[at + 5]! >> 5)
    if (length < 7) break
    frames += 1 + (payload[at + 6]! & 0x03)
    at += length
  }
  return { frames, rate }
}

export interface TsStreamEnds {
  pid: number
  kind: StreamKind
  codec: string
  /** Seconds, on the 90 kHz clock unwrapped from the first PTS. */
  firstPts: number
  lastPts: number
  /** Where the stream's last frame ends. */
  lastEnd: number
  /** Median step between frames seen at either end. */
  frameSeconds: number
  /** Largest step between PES packets seen at either end, beyond their median step. */
  largestGapSeconds: number
  framing?: string
}

const median = (xs: number[]): number => {
  const s = [...xs].filter((x) => x > 0).sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)]! : 0
}

/** First and last timestamps of each stream from a segment's head and tail (tail aligned to packets from the file's start). */
export function streamEnds(head: Buffer | PesIndex, tail: Buffer | PesIndex, program: TsStreamInfo[]): TsStreamEnds[] {
  const headIndex = Buffer.isBuffer(head) ? indexPes(head, program) : head
  const tailIndex = Buffer.isBuffer(tail) ? indexPes(tail, program) : tail
  const out: TsStreamEnds[] = []
  for (const s of program) {
    const first = headIndex.byPid.get(s.pid) ?? []
    const last = tailIndex.byPid.get(s.pid) ?? []
    if (first.length === 0 || last.length === 0) continue
    const base = first[0]!.pts
    // Unwrap the 33-bit clock relative to the first PTS (a segment never spans 13 hours).
    const at = (pts: number): number => (pts < base - 2 ** 32 ? pts + 2 ** 33 : pts) / CLOCK
    const headTimes = first.map((p) => at(p.pts)).sort((a, b) => a - b)
    const tailTimes = last.map((p) => at(p.pts)).sort((a, b) => a - b)
    const steps = [...headTimes.slice(1).map((t, i) => t - headTimes[i]!), ...tailTimes.slice(1).map((t, i) => t - tailTimes[i]!)]
    const stepSeconds = median(steps)
    let frameSeconds = stepSeconds
    let lastEnd = tailTimes[tailTimes.length - 1]! + frameSeconds
    if (s.codec === 'aac') {
      const final = last.reduce((a, b) => (at(b.pts) > at(a.pts) ? b : a))
      const { frames, rate } = adtsFrames(payloadOf(tailIndex, final))
      if (rate && frames > 0) {
        frameSeconds = 1024 / rate
        lastEnd = at(final.pts) + frames * frameSeconds
      }
    }
    const firstPayload = payloadOf(headIndex, first[0]!)
    const framing = s.codec === 'aac' ? adtsProblem(firstPayload) : s.codec === 'h264' || s.codec === 'hevc' ? annexBProblem(s.codec, firstPayload) : undefined
    const largest = steps.reduce((m, x) => Math.max(m, x - stepSeconds), 0)
    out.push({ pid: s.pid, kind: s.kind, codec: s.codec, firstPts: headTimes[0]!, lastPts: tailTimes[tailTimes.length - 1]!, lastEnd, frameSeconds, largestGapSeconds: largest, ...(framing ? { framing } : {}) })
  }
  return out
}
