// A ByteSource over HTTP, through the probe client (which owns deadlines, body caps and the SSRF
// guard). The first request asks for the head with a Range header:
// - 206: every later read is its own Range request for exactly the bytes wanted, and the file's
//   real length comes from Content-Range;
// - 200 (the server ignores Range): the body is taken as a progressive download into a spool file
//   while reads wait for the bytes they need; the transfer is held once it is a little ahead of
//   what was asked for, and stopped when the measurement is done. A faststart file costs its head;
//   a moov at the end costs the whole file, and the stats say so.
// Cross-origin redirects are followed by hand (up to maxRedirects), each target reported as a media
// host (R20-3); a non-2xx answer is SG_ERR_PREVIEW_MEDIA_UNAVAILABLE with the exchange as evidence.
// Buffered bodies (the head, every range) are read into slabs reused from one source to the next
// (scratch.ts), so the ~1 MB a preview reads is never garbage for the GC to find late (issue #14's
// memory goal): what read() returns is valid until close().
import { randomBytes } from 'node:crypto'
import { open, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { BODY_STOPPED, type ProbeClient, type ProbeResponse } from '../net/probe-client.js'
import { newStats, type ByteSource, type ByteSourceStats } from './byte-source.js'
import { SLAB_BYTES, SlabScratch } from './scratch.js'

export interface HttpSourceOptions {
  client: ProbeClient
  url: string
  /** Deadline of one exchange (a progressive download is one exchange). */
  deadlineMs: number
  /** Largest file accepted (a progressive download, or the copy ffprobe reads). */
  maxFileBytes: number
  /** Bytes the first request asks for (default 64 KiB). */
  headBytes?: number
  maxRedirects?: number
  /** Every URL the media came from, redirect targets included. */
  onHost?: (url: string) => void
  /** A private folder for the spool or the whole-file copy. */
  scratchDir: () => Promise<string>
  signal?: AbortSignal
}

/** The slab of a source whose head is small (an MPEG-TS segment: 48 KB head, 12 KB tail). */
const SMALL_SLAB = 64 * 1024

/** The memory a source's buffered bodies land in, handed on at close unless a read may still write into it. */
class BodyMemory {
  readonly #scratch: SlabScratch
  #inFlight = 0
  constructor(headBytes: number) {
    // An MPEG-TS segment's head and tail fit one small slab; an MP4's head, a few samples and the
    // rest of a large moov one of 1 MiB (larger reads get their own memory).
    this.#scratch = new SlabScratch(headBytes <= SMALL_SLAB - SMALL_SLAB / 4 ? SMALL_SLAB : SLAB_BYTES)
  }

  bytes(n: number): Buffer {
    return this.#scratch.bytes(n)
  }

  track<T>(read: Promise<T>): Promise<T> {
    this.#inFlight++
    const settled = (): void => { this.#inFlight-- }
    read.then(settled, settled)
    return read
  }

  /** At close: a read still in flight (a sibling segment failed) may yet write, so its memory is left to the GC. */
  done(): void {
    if (this.#inFlight === 0) this.#scratch.release()
    else this.#scratch.abandon()
  }
}

/** How far a progressive download may run ahead of the furthest byte asked for. */
const READ_AHEAD = 64 * 1024

const stopError = (): Error => Object.assign(new Error('measurement done'), { code: BODY_STOPPED })

/**
 * The first answer's body: in memory for a 206 (the head asked for), spooled to disk for a 200
 * (a server ignoring Range sends the whole file, and reads may come back to any byte of it).
 */
class Spool {
  written = 0
  ended = false
  failed: unknown
  #demand: number
  #held: (() => void) | undefined
  #waiters: Array<() => void> = []
  #stopped = false
  #chunks: Buffer[] = []
  #joined: Buffer = Buffer.alloc(0)
  #file: Promise<FileHandle> | undefined
  constructor(readonly path: string, initialDemand: number) {
    this.#demand = initialDemand
  }

  get onDisk(): boolean {
    return this.#file !== undefined
  }

  toDisk(): void {
    this.#file ??= open(this.path, 'w+')
  }

  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (this.#stopped) return cb(stopError())
        const stored = this.#file ? this.#file.then((h) => h.write(chunk, 0, chunk.length, this.written)) : Promise.resolve(this.#chunks.push(chunk))
        stored.then(() => {
          this.written += chunk.length
          this.#wake()
          if (this.#stopped) return cb(stopError())
          if (this.written < this.#demand + READ_AHEAD) return cb()
          this.#held = () => cb(this.#stopped ? stopError() : null)
        }, cb)
      },
      final: (cb) => {
        this.ended = true
        this.#wake()
        cb()
      },
    })
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w()
  }

  #release(): void {
    const held = this.#held
    this.#held = undefined
    held?.()
  }

  /** Wait until `end` bytes are in, the body ended or failed. */
  async until(end: number): Promise<void> {
    if (end > this.#demand) this.#demand = end
    this.#release()
    while (this.written < end && !this.ended && this.failed === undefined && !this.#stopped) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
    if (this.written < end && this.failed !== undefined) throw this.failed
  }

  async readAt(offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.written - offset))
    if (want === 0) return Buffer.alloc(0)
    if (this.#file) {
      const buf = Buffer.alloc(want)
      await (await this.#file).read(buf, 0, want, offset)
      return buf
    }
    if (this.#joined.length !== this.written) this.#joined = Buffer.concat(this.#chunks, this.written)
    return this.#joined.subarray(offset, offset + want)
  }

  /** A body that came whole (a 206 head, or a small file). */
  fill(body: Buffer): void {
    // Already one buffer: reads slice it (a copy would double every preview's head in memory).
    this.#chunks = [body]
    this.#joined = body
    this.written = body.length
    this.ended = true
  }

  fail(err: unknown): void {
    this.failed ??= err
    this.ended = true
    this.#wake()
  }

  stop(): void {
    this.#stopped = true
    this.#release()
    this.#wake()
  }

  async dispose(): Promise<void> {
    if (!this.#file) return
    await (await this.#file).close().catch(() => undefined)
    await rm(this.path, { force: true })
  }
}

function contentRange(res: ProbeResponse): { start: number; end: number; total: number | undefined } | undefined {
  const raw = res.headers['content-range']
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(Array.isArray(raw) ? raw[0] : raw ?? '').trim())
  if (!m) return undefined
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) }
}

const unavailable = (url: string, res: ProbeResponse): Error =>
  sgError('SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', `GET ${url} without credentials answered ${res.status}`, { url, status: res.status, evidence: res.evidence })

/** The whole body of a server that ignores Range, spooled to disk while reads wait for their bytes. */
async function progressive(o: HttpSourceOptions, url: string, spool: Spool): Promise<{ transfer: Promise<unknown>; status: number; size: number | undefined }> {
  let status = 0
  let size: number | undefined
  let started!: () => void
  const begun = new Promise<void>((resolve) => { started = resolve })
  const attempt = o.client.request({
    url, sign: false, expect: 'bytes', maxBodyBytes: o.maxFileBytes, deadlineMs: o.deadlineMs, ...(o.signal ? { signal: o.signal } : {}),
    sink: (s, headers) => {
      status = s
      const length = Number(Array.isArray(headers['content-length']) ? headers['content-length'][0] : headers['content-length'])
      size = headers['content-encoding'] === undefined && Number.isFinite(length) ? length : undefined
      spool.toDisk()
      started()
      return spool.writable()
    },
  })
  attempt.catch(() => {})
  if ((await Promise.race([begun.then(() => 'body' as const), attempt.then(() => 'done' as const)])) === 'done') {
    const res = await attempt
    throw unavailable(url, res)
  }
  return { transfer: attempt, status, size }
}

/** Open `url` for reading: resolves once the first answer's headers (and a 206 body) are in. */
export async function openHttpSource(o: HttpSourceOptions): Promise<ByteSource> {
  const headBytes = o.headBytes ?? 64 * 1024
  const dir = await o.scratchDir()
  const spool = new Spool(join(dir, `media-${randomBytes(6).toString('hex')}`), headBytes)
  let otherBytes = 0
  const stats: ByteSourceStats = Object.defineProperty(newStats(), 'bytes', { enumerable: true, get: () => spool.written + otherBytes })
  const memory = new BodyMemory(headBytes)
  let target = o.url
  let status: number
  let size: number | undefined
  let transfer: Promise<unknown> = Promise.resolve()
  try {
    for (let hop = 0; ; hop++) {
      o.onHost?.(target)
      let res: ProbeResponse
      try {
        // A plain buffered request: a 206 (or a small whole file) is the common answer.
        res = await o.client.request({ url: target, headers: { range: `bytes=0-${headBytes - 1}` }, sign: false, expect: 'bytes', maxBodyBytes: headBytes, bodyInto: memory.bytes(headBytes), deadlineMs: o.deadlineMs, ...(o.signal ? { signal: o.signal } : {}) })
      } catch (err) {
        if (!isSkillgateError(err) || err.code !== 'SG_ERR_NET_BODY_TOO_LARGE') throw err
        // More than the head came back: the server ignores Range and sends the whole file.
        stats.requests++
        ;({ transfer, status, size } = await progressive(o, target, spool))
        break
      }
      stats.requests++
      if (res.redirectedTo !== undefined && hop < (o.maxRedirects ?? 3)) {
        target = res.redirectedTo
        continue
      }
      if (res.status !== 206 && res.status !== 200) throw unavailable(target, res)
      status = res.status
      size = res.status === 206 ? contentRange(res)?.total : res.body.length
      spool.fill(res.body)
      break
    }
  } catch (err) {
    await spool.dispose()
    memory.done()
    throw err
  }
  const finalUrl = target
  transfer.then(() => spool.fail(undefined), (err: unknown) => spool.fail(err))
  const ranged = status === 206
  if (!ranged) stats.rangeIgnored = true
  let copy: Promise<string> | undefined

  const rangeRead = async (offset: number, length: number): Promise<Buffer> => {
    const end = size === undefined ? offset + length : Math.min(size, offset + length)
    if (end <= offset) return Buffer.alloc(0)
    let res: ProbeResponse
    try {
      res = await memory.track(o.client.request({ url: finalUrl, headers: { range: `bytes=${offset}-${end - 1}` }, sign: false, expect: 'bytes', maxBodyBytes: end - offset, bodyInto: memory.bytes(end - offset), deadlineMs: o.deadlineMs, ...(o.signal ? { signal: o.signal } : {}) }))
    } catch (err) {
      if (isSkillgateError(err) && err.code === 'SG_ERR_NET_BODY_TOO_LARGE') throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${finalUrl}: a Range request for ${end - offset} bytes was answered with more`, { file: finalUrl }, err)
      throw err
    }
    stats.requests++
    otherBytes += res.body.length
    if (res.status === 416) return Buffer.alloc(0)
    if (res.status !== 206) {
      if (res.status >= 200 && res.status < 300) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${finalUrl}: a Range request was answered ${res.status} after the first was answered 206`, { file: finalUrl })
      throw unavailable(finalUrl, res)
    }
    const got = contentRange(res)
    if (!got || got.start !== offset) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${finalUrl}: asked for bytes from ${offset}, got Content-Range ${String(res.headers['content-range'])}`, { file: finalUrl })
    return res.body.subarray(0, end - offset)
  }

  const spoolRead = async (offset: number, length: number): Promise<Buffer> => {
    await spool.until(offset + length)
    return spool.readAt(offset, length)
  }

  return {
    name: finalUrl,
    seekable: true,
    stats,
    async size() {
      if (size !== undefined || ranged) return size
      // Chunked without a length: the file's end is known only once the body ends.
      return spool.ended && spool.failed === undefined ? spool.written : undefined
    },
    async read(offset, length) {
      if (ranged && offset + length > headBytes) {
        if (offset >= headBytes) return rangeRead(offset, length)
        const first = await spoolRead(offset, headBytes - offset)
        return first.length < headBytes - offset ? first : Buffer.concat([first, await rangeRead(headBytes, offset + length - headBytes)])
      }
      const out = await spoolRead(offset, length)
      if (!ranged && spool.ended && spool.failed === undefined) stats.fullDownload = true
      return out
    },
    localFile() {
      copy ??= (async () => {
        if (!ranged) {
          await spool.until(Infinity)
          stats.fullDownload = true
          if (!spool.onDisk) await writeFile(spool.path, await spool.readAt(0, spool.written))
          return spool.path
        }
        const path = join(dir, `whole-${randomBytes(6).toString('hex')}`)
        const res = await o.client.download(finalUrl, path, { maxBytes: o.maxFileBytes, sign: false, deadlineMs: o.deadlineMs })
        stats.requests++
        otherBytes += res.bytes
        stats.fullDownload = true
        if (res.path === undefined) throw unavailable(finalUrl, res as unknown as ProbeResponse)
        return res.path
      })()
      return copy
    },
    async close() {
      spool.stop()
      memory.done()
      await transfer.catch(() => undefined)
      await spool.dispose()
      if (copy) await copy.then((p) => rm(p, { force: true }), () => undefined)
    },
  }
}
