// HLS previews are measured segment by segment: #EXTINF is a claim like any header, so every
// segment is fetched (through the injected fetcher: the probe client owns the network, its
// deadlines and SSRF guard) and measured from its packets. Per stream kind the measured spans are
// chained across segments and the chain stops at the first gap, inside a segment or between two
// segments not separated by EXT-X-DISCONTINUITY. The playlist's playable seconds are the minimum
// over audio and video, as for a single file. R5.1-3, R5.2-2.
import { appendFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { resolveFfprobe } from './ffprobe.js'
import { agreeWithin } from './tolerance.js'
import { parsePlaylist } from './hls-playlist.js'
import type { HlsSegmentEntry } from './hls-playlist.js'
import { GAP_THRESHOLD_SECONDS, measureFile, measureParts, methodText } from './measure-file.js'
import type { BinaryEvidence, FileMeasurement, MeasureOptions, StreamKind } from './measure-file.js'

/** Downloads `url` to a local file. Throws (e.g. on 404) when it cannot. */
export type Fetcher = (url: string) => Promise<{ path: string }>

/** Fetcher over local files: accepts file: URLs and plain paths; for tests and package media. */
export const diskFetcher: Fetcher = async (url) => {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url
  await stat(path)
  return { path }
}

export interface HlsSegmentMeasurement {
  index: number
  uri: string
  url: string
  declaredSeconds: number
  /** Minimum over the segment's audio and video contiguous spans. */
  measuredSeconds: number
  agrees: boolean
  container: string
  streams: Array<{ kind: StreamKind; codec: string; playableSeconds: number; firstPts: number | null; lastEnd: number | null; largestGapSeconds: number }>
  warnings: string[]
}

export interface HlsMeasurement {
  playlist: string
  /** The media playlist measured (differs from `playlist` when that was a master playlist). */
  mediaPlaylist: string
  targetDuration: number | null
  /** Sum of #EXTINF. */
  declaredSeconds: number
  /** Minimum over audio/video of the chained contiguous spans. */
  playableSeconds: number
  /** Per kind: chained seconds and where the chain stopped, if it did. */
  streams: Array<{ kind: StreamKind; playableSeconds: number; stoppedAt: { segment: number; reason: string } | null }>
  segments: HlsSegmentMeasurement[]
  notes: string[]
  method: string
  binary: BinaryEvidence
}

export interface MeasureHlsOptions extends MeasureOptions {
  /** Refuse playlists listing more segments than this (default 2000). */
  maxSegments?: number
  /** Refuse playlist files larger than this many bytes (default 1 MiB). */
  maxPlaylistBytes?: number
  /** Segments fetched and probed at once (default 4). */
  concurrency?: number
}

const isUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]+:/i.test(s)
const toUrl = (s: string): string => (isUrl(s) ? s : pathToFileURL(resolve(s)).href)

async function fetchPlaylist(url: string, fetcher: Fetcher, maxBytes: number): Promise<string> {
  const { path } = await fetcher(url)
  const size = (await stat(path)).size
  if (size > maxBytes) throw sgError('SG_ERR_HLS_TOO_LARGE', `${url} is ${size} bytes (limit ${maxBytes})`, { url, size, maxBytes })
  return readFile(path, 'utf8')
}

export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        out[i] = await fn(items[i]!, i)
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  // Settle every worker before failing: a segment still downloading after another one failed must
  // not be writing into a folder the caller is already removing.
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (rejected) throw rejected.reason
  return out
}

async function fetchSegment(entry: HlsSegmentEntry, index: number, base: string, fetcher: Fetcher): Promise<{ url: string; path: string }> {
  const url = new URL(entry.uri, base).href
  try {
    const { path } = await fetcher(url)
    return { url, path }
  } catch (err) {
    throw sgError('SG_ERR_HLS_SEGMENT_MISSING', `segment ${index} (${entry.uri}) could not be fetched`, {
      segment: index,
      uri: entry.uri,
      url,
      cause: isSkillgateError(err) ? err.code : err instanceof Error ? err.message : String(err),
    }, err)
  }
}

async function measureSegmentFile(entry: HlsSegmentEntry, index: number, url: string, path: string, opts: MeasureOptions): Promise<FileMeasurement> {
  try {
    return await measureFile(path, opts)
  } catch (err) {
    if (!isSkillgateError(err)) throw err
    throw sgError(err.code, `segment ${index} (${entry.uri}): ${err.message}`, { ...err.details, segment: index, uri: entry.uri, url }, err)
  }
}

const TS_PACKET = 188
const MAX_JOINED_BYTES = 256 * 1024 * 1024

/** The size of a file of whole MPEG-TS packets from a sync byte (a segment that can be joined byte for byte), else undefined. */
async function wholeTransportStreamSize(path: string): Promise<number | undefined> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    if (size === 0 || size % TS_PACKET !== 0) return undefined
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, 0)
    return buffer[0] === 0x47 ? size : undefined
  } finally {
    await handle.close()
  }
}

/**
 * All segments measured in one ffprobe run when they are whole MPEG-TS files without
 * discontinuities: joined into one file, each packet attributed to its segment by byte position.
 * Undefined when that does not apply, or when any segment would not measure cleanly on its own
 * terms (the caller then measures segment by segment, so hostile segments report as before).
 */
async function measureJoined(entries: readonly HlsSegmentEntry[], fetched: ReadonlyArray<{ path: string }>, opts: MeasureOptions): Promise<FileMeasurement[] | undefined> {
  if (entries.length < 2 || entries.some((e) => e.discontinuity)) return undefined
  let total = 0
  for (const f of fetched) {
    const size = await wholeTransportStreamSize(f.path)
    if (size === undefined) return undefined
    total += size
  }
  // The joined copy is a second copy on disk, and one ffprobe run has one timeout: long
  // playlists are measured segment by segment.
  if (total > MAX_JOINED_BYTES) return undefined
  const dir = await mkdtemp(join(tmpdir(), 'sg-hls-'))
  try {
    const joined = join(dir, 'joined.ts')
    const starts: number[] = []
    let offset = 0
    for (const f of fetched) {
      starts.push(offset)
      const bytes = await readFile(f.path)
      await appendFile(joined, bytes)
      offset += bytes.length
    }
    return await measureParts(joined, starts, opts)
  } catch (err) {
    if (isSkillgateError(err)) return undefined
    throw err
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function describeSegment(entry: HlsSegmentEntry, index: number, url: string, file: FileMeasurement): HlsSegmentMeasurement {
  return {
    index,
    uri: entry.uri,
    url,
    declaredSeconds: entry.declaredSeconds,
    measuredSeconds: file.playableSeconds,
    agrees: agreeWithin(entry.declaredSeconds, file.playableSeconds),
    container: file.container,
    streams: file.streams.map((s) => ({
      kind: s.kind, codec: s.codec, playableSeconds: s.playableSeconds, firstPts: s.firstPts, lastEnd: s.lastEnd, largestGapSeconds: s.largestGapSeconds,
    })),
    warnings: file.warnings,
  }
}

/** Chain one stream kind's spans across segments, stopping at the first gap or absence. */
export function chain(kind: StreamKind, segments: readonly HlsSegmentMeasurement[], entries: readonly HlsSegmentEntry[]): HlsMeasurement['streams'][number] {
  let total = 0
  let prevEnd: number | null = null
  for (const seg of segments) {
    const s = seg.streams.find((x) => x.kind === kind)
    if (!s) return { kind, playableSeconds: total, stoppedAt: { segment: seg.index, reason: `no ${kind} stream` } }
    if (prevEnd !== null && s.firstPts !== null && !entries[seg.index]!.discontinuity) {
      const jump = s.firstPts - prevEnd
      if (Math.abs(jump) > GAP_THRESHOLD_SECONDS) {
        return { kind, playableSeconds: total, stoppedAt: { segment: seg.index, reason: `timestamps jump ${jump.toFixed(3)} s from the previous segment` } }
      }
    }
    total += s.playableSeconds
    if (s.largestGapSeconds > GAP_THRESHOLD_SECONDS) {
      return { kind, playableSeconds: total, stoppedAt: { segment: seg.index, reason: `gap of ${s.largestGapSeconds.toFixed(3)} s inside the segment` } }
    }
    prevEnd = s.lastEnd
  }
  return { kind, playableSeconds: total, stoppedAt: null }
}

/**
 * Measure an HLS playlist (a URL, or a local path) through `fetcher`. A master playlist is
 * resolved to its first variant. Throws SG_ERR_HLS_INVALID, SG_ERR_HLS_UNSUPPORTED,
 * SG_ERR_HLS_NO_ENDLIST (without fetching segments: a live playlist never ends),
 * SG_ERR_HLS_TOO_LARGE, SG_ERR_HLS_SEGMENT_MISSING, or the SG_ERR_MEDIA_* code of a bad segment.
 */
export async function measureHls(playlist: string, fetcher: Fetcher, opts: MeasureHlsOptions = {}): Promise<HlsMeasurement> {
  const maxBytes = opts.maxPlaylistBytes ?? 1024 * 1024
  const maxSegments = opts.maxSegments ?? 2000
  const bin = opts.ffprobe ?? (await resolveFfprobe())
  const binary: BinaryEvidence = { path: bin.path, source: bin.source, version: bin.version }
  const notes: string[] = []

  let mediaUrl = toUrl(playlist)
  let parsed = parsePlaylist(await fetchPlaylist(mediaUrl, fetcher, maxBytes), mediaUrl)
  if (parsed.type === 'master') {
    const first = parsed.variants[0]!
    mediaUrl = new URL(first.uri, mediaUrl).href
    notes.push(`master playlist with ${parsed.variants.length} variant(s): measured the first, ${first.uri} (${first.attributes})`)
    parsed = parsePlaylist(await fetchPlaylist(mediaUrl, fetcher, maxBytes), mediaUrl)
    if (parsed.type === 'master') throw sgError('SG_ERR_HLS_INVALID', `variant ${mediaUrl} is itself a master playlist`, { url: mediaUrl })
  }
  const declaredSeconds = parsed.segments.reduce((a, s) => a + s.declaredSeconds, 0)
  if (!parsed.endList) {
    throw sgError('SG_ERR_HLS_NO_ENDLIST', `${mediaUrl} (${parsed.segments.length} segments, ${declaredSeconds} s declared)`, {
      url: mediaUrl, segments: parsed.segments.length, declaredSeconds,
    })
  }
  if (parsed.segments.length > maxSegments) {
    throw sgError('SG_ERR_HLS_TOO_LARGE', `${parsed.segments.length} segments (limit ${maxSegments})`, { url: mediaUrl, segments: parsed.segments.length, maxSegments })
  }

  const entries = parsed.segments
  const measureOpts = { ...opts, ffprobe: bin }
  const fetched = await mapBounded(entries, opts.concurrency ?? 4, (e, i) => fetchSegment(e, i, mediaUrl, fetcher))
  let files = await measureJoined(entries, fetched, measureOpts)
  if (files) notes.push(`the ${entries.length} segments were measured in one ffprobe run: joined byte for byte (whole MPEG-TS packets), each packet counted in the segment its byte position falls in`)
  else files = await mapBounded(entries, opts.concurrency ?? 4, (e, i) => measureSegmentFile(e, i, fetched[i]!.url, fetched[i]!.path, measureOpts))
  const segments = entries.map((e, i) => describeSegment(e, i, fetched[i]!.url, files[i]!))
  const kinds = [...new Set(segments[0]!.streams.map((s) => s.kind))]
  const streams = kinds.map((k) => chain(k, segments, entries))
  return {
    playlist,
    mediaPlaylist: mediaUrl,
    targetDuration: parsed.targetDuration,
    declaredSeconds,
    playableSeconds: streams.length ? Math.min(...streams.map((s) => s.playableSeconds)) : 0,
    streams,
    segments,
    notes,
    method: `every segment fetched and measured; ${methodText(binary)}; spans chained across segments until the first gap (EXT-X-DISCONTINUITY resets continuity)`,
    binary,
  }
}
