// Streams one entry's bytes to its sandbox file while hashing them. Every cap is enforced on bytes
// actually produced by the inflater, not on what the central directory claims: the directory was
// already checked, and this is the second, independent count that a lying directory cannot fool.
import { createHash } from 'node:crypto'
import { createWriteStream, read } from 'node:fs'
import { promisify } from 'node:util'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import { sgError } from '../../specs/lib/errors.js'
import type { PackageLimits } from './zip-limits.js'
import { ARCHIVE_MAGIC_MAX_BYTES, detectArchiveMagic } from './zip-magic.js'
import { printable } from './zip-names.js'

export interface ExtractTarget {
  name: string
  declaredSize: number
  compressedSize: number
  crc32: number
}

/** Running totals shared by all entries of one package. */
export interface ExtractBudget { totalBytes: number }

export interface ExtractResult { size: number; sha256: string; crc32: number }

class EntryInspector extends Transform {
  size = 0
  crc = 0
  readonly hash = createHash('sha256')
  private head: Buffer[] | undefined = []
  private headBytes = 0

  constructor(private readonly target: ExtractTarget, private readonly limits: Readonly<PackageLimits>, private readonly budget: ExtractBudget) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.count(chunk)
      if (this.head) {
        // Hold the first bytes back until the archive signature can be judged, so a nested
        // archive never reaches the disk, not even its first chunk.
        this.head.push(chunk)
        this.headBytes += chunk.length
        if (this.headBytes < ARCHIVE_MAGIC_MAX_BYTES) return cb()
        this.releaseHead()
        return cb()
      }
      cb(null, chunk)
    } catch (err) {
      cb(err as Error)
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (this.head) this.releaseHead()
      this.finish()
      cb()
    } catch (err) {
      cb(err as Error)
    }
  }

  /** Nested-archive check on the first bytes (in-place entries). */
  judgeHead(head: Buffer): void {
    this.head = undefined
    const kind = detectArchiveMagic(head)
    if (kind) throw sgError('SG_ERR_ZIP_NESTED', `entry "${printable(this.target.name)}" is a ${kind} archive`, { name: this.target.name, kind })
  }

  /** Count, cap and hash one chunk (in-place entries). */
  countChunk(chunk: Buffer): void {
    this.count(chunk)
  }

  /** Declared size and CRC-32 against what was counted (in-place entries). */
  finish(): void {
    const t = this.target
    if (this.size !== t.declaredSize) {
      throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `entry "${printable(t.name)}" declares ${t.declaredSize} bytes but holds ${this.size}`, { name: t.name, declared: t.declaredSize, actual: this.size })
    }
    if (this.crc !== t.crc32) {
      throw sgError('SG_ERR_ZIP_CORRUPT', `entry "${printable(t.name)}" fails its CRC-32 check`, { name: t.name, declared: t.crc32, actual: this.crc })
    }
  }

  private releaseHead(): void {
    const head = Buffer.concat(this.head ?? [])
    this.head = undefined
    const kind = detectArchiveMagic(head.subarray(0, ARCHIVE_MAGIC_MAX_BYTES))
    if (kind) throw sgError('SG_ERR_ZIP_NESTED', `entry "${printable(this.target.name)}" is a ${kind} archive`, { name: this.target.name, kind })
    this.push(head)
  }

  private count(chunk: Buffer): void {
    const t = this.target
    const l = this.limits
    this.size += chunk.length
    this.budget.totalBytes += chunk.length
    if (this.size > t.declaredSize) {
      throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `entry "${printable(t.name)}" declares ${t.declaredSize} bytes but inflates to more`, { name: t.name, declared: t.declaredSize, actualAtLeast: this.size })
    }
    if (this.size > l.maxEntryBytes) throw sgError('SG_ERR_ZIP_TOO_LARGE', `entry "${printable(t.name)}" exceeds ${l.maxEntryBytes} bytes`, { name: t.name, limit: l.maxEntryBytes })
    if (this.budget.totalBytes > l.maxTotalBytes) throw sgError('SG_ERR_ZIP_TOO_LARGE', `the package inflates to more than ${l.maxTotalBytes} bytes`, { limit: l.maxTotalBytes })
    if (this.size >= l.ratioMinEntryBytes && this.size > l.maxCompressionRatio * t.compressedSize) {
      throw sgError('SG_ERR_ZIP_RATIO', `entry "${printable(t.name)}" inflates more than ${l.maxCompressionRatio}:1`, { name: t.name, limit: l.maxCompressionRatio })
    }
    this.hash.update(chunk)
    this.crc = crc32(chunk, this.crc)
  }
}

/**
 * Pipe `source` (the entry's decoded bytes) into a new file at `destPath`. The file is created
 * exclusively (`wx`), so an existing file or a planted symlink at that path fails instead of being
 * followed. On failure the partial file is left for the caller, which removes the whole sandbox.
 */
export async function extractEntryToFile(source: Readable, destPath: string, target: ExtractTarget, limits: Readonly<PackageLimits>, budget: ExtractBudget): Promise<ExtractResult> {
  const inspector = new EntryInspector(target, limits, budget)
  await pipeline(source, inspector, createWriteStream(destPath, { flags: 'wx', mode: 0o600 }))
  return { size: inspector.size, sha256: inspector.hash.digest('hex'), crc32: inspector.crc }
}

const preadInto = promisify(read)

/** Read size for entries checked in place: large reads, one reused buffer, nothing kept. */
const IN_PLACE_READ_BYTES = 1 << 20

/**
 * A stored (uncompressed) entry checked where it lies in the zip, not copied out: the same counts,
 * caps, nested-archive check, CRC-32 and SHA-256 as `extractEntryToFile`, over the raw bytes at
 * [dataStart, dataStart + declaredSize) of the zip's `fd`, read in 1 MiB pieces into one buffer.
 * Readers then read the entry in place (zip-reader.ts `readInPlace`); nothing reaches the disk.
 */
export async function inspectStoredEntry(fd: number, dataStart: number, target: ExtractTarget, limits: Readonly<PackageLimits>, budget: ExtractBudget, buffer: Buffer = Buffer.allocUnsafe(IN_PLACE_READ_BYTES)): Promise<ExtractResult> {
  if (target.compressedSize !== target.declaredSize) {
    throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `stored entry "${printable(target.name)}" declares ${target.declaredSize} bytes but holds ${target.compressedSize}`, { name: target.name, declared: target.declaredSize, actual: target.compressedSize })
  }
  const inspector = new EntryInspector(target, limits, budget)
  for (let done = 0; done < target.declaredSize;) {
    const want = Math.min(buffer.length, target.declaredSize - done)
    const { bytesRead } = await preadInto(fd, buffer, 0, want, dataStart + done)
    if (bytesRead === 0) throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `entry "${printable(target.name)}" declares ${target.declaredSize} bytes but the archive ends after ${done}`, { name: target.name, declared: target.declaredSize, actual: done })
    if (done === 0) inspector.judgeHead(buffer.subarray(0, Math.min(bytesRead, ARCHIVE_MAGIC_MAX_BYTES)))
    inspector.countChunk(buffer.subarray(0, bytesRead))
    done += bytesRead
  }
  inspector.finish()
  return { size: inspector.size, sha256: inspector.hash.digest('hex'), crc32: inspector.crc }
}
