// What a media file actually plays, measured from its packets rather than its header (R5.1-3,
// R5.2-2). A provider who wants to pass the 10-minute preview rule can serve a truncated file whose
// moov still claims 11 minutes, patched mvhd/tkhd/mdhd durations, a video track that stops early,
// or a timestamp jump; ffprobe's format.duration believes all of them. The packets do not lie:
//
// - per stream, times are the packets' presentation times (pts), sorted; dts only when a stream has
//   no pts at all. Never a mix: Matroska stores no dts and ffprobe derives one only after the
//   first few frames, so `dts ?? pts` put B-frame streams' first packets on the pts clock and the
//   rest on the dts clock (two frames earlier): a 600 s file measured 598 s;
// - the expected packet duration is the median step between consecutive packets;
// - the contiguous span runs from the first packet until the first step longer than
//   expected + GAP_THRESHOLD_SECONDS; a packet's own duration counts only up to that same bound,
//   because muxers fold a timestamp jump into the duration of the packet before it;
// - the file's playable seconds are the MINIMUM over its audio and video streams (a course whose
//   picture stops while the sound goes on does not play); cover art (attached_pic) is ignored.
import { sgError } from '../../specs/lib/errors.js'
import { fileInput, lastLine, resolveFfprobe, runFfprobe } from './ffprobe.js'
import type { FfprobeBinary, ProbeJson } from './ffprobe.js'
import { GAP_THRESHOLD_SECONDS, spanOfSorted, type Span } from './span.js'

export { GAP_THRESHOLD_SECONDS }

export type StreamKind = 'video' | 'audio'

export interface StreamMeasurement {
  index: number
  kind: StreamKind
  codec: string
  /** Stream duration as the container declares it (null when absent). */
  declaredSeconds: number | null
  /** Contiguous span from the first packet, in seconds. */
  playableSeconds: number
  firstPts: number | null
  /** End of the last packet (which may lie beyond a gap). */
  lastEnd: number | null
  /** Longest step between packets beyond the expected packet duration (0 when none). */
  largestGapSeconds: number
  expectedPacketSeconds: number
  packets: number
}

export interface BinaryEvidence { path: string; source: string; version: string }

export interface FileMeasurement {
  file: string
  /** Normalised: 'mp4', 'mov', 'mpegts', or ffprobe's first format name. */
  container: string
  formatName: string
  streams: StreamMeasurement[]
  /** format.duration: what the header claims. */
  headerSeconds: number | null
  /** Minimum of the audio and video streams' contiguous spans. */
  playableSeconds: number
  method: string
  /** The ffprobe that read the packets (absent when the index alone was read). */
  binary?: BinaryEvidence
  warnings: string[]
}

export interface MeasureOptions {
  /** A resolved ffprobe; default resolveFfprobe(). */
  ffprobe?: FfprobeBinary
  /** Per ffprobe run (default 60 s). */
  timeoutMs?: number
  /** Refuse media with more packets than this (default 2,000,000: ~9 h at 30 fps + 48 kHz AAC). */
  maxPackets?: number
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '' || v === 'N/A') return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}

export function containerOf(json: ProbeJson): string {
  const name = json.format?.format_name ?? 'unknown'
  if (/\b(mp4|mov)\b/.test(name)) return json.format?.tags?.major_brand?.trim() === 'qt' ? 'mov' : 'mp4'
  return name.split(',')[0] ?? name
}

export const methodText = (bin: BinaryEvidence): string =>
  `ffprobe ${bin.version} (${bin.source}) packet timestamps: per audio/video stream, the contiguous span from ` +
  `the first packet until a step longer than the median packet step + ${GAP_THRESHOLD_SECONDS} s; ` +
  `playable = minimum over the streams`

interface Series { times: number[]; pts: number[]; dts: number[]; durations: number[]; pos: number[] }

/**
 * One clock per stream: pts when every packet has one (what plays, in presentation order), else
 * dts when every packet has one, else the packets that carry a pts. Mixing the two shifts some
 * packets by the decoder delay (R5.1-3, R5.2-2).
 */
function onOneClock(s: Series): Series {
  const all = (xs: number[]): boolean => xs.every((x) => Number.isFinite(x))
  if (all(s.pts)) return s
  if (all(s.dts)) return { ...s, times: s.dts }
  const keep = s.pts.map((p, i) => (Number.isFinite(p) ? i : -1)).filter((i) => i >= 0)
  const pick = (xs: number[]): number[] => keep.map((i) => xs[i]!)
  return { times: pick(s.pts), pts: pick(s.pts), dts: pick(s.dts), durations: pick(s.durations), pos: pick(s.pos) }
}

/** Contiguous-span arithmetic for one stream's packets, in any order (exported for unit tests). */
export function spanOf(times: readonly number[], durations: readonly number[]): Span {
  const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!)
  return spanOfSorted(Float64Array.from(order, (i) => times[i]!), Float64Array.from(order, (i) => durations[i]!))
}

/** Fields read in the single ffprobe run: packets stream while the file is read, then streams and format. */
const ENTRIES = 'format=format_name,duration:format_tags=major_brand:stream=index,codec_type,codec_name,duration:' +
  'stream_disposition=attached_pic:packet=stream_index,pts_time,dts_time,duration_time,pos'

function fields(line: string): Record<string, string> {
  const f: Record<string, string> = {}
  for (const kv of line.split('|')) {
    const eq = kv.indexOf('=')
    if (eq > 0) f[kv.slice(0, eq)] = kv.slice(eq + 1)
  }
  return f
}

/** Measure one local media file (R5.1-3, R5.2-2). Throws SG_ERR_MEDIA_* codes, never hangs. */
export async function measureFile(file: string, opts: MeasureOptions = {}): Promise<FileMeasurement> {
  const probed = await probePackets(file, opts)
  return buildMeasurement(file, probed, probed.series, probed.runWarnings)
}

/**
 * Measure consecutive parts of one file (HLS MPEG-TS segments joined byte for byte) in ONE
 * ffprobe run: each packet belongs to the part its byte position falls in, and each part gets the
 * measurement it would get alone. `starts` are the parts' first byte offsets, ascending, from 0.
 * ffprobe's start-up (~0.12 s for Debian's build) was most of the cost of an 11-segment playlist.
 * Returns undefined when a part holds no packet of a stream the file has (the caller then
 * measures the parts one by one, so an unreadable segment reports exactly as before).
 */
export async function measureParts(file: string, starts: readonly number[], opts: MeasureOptions = {}): Promise<FileMeasurement[] | undefined> {
  const probed = await probePackets(file, opts)
  const parts = starts.map(() => new Map<number, Series>())
  for (const [index, s] of probed.series) {
    for (const part of parts) part.set(index, { times: [], pts: [], dts: [], durations: [], pos: [] })
    let p = -1
    for (let i = 0; i < s.times.length; i++) {
      const pos = s.pos[i]!
      if (pos >= 0) {
        p = starts.length - 1
        while (p > 0 && pos < starts[p]!) p--
      } else if (p < 0) {
        return undefined
      } // else: a frame the parser split out of the previous packet's PES (pos N/A): same part.
      const target = parts[p]!.get(index)!
      target.times.push(s.times[i]!)
      target.pts.push(s.pts[i]!)
      target.dts.push(s.dts[i]!)
      target.durations.push(s.durations[i]!)
      target.pos.push(pos)
    }
  }
  const measured = parts.map((series, i) => buildMeasurement(file, probed, series, i === parts.length - 1 ? probed.runWarnings : []))
  if (measured.some((m) => m.streams.some((s) => s.packets === 0))) return undefined
  return measured
}

interface Probed {
  json: ProbeJson
  series: Map<number, Series>
  runWarnings: string[]
  binary: BinaryEvidence
  /** ffprobe's failure, when it read no packet of a wanted stream. */
  failure?: { why: string; exitCode: number | null; signal: string | null }
}

async function probePackets(file: string, opts: MeasureOptions): Promise<Probed> {
  const bin = opts.ffprobe ?? (await resolveFfprobe())
  const binary: BinaryEvidence = { path: bin.path, source: bin.source, version: bin.version }
  // One ffprobe run per file (process start-up dominates small files): packets for every stream,
  // then the stream and format sections, in compact form with section names.
  const maxPackets = opts.maxPackets ?? 2_000_000
  const series = new Map<number, Series>()
  const json: ProbeJson = { streams: [] }
  let packets = 0
  const run = await runFfprobe(
    bin,
    ['-show_entries', ENTRIES, '-print_format', 'compact=p=1:nk=0', fileInput(file)],
    {
      timeoutMs: opts.timeoutMs,
      maxOutputBytes: maxPackets * 130 + 1024 * 1024,
      onLine: (line) => {
        if (line.startsWith('packet|')) {
          const f = fields(line)
          const index = Number(f.stream_index)
          let s = series.get(index)
          if (!s) series.set(index, (s = { times: [], pts: [], dts: [], durations: [], pos: [] }))
          if (++packets > maxPackets) throw sgError('SG_ERR_MEDIA_TOO_LARGE', `more than ${maxPackets} packets`, { file, maxPackets })
          const pts = num(f.pts_time)
          const dts = num(f.dts_time)
          if (pts === null && dts === null) return
          s.times.push(pts ?? Number.NaN)
          s.pts.push(pts ?? Number.NaN)
          s.dts.push(dts ?? Number.NaN)
          s.durations.push(num(f.duration_time) ?? Number.NaN)
          s.pos.push(num(f.pos) ?? Number.NaN)
        } else if (line.startsWith('stream|')) {
          const f = fields(line)
          json.streams!.push({
            index: Number(f.index),
            ...(f.codec_type ? { codec_type: f.codec_type } : {}),
            ...(f.codec_name ? { codec_name: f.codec_name } : {}),
            ...(f.duration ? { duration: f.duration } : {}),
            disposition: { attached_pic: Number(f['disposition:attached_pic'] ?? 0) },
          })
        } else if (line.startsWith('format|')) {
          const f = fields(line)
          json.format = {
            ...(f.format_name ? { format_name: f.format_name } : {}),
            ...(f.duration ? { duration: f.duration } : {}),
            ...(f['tag:major_brand'] ? { tags: { major_brand: f['tag:major_brand'] } } : {}),
          }
        }
      },
    },
  )
  if (!json.format && (run.exitCode !== 0 || run.signal)) {
    throw sgError('SG_ERR_MEDIA_UNREADABLE', run.signal ? `ffprobe crashed (${run.signal})` : lastLine(run.stderr) || `ffprobe exited ${run.exitCode}`, {
      file, exitCode: run.exitCode, signal: run.signal, stderr: run.stderr,
    })
  }
  const runWarnings: string[] = []
  let failure: Probed['failure']
  if (run.exitCode !== 0 || run.signal) {
    const why = run.signal ? `ffprobe crashed (${run.signal})` : lastLine(run.stderr) || `ffprobe exited ${run.exitCode}`
    failure = { why, exitCode: run.exitCode, signal: run.signal ?? null }
    runWarnings.push(`reading packets stopped early: ${why}`)
  } else if (run.stderr) {
    // e.g. "partial file": the demuxer gave up where the bytes ran out; the span already reflects it.
    runWarnings.push(lastLine(run.stderr))
  }
  return { json, series, runWarnings, binary, ...(failure ? { failure } : {}) }
}

function buildMeasurement(file: string, probed: Probed, series: Map<number, Series>, warnings: string[]): FileMeasurement {
  const { json, binary } = probed
  const wanted = new Map<number, { kind: StreamKind; codec: string; declared: number | null }>()
  for (const s of json.streams ?? []) {
    if (s.codec_type !== 'video' && s.codec_type !== 'audio') continue
    if (s.codec_type === 'video' && s.disposition?.attached_pic === 1) continue
    wanted.set(s.index, { kind: s.codec_type, codec: s.codec_name ?? 'unknown', declared: num(s.duration) })
  }
  if (wanted.size === 0) {
    throw sgError('SG_ERR_MEDIA_UNREADABLE', 'the file has no audio or video stream', { file, formatName: json.format?.format_name })
  }
  const empty: Series = { times: [], pts: [], dts: [], durations: [], pos: [] }
  const packets = [...wanted.keys()].reduce((n, k) => n + (series.get(k) ?? empty).times.length, 0)
  if (probed.failure && packets === 0) throw sgError('SG_ERR_MEDIA_UNREADABLE', probed.failure.why, { file, exitCode: probed.failure.exitCode, signal: probed.failure.signal })

  const streams: StreamMeasurement[] = [...wanted.entries()].map(([index, w]) => {
    const s = onOneClock(series.get(index) ?? empty)
    const span = spanOf(s.times, s.durations)
    return {
      index,
      kind: w.kind,
      codec: w.codec,
      declaredSeconds: w.declared,
      playableSeconds: span.playableSeconds,
      firstPts: span.firstTime,
      lastEnd: span.lastEnd,
      largestGapSeconds: span.largestGapSeconds,
      expectedPacketSeconds: span.expectedPacketSeconds,
      packets: s.times.length,
    }
  })
  return {
    file,
    container: containerOf(json),
    formatName: json.format?.format_name ?? 'unknown',
    streams,
    headerSeconds: num(json.format?.duration),
    playableSeconds: Math.min(...streams.map((s) => s.playableSeconds)),
    method: methodText(binary),
    binary,
    warnings: [...warnings],
  }
}
