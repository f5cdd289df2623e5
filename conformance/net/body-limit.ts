// Reads a response body under a size limit counted on DECODED bytes. Decompression runs as a
// stream and the limiter sits after it, so a gzip bomb is cut off after `maxBytes` of output
// instead of being inflated into memory first. Raw bytes are capped too, for bodies that do not
// shrink when decoded. Identity bodies read into memory skip the stream machinery (two transforms
// and a pipeline per response were most of the probe's per-request CPU): the chunks are counted as
// they arrive and the source is destroyed at the cap.
import { Transform, Writable } from 'node:stream'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'

/** What the client advertises; zstd is left out because Node 20's zlib cannot decode it. */
export const ACCEPT_ENCODING = 'gzip, deflate, br'

/** Decoders for a Content-Encoding header, outermost coding first. Throws SG_ERR_NET_DECODE on unknown codings. */
export function decodersFor(contentEncoding: string | string[] | undefined): Transform[] {
  const raw = Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? '')
  const codings = raw.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity')
  // Codings are listed in the order they were applied, so they are undone in reverse.
  return codings.reverse().map((c) => {
    if (c === 'gzip' || c === 'x-gzip') return createGunzip()
    if (c === 'deflate') return createInflate()
    if (c === 'br') return createBrotliDecompress()
    throw sgError('SG_ERR_NET_DECODE', `unsupported Content-Encoding "${c}"`, { contentEncoding: raw })
  })
}

class ByteLimiter extends Transform {
  bytes = 0
  readonly #limit: number
  readonly #what: string
  readonly #onChunk: ((chunk: Buffer) => void) | undefined

  constructor(limit: number, what: string, onChunk?: (chunk: Buffer) => void) {
    super()
    this.#limit = limit
    this.#what = what
    this.#onChunk = onChunk
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length
    if (this.bytes > this.#limit) {
      cb(sgError('SG_ERR_NET_BODY_TOO_LARGE', `${this.#what} exceeded ${this.#limit} bytes`, { limit: this.#limit }))
      return
    }
    this.#onChunk?.(chunk)
    cb(null, chunk)
  }
}

/** Headroom over `maxBytes` for compressed input: incompressible data grows slightly when gzipped. */
const RAW_SLACK = 64 * 1024

export interface LimitedBodyResult {
  body: Buffer
  rawBytes: number
  decodedBytes: number
}

/**
 * Drain `source` through the decoders and the limiter into memory (sink omitted) or into `sink`
 * (downloads). Non-network failures become stable codes; abort errors are left for the caller,
 * who knows whether its deadline fired.
 */
export async function readLimitedBody(
  source: Readable,
  o: {
    contentEncoding: string | string[] | undefined
    maxBytes: number
    sink?: Writable
    signal?: AbortSignal
    /** Sees every decoded chunk (hashing a download while it streams). */
    onChunk?: (chunk: Buffer) => void
    /**
     * Memory the caller reuses: the decoded body is copied into it as it arrives (its length caps
     * the body like maxBytes) and the result's body is a view of it, so the socket's chunks die
     * young and no joined copy is made. Ignored when `sink` is given.
     */
    into?: Buffer
  },
): Promise<LimitedBodyResult> {
  const decoders = decodersFor(o.contentEncoding)
  const into = o.sink ? undefined : o.into
  const maxBytes = into ? Math.min(o.maxBytes, into.length) : o.maxBytes
  if (decoders.length === 0 && !o.sink) return readIdentityBody(source, maxBytes, o.signal, o.onChunk, into)
  const rawLimiter = new ByteLimiter(maxBytes + RAW_SLACK, 'response body (as sent)')
  const limiter = new ByteLimiter(maxBytes, 'decoded response body', o.onChunk)
  const collect = collector(into)
  const sink = o.sink ?? new Writable({
    write(chunk: Buffer, _enc, cb) {
      collect.add(chunk)
      cb()
    },
  })
  try {
    await pipeline([source, rawLimiter, ...decoders, limiter, sink], o.signal ? { signal: o.signal } : {})
  } catch (err) {
    if (isSkillgateError(err)) throw err
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR') || code.includes('BROTLI'))) {
      throw sgError('SG_ERR_NET_DECODE', `${String(o.contentEncoding)} body is corrupt (${code})`, { zlibCode: code }, err)
    }
    throw err
  }
  return { body: o.sink ? Buffer.alloc(0) : collect.body(), rawBytes: rawLimiter.bytes, decodedBytes: limiter.bytes }
}

/** Where a buffered body's chunks go: a list joined at the end, or straight into the caller's memory. */
function collector(into: Buffer | undefined): { add(chunk: Buffer): void; body(): Buffer } {
  let bytes = 0
  if (into) {
    return {
      add: (chunk) => { bytes += chunk.copy(into, bytes) },
      body: () => into.subarray(0, bytes),
    }
  }
  const chunks: Buffer[] = []
  return {
    add: (chunk) => { chunks.push(chunk); bytes += chunk.length },
    body: () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)),
  }
}

/**
 * The fast path: an uncompressed body collected in memory. Raw and decoded bytes are the same
 * thing, so one count and one cap; aborting `signal` destroys the source with the signal's reason.
 */
function readIdentityBody(source: Readable, maxBytes: number, signal: AbortSignal | undefined, onChunk: ((chunk: Buffer) => void) | undefined, into: Buffer | undefined): Promise<LimitedBodyResult> {
  return new Promise<LimitedBodyResult>((resolve, reject) => {
    const collect = collector(into)
    let bytes = 0
    let settled = false
    const finish = (err: unknown): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      source.off('data', onData)
      source.off('end', onEnd)
      source.off('error', onError)
      source.off('close', onClose)
      if (err !== undefined) {
        // Keep a late 'error' from the destroyed source from becoming an uncaught exception.
        source.on('error', () => {})
        source.destroy()
        reject(err)
      } else {
        resolve({ body: collect.body(), rawBytes: bytes, decodedBytes: bytes })
      }
    }
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length
      if (bytes > maxBytes) {
        finish(sgError('SG_ERR_NET_BODY_TOO_LARGE', `decoded response body exceeded ${maxBytes} bytes`, { limit: maxBytes }))
        return
      }
      onChunk?.(chunk)
      collect.add(chunk)
    }
    const onEnd = (): void => finish(undefined)
    const onError = (err: Error): void => finish(err)
    // A source destroyed without an error (no 'end') must not leave the caller waiting.
    const onClose = (): void => finish(signal?.aborted ? signal.reason : Object.assign(new Error('response body closed before it ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
    const onAbort = (): void => finish(signal?.reason)
    if (signal?.aborted) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    source.on('data', onData)
    source.on('end', onEnd)
    source.on('error', onError)
    source.on('close', onClose)
  })
}
