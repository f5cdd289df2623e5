// Admission workflow (R6–R12): applications and their state, qualification documents, provider
// signing keys (secrets encrypted, never hashed: HMAC verification needs the secret), roadshow
// scores and publicity objections. Portable column types only; see ../schema.ts.
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('org_name', 'text', (c) => c.notNull())
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('form', 'text', (c) => c.notNull())
    .addColumn('endpoint_base_url', 'text')
    .addColumn('sandbox_enc', 'text')
    .addColumn('conformance_report_sha256', 'text')
    .addColumn('conformance_verdict', 'text')
    .addColumn('roadshow_decision', 'text')
    .addColumn('publicity_start_date', 'text')
    .addColumn('publicity_end_date', 'text')
    .addColumn('publicity_ends_at', 'bigint')
    .addColumn('publicity_paused_on', 'text')
    .addColumn('commitment_letter_sha256', 'text')
    .addColumn('title', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('applications_state_idx').on('applications').columns(['state', 'updated_at']).execute()
  await db.schema.createIndex('applications_provider_idx').on('applications').column('provider_id').execute()

  await db.schema
    .createTable('application_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('application_documents_app_idx').on('application_documents').columns(['application_id', 'doc_type']).execute()

  await db.schema
    .createTable('provider_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema.createIndex('provider_keys_provider_idx').on('provider_keys').column('provider_id').execute()

  await db.schema
    .createTable('roadshow_scores')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comments', 'text', (c) => c.notNull())
    .addColumn('scored_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('roadshow_scores_pk', ['application_id', 'reviewer'])
    .execute()

  await db.schema
    .createTable('publicity_objections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('contact', 'text')
    .addColumn('filed_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('outcome', 'text')
    .addColumn('resolution', 'text')
    .addColumn('resolved_by', 'text')
    .execute()
  await db.schema.createIndex('publicity_objections_app_idx').on('publicity_objections').columns(['application_id', 'resolved_at']).execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['publicity_objections', 'roadshow_scores', 'provider_keys', 'application_documents', 'applications']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
