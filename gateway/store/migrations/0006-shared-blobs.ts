// Blobs shared by every gateway instance on PostgreSQL (issue 16): package files, reports and
// documents kept in the database itself, so instances need no shared disk. Bytes are written as
// fixed-size chunks under an upload id (`blob_chunks`); a blob becomes visible only when its
// `blob_objects` row is inserted, in one statement after every chunk is stored and the digest
// checked, so a reader never sees half a blob and a crash leaves only unreferenced chunks (swept).
// SQLite mode keeps the disk store and leaves these tables empty. Portable types only
// ('bytea' is PostgreSQL's byte string; SQLite accepts the name with BLOB affinity).
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('blob_objects')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('upload_id', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('chunk_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('blob_chunks')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_chunks_pk', ['upload_id', 'seq'])
    .execute()
  await db.schema.createIndex('blob_chunks_created_idx').on('blob_chunks').columns(['created_at']).execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('blob_chunks').execute()
  await db.schema.dropTable('blob_objects').execute()
}
