// Streams one entry's bytes to its sandbox file while hashing them. Every cap is enforced on bytes
// actually produced by the inflater, not on what the central directory claims: the directory was
// already checked, and this is the second, independent count that a lying directory cannot fool.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
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
      const t = this.target
      if (this.size !== t.declaredSize) {
        throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `entry "${printable(t.name)}" declares ${t.declaredSize} bytes but holds ${this.size}`, { name: t.name, declared: t.declaredSize, actual: this.size })
      }
      if (this.crc !== t.crc32) {
        throw sgError('SG_ERR_ZIP_CORRUPT', `entry "${printable(t.name)}" fails its CRC-32 check`, { name: t.name, declared: t.crc32, actual: this.crc })
      }
      cb()
    } catch (err) {
      cb(err as Error)
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
