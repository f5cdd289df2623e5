// Measuring a media file from its own index (R5.1-3, R5.2-2), reading a few byte ranges instead
// of the whole file: MP4/MOV sample tables (plain and fragmented) are judged in process exactly as
// the packet path judges ffprobe's packets (span.ts); a few samples per stream are read to check
// that the index describes media (sample-framing.ts); ffprobe referees a random subset and every
// doubt (referee.ts). Containers the index reader does not read (Matroska, anything unknown) go to
// the packet path whole, and the evidence says so.
import { randomInt } from 'node:crypto'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { withHead, type ByteSource } from './byte-source.js'
import { measureFile, type FileMeasurement, type MeasureOptions } from './measure-file.js'
import { looksLikeIsoBmff, readMp4Index, type Mp4Index } from './mp4-index.js'
import { judgeMp4, type IndexedStream } from './mp4-judgement.js'
import { compareWithReferee, refereeDisagrees, type RefereeVerdict } from './referee.js'
import { canCheckFraming, spotCheck, type SpotCheck, type SpotSample } from './sample-framing.js'
import type { SampleDescription } from './mp4-codec.js'
import type { TrackIndex } from './mp4-sample-table.js'
import { withScratch, type Scratch } from './scratch.js'
import { GAP_THRESHOLD_SECONDS } from './span.js'

/** How a file is measured: from its index (default) or, today's path, ffprobe over the whole file. */
export type MediaMethod = 'index' | 'ffprobe'
export const MEDIA_METHODS: readonly MediaMethod[] = ['index', 'ffprobe']

export interface IndexMeasureOptions extends MeasureOptions {
  /** Random samples spot-checked per file, besides each stream's first and last (default 2). */
  spotChecks?: number
  /** Also run the ffprobe referee over the whole file and compare (default: only on doubt). */
  referee?: boolean
  /** Integer in [0, n): which samples are spot-checked (default crypto randomInt). */
  randomInt?: (n: number) => number
  /** Largest moov or moof read into memory (default 64 MiB). */
  maxIndexBytes?: number
}

export interface IndexEvidence {
  /** What the first bytes say the file is. */
  detected: 'iso-bmff' | 'mpegts' | 'matroska' | 'unknown'
  fileBytes: number | null
  bytesRead: number
  requests: number
  rangeIgnored: boolean
  fullDownload: boolean
  moov?: { start: number; size: number }
  fragments?: number
  spotChecks: SpotCheck[]
  /** Why the index alone was not trusted (the referee's measurement then stands). */
  doubts: string[]
  referee?: RefereeVerdict
  /** Why the whole file went to ffprobe instead. */
  fallback?: string
}

export interface IndexedFileMeasurement extends FileMeasurement { index: IndexEvidence }

const HEAD_BYTES = 64 * 1024
/** The referee's failures that are ours (a missing or hung ffprobe), not the file's. */
const REFEREE_OWN_FAILURES = new Set(['SG_ERR_MEDIA_TOOL_MISSING', 'SG_ERR_MEDIA_TIMEOUT'])
/**
 * Samples one file's index may list (all tracks): ~3.8 h at 25 fps with 48 kHz AAC. Each costs
 * about 60 bytes while it is judged, so a hostile index is refused before it costs 60 MB.
 */
export const INDEX_MAX_SAMPLES = 1_000_000

export function detectContainer(head: Buffer): IndexEvidence['detected'] {
  if (looksLikeIsoBmff(head)) return 'iso-bmff'
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'matroska'
  if (head.length >= 189 && head[0] === 0x47 && head[188] === 0x47) return 'mpegts'
  return 'unknown'
}

function evidence(src: ByteSource, detected: IndexEvidence['detected'], fileBytes: number | undefined): IndexEvidence {
  return {
    detected,
    fileBytes: fileBytes ?? null,
    bytesRead: src.stats.bytes,
    requests: src.stats.requests,
    rangeIgnored: src.stats.rangeIgnored,
    fullDownload: src.stats.fullDownload,
    spotChecks: [],
    doubts: [],
  }
}

/** Bytes past what a server that ignores Range has already sent that spot-checks may still ask for. */
const FORWARD_REACH = 256 * 1024

/**
 * The first and last fully present sample of each stream with a checkable codec, and `random`
 * more per file, drawn in turn from those streams. A server that ignores Range can only be read
 * by downloading up to the sample, so there the samples are drawn from the first bytes after what
 * the index already cost.
 */
function pickSamples(index: Mp4Index, streams: IndexedStream[], random: number, draw: (n: number) => number, reach: number): SpotSample[] {
  const out: SpotSample[] = []
  const size = Math.min(index.fileSize ?? Infinity, reach)
  const eligible: Array<{ stream: number; track: TrackIndex; desc: SampleDescription; first: number; last: number }> = []
  for (const s of streams) {
    const track = index.movie.tracks.find((t) => t.trackId === s.trackId)
    if (!track || !canCheckFraming(track.description)) continue
    const present = (i: number): boolean => track.sizes[i]! > 0 && track.offsets[i]! + track.sizes[i]! <= size
    let first = 0
    while (first < track.count && !present(first)) first++
    let last = track.count - 1
    while (last >= first && !present(last)) last--
    if (first <= last) eligible.push({ stream: s.index, track, desc: track.description, first, last })
  }
  const chosen = eligible.map((e) => new Set([e.first, e.last]))
  // Random samples: a drawn sample that is not wholly in the file is redrawn a few times, then skipped.
  for (let k = 0, tries = 0; k < random && eligible.length > 0 && tries < 4 * random; tries++) {
    const e = eligible[(k + tries) % eligible.length]!
    const i = e.first + draw(e.last - e.first + 1)
    if (e.track.sizes[i]! === 0 || e.track.offsets[i]! + e.track.sizes[i]! > size || chosen[eligible.indexOf(e)]!.has(i)) continue
    chosen[eligible.indexOf(e)]!.add(i)
    k++
  }
  eligible.forEach((e, n) => {
    for (const i of chosen[n]!) out.push({ stream: e.stream, desc: e.desc, sample: i, offset: e.track.offsets[i]!, size: e.track.sizes[i]! })
  })
  return out
}

/**
 * How the file was measured, the same words for every file measured the same way: a catalogue's
 * summary lists each method once (10,000 previews each naming its own byte counts made a report's
 * method field megabytes long). The per-file figures (reads, bytes, samples spot-checked) are in
 * the evidence (`index`).
 */
const methodText = (ev: IndexEvidence): string =>
  `index: ISO BMFF sample tables (moov${ev.fragments ? ' + moof fragments' : ''}) read with byte-range reads; ` +
  `per audio/video track the contiguous span of presentation times from the first ` +
  `sample until a step longer than the median step + ${GAP_THRESHOLD_SECONDS} s, samples beyond the end of the file dropped; ` +
  'playable = minimum over the streams; the first, last and random samples of each stream spot-checked for codec framing'

async function packetPath(src: ByteSource, ev: IndexEvidence, why: string, opts: IndexMeasureOptions): Promise<IndexedFileMeasurement> {
  const m = await measureFile(await src.localFile(), opts)
  const final = { ...ev, bytesRead: src.stats.bytes, requests: src.stats.requests, fullDownload: src.stats.fullDownload || !src.seekable, fallback: why }
  return { ...m, method: `${m.method} (${why})`, index: final }
}

/** The sample tables and their judgement live in slabs reused by the next measurement (scratch.ts). */
const measureMp4 = (src: ByteSource, ev: IndexEvidence, opts: IndexMeasureOptions): Promise<IndexedFileMeasurement> =>
  withScratch((scratch) => measureMp4With(src, ev, opts, scratch))

async function measureMp4With(src: ByteSource, ev: IndexEvidence, opts: IndexMeasureOptions, scratch: Scratch): Promise<IndexedFileMeasurement> {
  let index: Mp4Index
  try {
    index = await readMp4Index(src, { maxSamples: opts.maxPackets ?? INDEX_MAX_SAMPLES, maxIndexBytes: opts.maxIndexBytes ?? 64 * 1024 * 1024, scratch })
  } catch (err) {
    if (!isSkillgateError(err) || err.code !== 'SG_ERR_MEDIA_INDEX_UNREADABLE') throw err
    return packetPath(src, ev, `the index could not be read (${err.message.split('. ')[0]}), so ffprobe read the whole file`, opts)
  }
  const judged = judgeMp4(index, scratch)
  ev.moov = index.moov
  if (index.fragments) ev.fragments = index.fragments
  ev.fileBytes = index.fileSize ?? null
  if (judged.streams.length === 0) throw sgError('SG_ERR_MEDIA_UNREADABLE', 'the file has no audio or video stream', { file: src.name })
  const reach = src.stats.rangeIgnored && !src.stats.fullDownload ? Math.max(src.stats.bytes, index.moov.start + index.moov.size) + FORWARD_REACH : Infinity
  const samples = pickSamples(index, judged.streams, opts.spotChecks ?? 2, opts.randomInt ?? ((n) => randomInt(n)), reach)
  ev.spotChecks = await spotCheck(src, samples)
  const failed = ev.spotChecks.filter((c) => c.problem !== undefined)
  if (failed.length > 0) {
    throw sgError('SG_ERR_MEDIA_NOT_MEDIA_SAMPLES', `${src.name}: ${failed.length} of ${ev.spotChecks.length} spot-checked sample(s) are not ${failed[0]!.codec} frames (sample ${failed[0]!.sample} at byte ${failed[0]!.offset}: ${failed[0]!.problem})`, {
      file: src.name, spotChecks: ev.spotChecks,
    })
  }
  ev.doubts = judged.doubts
  ev.bytesRead = src.stats.bytes
  ev.requests = src.stats.requests
  ev.rangeIgnored = src.stats.rangeIgnored
  ev.fullDownload = src.stats.fullDownload
  const measured: IndexedFileMeasurement = {
    file: src.name,
    container: judged.container,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    streams: judged.streams,
    headerSeconds: judged.headerSeconds,
    playableSeconds: Math.min(...judged.streams.map((s) => s.playableSeconds)),
    method: methodText(ev) + (judged.warnings.length && ev.rangeIgnored ? `; ${judged.warnings.join('; ')}` : ''),
    warnings: judged.warnings,
    index: ev,
  }
  if (!opts.referee && judged.doubts.length === 0) return measured
  let referee: FileMeasurement
  try {
    referee = await measureFile(await src.localFile(), opts)
  } catch (err) {
    // ffprobe cannot read what the index describes as playable: that is a disagreement too.
    if (!isSkillgateError(err) || judged.doubts.length > 0 || REFEREE_OWN_FAILURES.has(err.code)) throw err
    throw sgError('SG_ERR_MEDIA_REFEREE_DISAGREES', `${src.name}: the index says ${measured.playableSeconds.toFixed(3)} s play, ffprobe could not read the file (${err.code})`, {
      file: src.name, indexPlayableSeconds: measured.playableSeconds, refereeError: { code: err.code, message: err.message.split('. ')[0] },
      streams: measured.streams.map((x) => ({ kind: x.kind, start: x.firstPts, end: x.lastEnd, span: x.playableSeconds })),
    }, err)
  }
  const verdict = compareWithReferee(measured, referee)
  const final: IndexEvidence = { ...ev, referee: verdict, bytesRead: src.stats.bytes, requests: src.stats.requests, fullDownload: src.stats.fullDownload }
  if (judged.doubts.length > 0) {
    // The index reader's model does not cover this file: the packet-level measurement stands.
    return { ...referee, method: `${referee.method} (the index left a doubt: ${judged.doubts.join('; ')})`, index: final }
  }
  if (!verdict.agrees) throw refereeDisagrees(src.name, verdict, measured.playableSeconds, referee.playableSeconds)
  return { ...measured, method: `${measured.method}; refereed by ${referee.method}: agrees`, index: final }
}

/** Measure one file from its index. Throws the SG_ERR_MEDIA_* codes of the packet path, and SG_ERR_MEDIA_NOT_MEDIA_SAMPLES / SG_ERR_MEDIA_REFEREE_DISAGREES. */
export async function measureByIndex(source: ByteSource, opts: IndexMeasureOptions = {}): Promise<IndexedFileMeasurement> {
  const src = withHead(source, HEAD_BYTES)
  const head = await src.read(0, 512)
  const detected = detectContainer(head)
  const ev = evidence(src, detected, await src.size())
  if (head.length === 0) throw sgError('SG_ERR_MEDIA_UNREADABLE', `${src.name} is empty`, { file: src.name })
  if (detected === 'iso-bmff') return measureMp4(src, ev, opts)
  const why = detected === 'matroska'
    ? 'Matroska: the index reader does not read Cues, so ffprobe read the whole file'
    : detected === 'mpegts'
      ? 'a bare MPEG-TS file (not an HLS segment): ffprobe read the whole file'
      : 'not a container the index reader knows: ffprobe read the whole file'
  return packetPath(src, ev, why, opts)
}
