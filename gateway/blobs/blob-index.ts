// Metadata of stored blobs (the `blobs` table): the BlobStore holds bytes, this holds what the
// gateway knows about them, so listings and size checks need no round trip to disk or S3.
import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.js'
import type { PutResult } from './blob-store.js'

export interface BlobMeta {
  sha256: string
  size: number
  contentType: string | null
  createdAt: number
}

export class BlobIndex {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Records a stored blob; recording the same digest again keeps the first record. */
  async record(put: PutResult, contentType: string | null = null, nowMs: number = Date.now()): Promise<BlobMeta> {
    await this.#db
      .insertInto('blobs')
      .values({ sha256: put.sha256, size: put.size, content_type: contentType, created_at: nowMs })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute()
    return (await this.get(put.sha256))!
  }

  async get(sha256: string): Promise<BlobMeta | undefined> {
    const row = await this.#db.selectFrom('blobs').selectAll().where('sha256', '=', sha256).executeTakeFirst()
    return row ? { sha256: row.sha256, size: row.size, contentType: row.content_type, createdAt: row.created_at } : undefined
  }

  async delete(sha256: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('blobs').where('sha256', '=', sha256).executeTakeFirst()
    return Number(r.numDeletedRows) === 1
  }
}
