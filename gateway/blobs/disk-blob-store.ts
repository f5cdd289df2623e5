// BlobStore on a local (or mounted) file system: blobs live at <root>/<aa>/<bb>/<sha256>. Bytes are
// streamed into <root>/tmp/ while hashed and then renamed into place, and rename(2) within one
// file system is atomic, so a reader never sees a partial blob and a crash leaves only a temp file
// (swept by `sweepTemp`).
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sgError } from '../../specs/lib/errors.js'
import { assertDigest, assertRange, BlobStoreBase } from './blob-store.js'
import type { BlobStore, ByteRange, LocalBlobFile, PutResult } from './blob-store.js'

export class DiskBlobStore extends BlobStoreBase implements BlobStore {
  readonly root: string
  readonly #tmp: string

  constructor(root: string) {
    super()
    this.root = root
    this.#tmp = join(root, 'tmp')
  }

  /** Where the blob is (or would be) on disk, for tools that need a file path (ffprobe, yauzl). */
  path(sha256: string): string {
    assertDigest(sha256)
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const file = this.path(sha256)
    if (range !== undefined) {
      const size = await this.size(sha256)
      if (size === undefined) throw sgError('SG_ERR_BLOB_NOT_FOUND', sha256)
      assertRange(range, size)
    }
    // Open before returning so a missing blob is a clean SG_ERR_BLOB_NOT_FOUND, not a stream error.
    const stream = createReadStream(file, range)
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve())
      stream.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? sgError('SG_ERR_BLOB_NOT_FOUND', sha256) : err),
      )
    })
    return stream
  }

  /** The blob's own file: nothing to copy or release. */
  async localFile(sha256: string): Promise<LocalBlobFile> {
    if (!(await this.has(sha256))) throw sgError('SG_ERR_BLOB_NOT_FOUND', sha256)
    return { path: this.path(sha256), release: async () => undefined }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(sha256))).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.path(sha256))
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw err
    }
  }

  /** Removes temp files left by a crash; call at boot before serving uploads. Returns how many. */
  async sweepTemp(): Promise<number> {
    const names = await readdir(this.#tmp).catch(() => [] as string[])
    await Promise.all(names.map((n) => rm(join(this.#tmp, n), { force: true })))
    return names.length
  }

  protected async writeBlob(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number | undefined, expected: string | undefined): Promise<PutResult> {
    await mkdir(this.#tmp, { recursive: true })
    const tmpFile = join(this.#tmp, `${randomUUID()}.part`)
    const hash = createHash('sha256')
    let size = 0
    const meter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        size += chunk.length
        if (maxBytes !== undefined && size > maxBytes) {
          callback(sgError('SG_ERR_BLOB_TOO_LARGE', `more than ${maxBytes} bytes`, { maxBytes }))
          return
        }
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    const out = createWriteStream(tmpFile, { flags: 'wx' })
    try {
      await pipeline(source, meter, out)
      const sha256 = hash.digest('hex')
      if (expected !== undefined && sha256 !== expected) {
        throw sgError('SG_ERR_BLOB_DIGEST_MISMATCH', `expected ${expected}, received ${sha256}`, { expected, actual: sha256, size })
      }
      const finalPath = this.path(sha256)
      await mkdir(join(finalPath, '..'), { recursive: true })
      // Same content under the same name: replacing it is harmless and keeps put idempotent.
      await rename(tmpFile, finalPath)
      return { sha256, size }
    } catch (err) {
      // A source can fail while the write stream is still opening the temp file: wait until it has
      // closed, or the file would appear after it was removed.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()))
      await rm(tmpFile, { force: true })
      throw err
    }
  }
}
