// BlobStore in PostgreSQL itself (issue 16): every gateway instance on one database sees every blob,
// so instances need no shared disk. Bytes stream in as fixed-size chunks (`blob_chunks`, bytea)
// under a fresh upload id while they are hashed and counted: only one chunk is held in memory. The
// blob becomes visible in one statement, the insert of its `blob_objects` row, after every chunk is
// stored and the digest is checked; a failed, refused or crashed upload leaves only chunks that no
// object names (deleted at once, or swept by `sweepOrphans`). Reads fetch the chunks one at a time,
// only those a byte range touches. Tools that need a file path (yauzl, ffprobe) get a spooled local
// copy (BlobSpool, capped by config blobs.spoolMaxBytes).
import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Database } from '../store/schema.js'
import { assertDigest, assertRange, BlobStoreBase } from './blob-store.js'
import type { BlobStore, ByteRange, LocalBlobFile, PutResult } from './blob-store.js'
import { BlobSpool } from './blob-spool.js'

export const DEFAULT_CHUNK_BYTES = 256 * 1024

export interface PgBlobStoreOptions {
  /** Folder for spooled local copies (per instance; nothing there is needed by another instance). */
  spoolDir: string
  /** Bytes of spooled copies kept for reuse; 0 = delete each copy when released. */
  spoolMaxBytes: number
  /** Chunk size (default 256 KiB): the memory an upload or a read holds, and a range read's granularity. */
  chunkBytes?: number
  now?: () => number
}

export class PgBlobStore extends BlobStoreBase implements BlobStore {
  readonly #db: Kysely<Database>
  readonly #chunk: number
  readonly #now: () => number
  readonly spool: BlobSpool

  constructor(db: Kysely<Database>, options: PgBlobStoreOptions) {
    super()
    this.#db = db
    this.#chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
    this.#now = options.now ?? Date.now
    this.spool = new BlobSpool(options.spoolDir, options.spoolMaxBytes, (sha256) => this.get(sha256))
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    assertDigest(sha256)
    const obj = await this.#db.selectFrom('blob_objects').selectAll().where('sha256', '=', sha256).executeTakeFirst()
    if (!obj) throw sgError('SG_ERR_BLOB_NOT_FOUND', sha256)
    assertRange(range, obj.size)
    if (obj.size === 0) return Readable.from([])
    const start = range?.start ?? 0
    const end = range?.end ?? obj.size - 1
    const db = this.#db
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = Math.floor(start / obj!.chunk_size); seq <= Math.floor(end / obj!.chunk_size); seq++) {
        const row = await db.selectFrom('blob_chunks').select('data').where('upload_id', '=', obj!.upload_id).where('seq', '=', seq).executeTakeFirst()
        if (!row) throw sgError('SG_ERR_BLOB_NOT_FOUND', `${sha256} was deleted while it was read`)
        const base = seq * obj!.chunk_size
        yield row.data.subarray(Math.max(0, start - base), Math.min(row.data.length, end - base + 1))
      }
    }
    return Readable.from(chunks(), { objectMode: false })
  }

  localFile(sha256: string): Promise<LocalBlobFile> {
    assertDigest(sha256)
    return this.spool.acquire(sha256)
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined
  }

  async size(sha256: string): Promise<number | undefined> {
    assertDigest(sha256)
    const row = await this.#db.selectFrom('blob_objects').select('size').where('sha256', '=', sha256).executeTakeFirst()
    return row?.size
  }

  async delete(sha256: string): Promise<boolean> {
    assertDigest(sha256)
    return this.#db.transaction().execute(async (trx) => {
      const obj = await trx.deleteFrom('blob_objects').where('sha256', '=', sha256).returning('upload_id').executeTakeFirst()
      if (!obj) return false
      await trx.deleteFrom('blob_chunks').where('upload_id', '=', obj.upload_id).execute()
      return true
    })
  }

  /** Deletes chunks no blob names that are older than `olderThanMs` (crashed uploads). Returns how many. */
  async sweepOrphans(olderThanMs = 3_600_000): Promise<number> {
    const r = await this.#db.deleteFrom('blob_chunks')
      .where('created_at', '<', this.#now() - olderThanMs)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('blob_objects').select('sha256').whereRef('blob_objects.upload_id', '=', 'blob_chunks.upload_id'))))
      .executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  protected async writeBlob(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number | undefined, expected: string | undefined): Promise<PutResult> {
    const uploadId = randomUUID()
    const hash = createHash('sha256')
    const chunkBytes = this.#chunk
    let size = 0
    let seq = 0
    let pending: Buffer[] = []
    let pendingBytes = 0
    const store = async (data: Buffer): Promise<void> => {
      await this.#db.insertInto('blob_chunks').values({ upload_id: uploadId, seq: seq++, data, created_at: this.#now() }).execute()
    }
    try {
      for await (const piece of source) {
        const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece)
        size += buf.length
        if (maxBytes !== undefined && size > maxBytes) throw sgError('SG_ERR_BLOB_TOO_LARGE', `more than ${maxBytes} bytes`, { maxBytes })
        hash.update(buf)
        pending.push(buf)
        pendingBytes += buf.length
        if (pendingBytes < chunkBytes) continue
        let all = Buffer.concat(pending, pendingBytes)
        while (all.length >= chunkBytes) {
          await store(all.subarray(0, chunkBytes))
          all = all.subarray(chunkBytes)
        }
        pending = all.length > 0 ? [Buffer.from(all)] : []
        pendingBytes = all.length
      }
      if (pendingBytes > 0) await store(Buffer.concat(pending, pendingBytes))
      const sha256 = hash.digest('hex')
      if (expected !== undefined && sha256 !== expected) {
        throw sgError('SG_ERR_BLOB_DIGEST_MISMATCH', `expected ${expected}, received ${sha256}`, { expected, actual: sha256, size })
      }
      // The one statement that makes the blob visible. Same bytes already stored: keep the first copy.
      const r = await this.#db.insertInto('blob_objects').values({ sha256, upload_id: uploadId, size, chunk_size: chunkBytes, created_at: this.#now() })
        .onConflict((oc) => oc.column('sha256').doNothing()).executeTakeFirst()
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) await this.#discard(uploadId)
      return { sha256, size }
    } catch (err) {
      await this.#discard(uploadId).catch(() => undefined)
      throw err
    }
  }

  async #discard(uploadId: string): Promise<void> {
    await this.#db.deleteFrom('blob_chunks').where('upload_id', '=', uploadId).execute()
  }
}
