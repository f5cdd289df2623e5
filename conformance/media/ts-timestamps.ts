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

interface Pes { pts: number; payload: Buffer[] }

/** Walk whole 188-byte packets of `buf` (aligned at its start), calling `visit` with each payload. */
function packets(buf: Buffer, visit: (pid: number, start: boolean, payload: Buffer) => void): void {
  for (let at = 0; at + PACKET <= buf.length; at += PACKET) {
    if (buf[at] !== 0x47) continue
    const pid = ((buf[at + 1]! & 0x1f) << 8) | buf[at + 2]!
    const start = (buf[at + 1]! & 0x40) !== 0
    const afc = (buf[at + 3]! >> 4) & 0x03
    if ((afc & 0x01) === 0) continue
    const from = afc === 3 ? at + 5 + buf[at + 4]! : at + 4
    if (from >= at + PACKET) continue
    visit(pid, start, buf.subarray(from, at + PACKET))
  }
}

/** Elementary streams named by the PMT in the head, or undefined when the head has none. */
export function readProgram(head: Buffer): TsStreamInfo[] | undefined {
  let pmtPid: number | undefined
  let streams: TsStreamInfo[] | undefined
  packets(head, (pid, start, payload) => {
    if (!start || streams) return
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
    }
  })
  return streams
}

const readPts = (b: Buffer, at: number): number =>
  (b[at]! & 0x0e) * 536870912 + (b[at + 1]! << 22) + ((b[at + 2]! >> 1) << 15) + (b[at + 3]! << 7) + (b[at + 4]! >> 1)

/** PES packets of `pid` that start inside `buf` (the last one may be cut off at the buffer's end). */
function pesOf(buf: Buffer, pid: number): Pes[] {
  const out: Pes[] = []
  let current: Pes | undefined
  packets(buf, (p, start, payload) => {
    if (p !== pid) return
    if (start) {
      current = undefined
      if (payload.length < 14 || payload[0] !== 0 || payload[1] !== 0 || payload[2] !== 1) return
      if ((payload[7]! & 0x80) === 0) return
      current = { pts: readPts(payload, 9), payload: [payload.subarray(9 + payload[8]!)] }
      out.push(current)
    } else current?.payload.push(payload)
  })
  return out
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
export function streamEnds(head: Buffer, tail: Buffer, program: TsStreamInfo[]): TsStreamEnds[] {
  const out: TsStreamEnds[] = []
  for (const s of program) {
    const first = pesOf(head, s.pid)
    const last = pesOf(tail, s.pid)
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
      const { frames, rate } = adtsFrames(Buffer.concat(final.payload))
      if (rate && frames > 0) {
        frameSeconds = 1024 / rate
        lastEnd = at(final.pts) + frames * frameSeconds
      }
    }
    const firstPayload = Buffer.concat(first[0]!.payload)
    const framing = s.codec === 'aac' ? adtsProblem(firstPayload) : s.codec === 'h264' || s.codec === 'hevc' ? annexBProblem(s.codec, firstPayload) : undefined
    const largest = steps.reduce((m, x) => Math.max(m, x - stepSeconds), 0)
    out.push({ pid: s.pid, kind: s.kind, codec: s.codec, firstPts: headTimes[0]!, lastPts: tailTimes[tailTimes.length - 1]!, lastEnd, frameSeconds, largestGapSeconds: largest, ...(framing ? { framing } : {}) })
  }
  return out
}
