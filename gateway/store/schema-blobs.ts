// Tables of the shared blob store on PostgreSQL (migration 0006-shared-blobs;
// gateway/blobs/pg-blob-store.ts), kept apart from schema.ts so each file stays one concern.
import type { Selectable } from 'kysely'
import type { EpochMs } from './schema.js'

/** A complete blob: visible once this row exists; its bytes are the chunks of `upload_id`. */
export interface BlobObjectsTable {
  sha256: string
  upload_id: string
  size: number
  chunk_size: number
  created_at: EpochMs
}

export interface BlobChunksTable {
  upload_id: string
  seq: number
  data: Buffer
  created_at: EpochMs
}

export type BlobObjectRow = Selectable<BlobObjectsTable>
