// Content-addressed storage for qualification documents, course packages and media. Callers hold
// only the sha256; where the bytes live is the implementation's business, so an S3-compatible
// store can replace DiskBlobStore without touching callers. An implementation must guarantee:
// - a blob is visible under its digest only once it is complete (no half-written reads);
// - a failed or rejected put leaves nothing behind;
// - putting bytes that already exist is a cheap no-op returning the same digest.
import type { Readable } from 'node:stream'

export interface PutResult {
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string
  size: number
}

export interface PutOptions {
  /** Reject with SG_ERR_BLOB_TOO_LARGE as soon as more bytes than this arrive. */
  maxBytes?: number
}

export interface BlobStore {
  /** Streams `source` into the store, hashing as it goes. */
  put(source: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult>
  /**
   * Like put, but the bytes must hash to `expectedSha256` (SG_ERR_BLOB_DIGEST_MISMATCH) and stay
   * within `maxBytes` (SG_ERR_BLOB_TOO_LARGE); on either, nothing is stored.
   */
  putExpecting(source: Readable | AsyncIterable<Uint8Array>, expectedSha256: string, maxBytes: number): Promise<PutResult>
  /** A stream of the blob's bytes; SG_ERR_BLOB_NOT_FOUND when absent. */
  get(sha256: string): Promise<Readable>
  has(sha256: string): Promise<boolean>
  /** Size in bytes, or undefined when absent. */
  size(sha256: string): Promise<number | undefined>
  /** Removes a blob (retention jobs only); false when it was absent. */
  delete(sha256: string): Promise<boolean>
}

export const SHA256_HEX = /^[0-9a-f]{64}$/
