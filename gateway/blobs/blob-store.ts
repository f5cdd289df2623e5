// Content-addressed storage for qualification documents, course packages and media. Callers hold
// only the sha256; where the bytes live is the implementation's business, so an S3-compatible
// store can replace DiskBlobStore without touching callers. An implementation must guarantee:
// - a blob is visible under its digest only once it is complete (no half-written reads);
// - a failed or rejected put leaves nothing behind;
// - putting bytes that already exist is a cheap no-op returning the same digest.
// Two implementations: DiskBlobStore (SQLite mode: <dataDir>/blobs) and PgBlobStore (PostgreSQL
// mode: the bytes in the database, shared by every instance; see gateway/blobs/README in the
// top-level README, "Blobs").
import type { Readable } from 'node:stream'
import { sgError } from '../../specs/lib/errors.js'

export interface PutResult {
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string
  size: number
}

export interface PutOptions {
  /** Reject with SG_ERR_BLOB_TOO_LARGE as soon as more bytes than this arrive. */
  maxBytes?: number
}

/** Inclusive byte offsets, as in HTTP Range (0 <= start <= end < size). */
export interface ByteRange {
  start: number
  end: number
}

/** A local file holding a blob's bytes, for tools that need a path (yauzl, ffprobe); release when done. */
export interface LocalBlobFile {
  path: string
  release(): Promise<void>
}

export interface BlobStore {
  /** Streams `source` into the store, hashing as it goes. */
  put(source: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult>
  /**
   * Like put, but the bytes must hash to `expectedSha256` (SG_ERR_BLOB_DIGEST_MISMATCH) and stay
   * within `maxBytes` (SG_ERR_BLOB_TOO_LARGE); on either, nothing is stored.
   */
  putExpecting(source: Readable | AsyncIterable<Uint8Array>, expectedSha256: string, maxBytes: number): Promise<PutResult>
  /**
   * A stream of the blob's bytes (of `range` only, when given); SG_ERR_BLOB_NOT_FOUND when absent,
   * SG_ERR_BLOB_RANGE when the range is not within the blob.
   */
  get(sha256: string, range?: ByteRange): Promise<Readable>
  /** The blob as a local file (the store's own file, or a spooled copy); SG_ERR_BLOB_NOT_FOUND when absent. */
  localFile(sha256: string): Promise<LocalBlobFile>
  has(sha256: string): Promise<boolean>
  /** Size in bytes, or undefined when absent. */
  size(sha256: string): Promise<number | undefined>
  /** Removes a blob (retention jobs only); false when it was absent. */
  delete(sha256: string): Promise<boolean>
}

export const SHA256_HEX = /^[0-9a-f]{64}$/

/** SG_ERR_BLOB_BAD_DIGEST unless `sha256` is a lower-case hex SHA-256. */
export function assertDigest(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw sgError('SG_ERR_BLOB_BAD_DIGEST', `not a lower-case hex SHA-256: ${sha256.slice(0, 80)}`)
}

/**
 * put and putExpecting, shared by the stores: both are one `writeBlob` that streams, hashes and
 * counts the bytes, with the expected digest (checked for its form first) or without one.
 */
export abstract class BlobStoreBase {
  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<PutResult> {
    return this.writeBlob(source, options.maxBytes, undefined)
  }

  async putExpecting(source: Readable | AsyncIterable<Uint8Array>, expectedSha256: string, maxBytes: number): Promise<PutResult> {
    assertDigest(expectedSha256)
    return this.writeBlob(source, maxBytes, expectedSha256)
  }

  /** Stores the bytes within `maxBytes` (SG_ERR_BLOB_TOO_LARGE) and, when `expected` is given, only if they hash to it (SG_ERR_BLOB_DIGEST_MISMATCH); on either, nothing is stored. */
  protected abstract writeBlob(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number | undefined, expected: string | undefined): Promise<PutResult>
}

/** Checks `range` against a blob of `size` bytes (SG_ERR_BLOB_RANGE when it is not within it). */
export function assertRange(range: ByteRange | undefined, size: number): void {
  if (range === undefined) return
  const ok = Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < size
  if (!ok) throw sgError('SG_ERR_BLOB_RANGE', `bytes ${range.start}-${range.end} of a ${size}-byte blob`, { size })
}
