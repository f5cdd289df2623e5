// Course packages (R13, R14): uploaded packages with their check status and report, and the course
// centre's `courses` table. Synced courses (source 'sync') will share it with uploaded ones
// (source 'package'); a course version is visible once its row is 'live'. Portable types only.
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('verdict', 'text')
    .addColumn('report_sha256', 'text')
    .addColumn('courses_in_package', 'integer')
    .addColumn('courses_queued', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute()
  await db.schema.createIndex('packages_provider_sha_idx').on('packages').columns(['provider_id', 'sha256']).execute()

  await db.schema
    .createTable('courses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title_zh', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('free', 'integer', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('package_id', 'text')
    .addColumn('preview_sha256', 'text')
    .addColumn('preview_seconds', 'double precision')
    .addColumn('proof_sha256', 'text')
    .addColumn('reasons', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('published_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('courses_version_unique', ['source', 'provider_id', 'course_id', 'version'])
    .execute()
  await db.schema.createIndex('courses_status_idx').on('courses').columns(['status', 'created_at']).execute()
  await db.schema.createIndex('courses_provider_idx').on('courses').columns(['provider_id', 'course_id', 'status']).execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('courses').execute()
  await db.schema.dropTable('packages').execute()
}
