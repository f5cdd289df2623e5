// HLS from the index (R5.1-3, R5.2-2): the playlist is read whole (the same reader and the same
// refusals as the packet path: no ENDLIST, keys, byte ranges), then every segment is opened, which
// proves it exists and gives its real length, and its first and last MPEG-TS packets are read from
// two small ranges (ts-timestamps.ts). Per stream the segment plays from its first PTS to the end
// of its last frame; the spans are chained across segments exactly as measure-hls.ts chains
// ffprobe's. A segment the reader cannot judge from its ends (not MPEG-TS, no PMT in its head, a
// gap seen at either end) is measured whole by ffprobe; with `referee`, one random segment is also
// measured by ffprobe and must agree. A gap in the middle of a segment cannot be seen from its
// ends; the per-segment #EXTINF agreement and the refereed segment are what guard against it.
import { randomInt } from 'node:crypto'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import type { ByteSource } from './byte-source.js'
import { parsePlaylist, type HlsSegmentEntry } from './hls-playlist.js'
import { measureFile, type FileMeasurement } from './measure-file.js'
import { chain, mapBounded, type HlsMeasurement, type HlsSegmentMeasurement } from './measure-hls.js'
import { compareWithReferee, refereeDisagrees } from './referee.js'
import { GAP_THRESHOLD_SECONDS } from './span.js'
import { agreeWithin } from './tolerance.js'
import { everyStreamStarts, indexPes, readProgram, streamEnds } from './ts-timestamps.js'

export interface HlsIndexOptions {
  referee?: boolean
  /** Segments read at once (default 4). */
  concurrency?: number
  maxSegments?: number
  maxPlaylistBytes?: number
  timeoutMs?: number
  randomInt?: (n: number) => number
  signal?: AbortSignal
}

export interface HlsIndexMeasurement extends Omit<HlsMeasurement, 'binary'> {
  bytesRead: number
  /** Sum of the segments' real lengths (null when a server did not say). */
  fileBytes: number | null
  requests: number
  /** Segments measured whole by ffprobe (fallback or referee). */
  probedSegments: number[]
}

const TS_PACKET = 188
/** First windows read at the head (256 packets) and the tail (64 packets) of a segment, and the largest either grows to. */
export const HEAD_WINDOW = 256 * TS_PACKET
const TAIL_WINDOW = 64 * TS_PACKET
const MAX_WINDOW = 4096 * TS_PACKET

interface SegmentResult { seg: HlsSegmentMeasurement; probed: boolean; size: number | undefined }

async function openSegment(open: (url: string) => Promise<ByteSource>, entry: HlsSegmentEntry, index: number, url: string): Promise<ByteSource> {
  try {
    return await open(url)
  } catch (err) {
    if (!isSkillgateError(err) || !/^SG_ERR_(PREVIEW_MEDIA_UNAVAILABLE|NET_)/.test(err.code)) throw err
    throw sgError('SG_ERR_HLS_SEGMENT_MISSING', `segment ${index} (${entry.uri}) could not be fetched`, { segment: index, uri: entry.uri, url, cause: err.code, ...(err.details?.evidence ? { evidence: err.details.evidence } : {}) }, err)
  }
}

function fromFile(entry: HlsSegmentEntry, index: number, url: string, m: FileMeasurement): HlsSegmentMeasurement {
  return {
    index, uri: entry.uri, url, declaredSeconds: entry.declaredSeconds, measuredSeconds: m.playableSeconds,
    agrees: agreeWithin(entry.declaredSeconds, m.playableSeconds), container: m.container,
    streams: m.streams.map((s) => ({ kind: s.kind, codec: s.codec, playableSeconds: s.playableSeconds, firstPts: s.firstPts, lastEnd: s.lastEnd, largestGapSeconds: s.largestGapSeconds })),
    warnings: m.warnings,
  }
}

async function probeWhole(src: ByteSource, entry: HlsSegmentEntry, index: number, url: string, timeoutMs: number | undefined): Promise<FileMeasurement> {
  try {
    return await measureFile(await src.localFile(), timeoutMs ? { timeoutMs } : {})
  } catch (err) {
    if (!isSkillgateError(err)) throw err
    throw sgError(err.code, `segment ${index} (${entry.uri}): ${err.message}`, { ...err.details, segment: index, uri: entry.uri, url }, err)
  }
}

/** Judge one segment from its two ends; undefined when the ends do not tell (the caller probes it whole). */
async function fromEnds(src: ByteSource, entry: HlsSegmentEntry, index: number, url: string): Promise<HlsSegmentMeasurement | undefined> {
  // Each end is read in a small window, doubled only while a stream's packets are not in it yet:
  // a segment of a 1 Mbit/s preview is ~750 KB; its PAT, PMT and first frames of each stream (a
  // keyframe comes first) ~40 KB, its last frames a few KB.
  let head = await src.read(0, HEAD_WINDOW)
  const size = (await src.size()) ?? (head.length < HEAD_WINDOW ? head.length : undefined)
  if (size === undefined || head.length < 2 * TS_PACKET || head[0] !== 0x47 || head[TS_PACKET] !== 0x47) return undefined
  let program = readProgram(head)
  // The head is walked once per window read, and its index serves every tail window below.
  let headIndex = program && indexPes(head, program)
  const started = (): boolean => program !== undefined && headIndex !== undefined && everyStreamStarts(headIndex, program)
  for (let w = HEAD_WINDOW * 2; !started() && head.length < size && w <= MAX_WINDOW; w *= 2) {
    head = await src.read(0, w)
    program = readProgram(head)
    headIndex = program && indexPes(head, program)
  }
  if (!program || !headIndex || !started()) return undefined
  let ends: ReturnType<typeof streamEnds>
  for (let w = TAIL_WINDOW; ; w *= 2) {
    const tailStart = Math.max(0, Math.floor((size - w) / TS_PACKET) * TS_PACKET)
    const tail = size <= head.length ? head.subarray(tailStart) : await src.read(tailStart, size - tailStart)
    ends = streamEnds(headIndex, tail, program)
    if ((ends.length === program.length && ends.every((e) => e.frameSeconds > 0)) || tailStart === 0 || w >= MAX_WINDOW) break
  }
  if (ends.length !== program.length) return undefined
  const badFraming = ends.find((e) => e.framing !== undefined)
  if (badFraming) {
    throw sgError('SG_ERR_MEDIA_NOT_MEDIA_SAMPLES', `segment ${index} (${entry.uri}): its first ${badFraming.codec} PES is not ${badFraming.codec} (${badFraming.framing})`, { segment: index, uri: entry.uri, url, pid: badFraming.pid })
  }
  if (ends.some((e) => e.largestGapSeconds > GAP_THRESHOLD_SECONDS || !(e.frameSeconds > 0))) return undefined
  const streams = ends.map((e) => ({ kind: e.kind, codec: e.codec, playableSeconds: e.lastEnd - e.firstPts, firstPts: e.firstPts, lastEnd: e.lastEnd, largestGapSeconds: e.largestGapSeconds }))
  const measured = Math.min(...streams.map((s) => s.playableSeconds))
  return { index, uri: entry.uri, url, declaredSeconds: entry.declaredSeconds, measuredSeconds: measured, agrees: agreeWithin(entry.declaredSeconds, measured), container: 'mpegts', streams, warnings: [] }
}

/** Seconds of the 33-bit 90 kHz MPEG-TS clock before it wraps to 0 (about 26.5 h). */
const PTS_WRAP_SECONDS = 2 ** 33 / 90_000

/**
 * Each segment's times are unwrapped from its own first PTS; a clock that wraps between two
 * segments would read as a jump of −26.5 h and stop the chain. Per stream kind, a segment that
 * starts more than half a wrap before the previous one ended is moved one wrap on (ffprobe's
 * joined run corrects the same way).
 */
function unwrapAcrossSegments(segments: HlsSegmentMeasurement[]): HlsSegmentMeasurement[] {
  const shift = new Map<string, number>()
  const prevEnd = new Map<string, number>()
  return segments.map((seg) => ({
    ...seg,
    streams: seg.streams.map((s) => {
      if (s.firstPts === null || s.lastEnd === null) return s
      let by = shift.get(s.kind) ?? 0
      const before = prevEnd.get(s.kind)
      if (before !== undefined && s.firstPts + by < before - PTS_WRAP_SECONDS / 2) by += PTS_WRAP_SECONDS
      else if (before !== undefined && s.firstPts + by > before + PTS_WRAP_SECONDS / 2) by -= PTS_WRAP_SECONDS
      shift.set(s.kind, by)
      prevEnd.set(s.kind, s.lastEnd + by)
      return by === 0 ? s : { ...s, firstPts: s.firstPts + by, lastEnd: s.lastEnd + by }
    }),
  }))
}

async function readPlaylist(open: (url: string) => Promise<ByteSource>, url: string, maxBytes: number, counted: ByteSource[]): Promise<string> {
  const src = await open(url)
  counted.push(src)
  const size = await src.size()
  const text = await src.read(0, maxBytes + 1)
  if ((size ?? text.length) > maxBytes) throw sgError('SG_ERR_HLS_TOO_LARGE', `${url} is ${size ?? text.length} bytes (limit ${maxBytes})`, { url, size: size ?? text.length, maxBytes })
  await src.close()
  return text.toString('utf8')
}

/** Measure an HLS playlist from the segments' ends. Same codes as measureHls, plus SG_ERR_MEDIA_NOT_MEDIA_SAMPLES / SG_ERR_MEDIA_REFEREE_DISAGREES. */
export async function measureHlsByIndex(playlist: string, open: (url: string) => Promise<ByteSource>, opts: HlsIndexOptions = {}): Promise<HlsIndexMeasurement> {
  const maxBytes = opts.maxPlaylistBytes ?? 1024 * 1024
  const sources: ByteSource[] = []
  const notes: string[] = []
  try {
    let mediaUrl = playlist
    let parsed = parsePlaylist(await readPlaylist(open, mediaUrl, maxBytes, sources), mediaUrl)
    if (parsed.type === 'master') {
      const first = parsed.variants[0]!
      mediaUrl = new URL(first.uri, mediaUrl).href
      notes.push(`master playlist with ${parsed.variants.length} variant(s): measured the first, ${first.uri} (${first.attributes})`)
      parsed = parsePlaylist(await readPlaylist(open, mediaUrl, maxBytes, sources), mediaUrl)
      if (parsed.type === 'master') throw sgError('SG_ERR_HLS_INVALID', `variant ${mediaUrl} is itself a master playlist`, { url: mediaUrl })
    }
    const declaredSeconds = parsed.segments.reduce((a, s) => a + s.declaredSeconds, 0)
    if (!parsed.endList) throw sgError('SG_ERR_HLS_NO_ENDLIST', `${mediaUrl} (${parsed.segments.length} segments, ${declaredSeconds} s declared)`, { url: mediaUrl, segments: parsed.segments.length, declaredSeconds })
    const maxSegments = opts.maxSegments ?? 2000
    if (parsed.segments.length > maxSegments) throw sgError('SG_ERR_HLS_TOO_LARGE', `${parsed.segments.length} segments (limit ${maxSegments})`, { url: mediaUrl, segments: parsed.segments.length, maxSegments })
    const entries = parsed.segments
    const refereed = opts.referee ? (opts.randomInt ?? ((n) => randomInt(n)))(entries.length) : -1
    const results = await mapBounded(entries, opts.concurrency ?? 4, async (entry, i): Promise<SegmentResult> => {
      opts.signal?.throwIfAborted()
      const url = new URL(entry.uri, mediaUrl).href
      const src = await openSegment(open, entry, i, url)
      sources.push(src)
      try {
        const size = await src.size()
        const ends = await fromEnds(src, entry, i, url)
        if (!ends) return { seg: fromFile(entry, i, url, await probeWhole(src, entry, i, url, opts.timeoutMs)), probed: true, size }
        if (i !== refereed) return { seg: ends, probed: false, size }
        const whole = await probeWhole(src, entry, i, url, opts.timeoutMs)
        const verdict = compareWithReferee({ streams: ends.streams.map((s, k) => ({ index: k, kind: s.kind, codec: s.codec, declaredSeconds: null, playableSeconds: s.playableSeconds, firstPts: s.firstPts, lastEnd: s.lastEnd, largestGapSeconds: s.largestGapSeconds, expectedPacketSeconds: 0, packets: 0 })) }, whole)
        if (!verdict.agrees) throw refereeDisagrees(`segment ${i} (${entry.uri})`, verdict, ends.measuredSeconds, whole.playableSeconds)
        return { seg: ends, probed: true, size }
      } finally {
        await src.close()
      }
    })
    const segments = unwrapAcrossSegments(results.map((r) => r.seg))
    const kinds = [...new Set(segments[0]!.streams.map((s) => s.kind))]
    const streams = kinds.map((k) => chain(k, segments, entries))
    const probedSegments = results.flatMap((r, i) => (r.probed ? [i] : []))
    const sizes = results.map((r) => r.size)
    return {
      playlist, mediaPlaylist: mediaUrl, targetDuration: parsed.targetDuration, declaredSeconds,
      playableSeconds: streams.length ? Math.min(...streams.map((s) => s.playableSeconds)) : 0,
      streams, segments, notes,
      method: `index: every segment opened and its first and last MPEG-TS packets read (first PTS to the end of the last frame per stream); ${probedSegments.length} segment(s) measured whole by ffprobe${opts.referee ? ' (one as referee)' : ''}; spans chained across segments until the first gap (EXT-X-DISCONTINUITY resets continuity)`,
      bytesRead: sources.reduce((n, s) => n + s.stats.bytes, 0),
      fileBytes: sizes.every((s) => s !== undefined) ? sizes.reduce((a: number, b) => a + b!, 0) : null,
      requests: sources.reduce((n, s) => n + s.stats.requests, 0),
      probedSegments,
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.close()))
  }
}
