// Measures a package's media once each, with bounded concurrency, however many checks (media
// agreement R13, preview length R5.2-2) and courses ask for the same file. Every lesson and preview
// is measured from its own index by default (conformance/media/measure-index.ts: the extracted
// entry is read in place, a few ranges of it), with ffprobe refereeing a random few and every
// doubt; `method: 'ffprobe'` reads every packet of every file, as before. Measuring starts as soon
// as a file leaves the zip reader (`prime`), so ffprobe runs while later entries are still being
// inflated; checks then `await` the same promise.
import { availableParallelism } from 'node:os'
import { isSkillgateError, sgError, type SkillgateError } from '../../specs/lib/errors.js'
import { randomInt } from 'node:crypto'
import {
  checkCodecs, measureByIndex, measureFile, measureHls, measureHlsByIndex, resolveFfprobe,
  type CodecVerdict, type FfprobeBinary, type Fetcher, type FileMeasurement, type MediaMethod,
} from '../media/measure.js'
import type { OpenedPackage, PackageEntry } from './zip-reader.js'
import { newStats, type ByteSource } from '../media/byte-source.js'

export type MediaFormat = 'mp4' | 'hls'

export interface MediaStreamSummary { kind: 'video' | 'audio'; codec: string }

/** What the checks read, the same shape for a file and an HLS playlist. */
export interface MediaMeasurement {
  file: string
  format: MediaFormat
  sha256: string
  containers: string[]
  streams: MediaStreamSummary[]
  /** The contiguous span that really plays (minimum over audio and video). */
  playableSeconds: number
  /** What the header (or the #EXTINF sum) claims. */
  headerSeconds: number | null
  codecs: CodecVerdict
  method: string
  warnings: string[]
}

export type MediaResult = { ok: true; measurement: MediaMeasurement } | { ok: false; file: string; error: SkillgateError }

/** `pkg:/a/b.m3u8` ↔ entry `a/b.m3u8`; relative segment URIs resolve inside the package only. */
export const packageUrl = (name: string): string => `pkg:/${name.split('/').map(encodeURIComponent).join('/')}`
export const entryNameOf = (url: string): string | undefined => {
  if (!url.startsWith('pkg:/')) return undefined
  try {
    return url.slice('pkg:/'.length).split('/').map(decodeURIComponent).join('/')
  } catch {
    return undefined
  }
}

class Pool {
  #running = 0
  readonly #waiting: Array<() => void> = []
  constructor(readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#running++
    try {
      return await fn()
    } finally {
      this.#running--
      this.#waiting.shift()?.()
    }
  }
}

export interface MediaProberOptions {
  /** Files measured at once (default: available CPUs, at most 8). */
  concurrency?: number
  timeoutMs?: number
  /** 'index' (default) or 'ffprobe' (every packet of every file). */
  method?: MediaMethod
  /** Index path: about this many files per package are also measured by the ffprobe referee (default 3). */
  referee?: number
}

/** Files refereed per package by default: a few per run, as for the probe. */
export const DEFAULT_REFEREE = 3

export class MediaProber {
  readonly #results = new Map<string, Promise<MediaResult>>()
  readonly #pool: Pool
  readonly #timeoutMs: number | undefined
  #pkg: Pick<OpenedPackage, 'entry'> | undefined
  #bin: Promise<FfprobeBinary> | undefined
  readonly #method: MediaMethod
  #refereeLeft: number
  #seen = 0
  #expected: number | undefined

  constructor(opts: MediaProberOptions = {}) {
    this.#pool = new Pool(opts.concurrency ?? Math.max(1, Math.min(8, availableParallelism())))
    this.#timeoutMs = opts.timeoutMs
    this.#method = opts.method ?? 'index'
    this.#refereeLeft = opts.referee ?? DEFAULT_REFEREE
  }

  /** How many files the package will measure (from the manifest), so refereed files are drawn uniformly. */
  expect(files: number): void {
    this.#expected = files
  }

  /**
   * Whether this file goes to the referee too. With the file count known this is selection
   * sampling (Knuth's Algorithm S: each file with probability left / files still to come), so
   * every file is equally likely to be refereed wherever it sits in the zip; without it, 1 in 4.
   */
  #drawReferee(): boolean {
    this.#seen++
    if (this.#refereeLeft <= 0) return false
    const toCome = this.#expected === undefined ? 4 * this.#refereeLeft : Math.max(1, this.#expected - this.#seen + 1)
    const pick = randomInt(toCome) < this.#refereeLeft
    if (pick) this.#refereeLeft--
    return pick
  }

  /** Entries are looked up here; set once the package is open (or while it opens, via `prime`). */
  attach(pkg: Pick<OpenedPackage, 'entry'>): void {
    this.#pkg = pkg
  }

  /** Start measuring an extracted entry now (from the zip reader's onEntry hook). */
  prime(entry: PackageEntry, format: MediaFormat): void {
    if (!this.#results.has(entry.name)) this.#results.set(entry.name, this.#measure(entry, format, (n) => (n === entry.name ? entry : this.#pkg?.entry(n))))
  }

  /** The measurement of `name` (started now if it was not primed). */
  measure(name: string, format: MediaFormat): Promise<MediaResult> {
    let result = this.#results.get(name)
    if (!result) {
      const entry = this.#pkg?.entry(name)
      result = entry
        ? this.#measure(entry, format, (n) => this.#pkg?.entry(n))
        : Promise.resolve({ ok: false as const, file: name, error: sgError('SG_ERR_MEDIA_UNREADABLE', `${name} is not in the package`, { file: name }) })
      this.#results.set(name, result)
    }
    return result
  }

  async #measure(entry: PackageEntry, format: MediaFormat, lookup: (name: string) => PackageEntry | undefined): Promise<MediaResult> {
    this.#bin ??= resolveFfprobe()
    try {
      const ffprobe = await this.#bin
      const measurement = await this.#pool.run(async (): Promise<MediaMeasurement> => {
        if (this.#method === 'index') return this.#fromIndex(entry, format, lookup)
        if (format === 'hls') {
          // Segments are fetched from the package itself: a URI that leaves it does not resolve.
          const fetcher: Fetcher = async (url) => ({ path: await inPackage(url, lookup).localPath() })
          return fromHls(entry, await measureHls(packageUrl(entry.name), fetcher, { ffprobe, ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}) }))
        }
        return fromFile(entry, await measureFile(await entry.localPath(), { ffprobe, ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}) }))
      })
      return { ok: true, measurement }
    } catch (err) {
      // A missing ffprobe is the tool's failure, not the package's: it must surface as an error.
      if (isSkillgateError(err) && err.code !== 'SG_ERR_MEDIA_TOOL_MISSING') return { ok: false, file: entry.name, error: err }
      throw err
    }
  }

  async #fromIndex(entry: PackageEntry, format: MediaFormat, lookup: (name: string) => PackageEntry | undefined): Promise<MediaMeasurement> {
    const referee = this.#drawReferee()
    const timeout = this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}
    if (format === 'hls') {
      return fromHls(entry, await measureHlsByIndex(packageUrl(entry.name), async (url) => entrySource(inPackage(url, lookup)), { referee, ...timeout }))
    }
    const src = entrySource(entry)
    try {
      return fromFile(entry, await measureByIndex(src, { referee, ...timeout }))
    } finally {
      await src.close()
    }
  }
}

/**
 * A package entry as the index reader's ByteSource: read where it lies (in the zip for stored
 * media, else its extracted copy); ffprobe gets a file only when it runs (referee, fallback).
 */
export function entrySource(entry: PackageEntry): ByteSource {
  const stats = newStats()
  return {
    name: entry.name,
    seekable: true,
    stats,
    size: async () => entry.size,
    localFile: () => entry.localPath(),
    async read(offset, length) {
      const buf = await entry.read(offset, length)
      stats.requests++
      stats.bytes += buf.length
      return buf
    },
    close: async () => {},
  }
}

/** The entry a playlist's segment URI names; a URI that leaves the package does not resolve. */
function inPackage(url: string, lookup: (name: string) => PackageEntry | undefined): PackageEntry {
  const name = entryNameOf(url)
  const found = name === undefined ? undefined : lookup(name)
  if (!found) throw sgError('SG_ERR_HLS_SEGMENT_MISSING', `${url} is not in the package`, { url })
  return found
}

type HlsLike = Parameters<typeof checkCodecs>[0] & { segments: Array<{ container: string; streams: MediaStreamSummary[] }>; playableSeconds: number; declaredSeconds: number; method: string; notes: string[] }

function fromHls(entry: PackageEntry, m: HlsLike): MediaMeasurement {
  return {
    file: entry.name, format: 'hls', sha256: entry.sha256,
    containers: [...new Set(m.segments.map((s) => s.container))],
    streams: dedupeStreams(m.segments.flatMap((s) => s.streams.map((x) => ({ kind: x.kind, codec: x.codec })))),
    playableSeconds: m.playableSeconds,
    headerSeconds: m.declaredSeconds,
    codecs: checkCodecs(m),
    method: m.method,
    warnings: m.notes,
  }
}

function fromFile(entry: PackageEntry, m: FileMeasurement): MediaMeasurement {
  return {
    file: entry.name, format: 'mp4', sha256: entry.sha256,
    containers: [m.container],
    streams: dedupeStreams(m.streams.map((s) => ({ kind: s.kind, codec: s.codec }))),
    playableSeconds: m.playableSeconds,
    headerSeconds: m.headerSeconds,
    codecs: checkCodecs(m),
    method: m.method,
    warnings: m.warnings,
  }
}

function dedupeStreams(streams: MediaStreamSummary[]): MediaStreamSummary[] {
  const seen = new Set<string>()
  return streams.filter((s) => {
    const key = `${s.kind}:${s.codec}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
