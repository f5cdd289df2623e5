// Data interface and dynamic management (R17–R20): the course centre, catalogue-sync state with a
// per-provider circuit breaker, learning records (kept ≥ 1095 days), assessment runs and cases,
// feedback tickets, provider operating status and the management actions taken on providers.
// Portable column types only (text, integer, bigint): see ../schema.ts for the conventions.
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await providerOperations(db)
  await courseCentre(db)
  await catalogueSync(db)
  await learningRecords(db)
  await assessments(db)
  await feedback(db)
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['feedback_tickets', 'assessment_cases', 'assessment_runs', 'learning_records', 'sync_runs', 'sync_state', 'centre_courses', 'provider_actions', 'provider_status']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}

async function providerOperations(db: AnyDb): Promise<void> {
  // Operating status after admission. The admission state machine ends at 'active'; suspension,
  // interviews and exits (R18–R20) are tracked here, one row per provider that ever left 'active'.
  await db.schema
    .createTable('provider_status')
    .addColumn('provider_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('provider_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('recommendation_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('provider_actions_provider_idx').on('provider_actions').columns(['provider_id', 'at']).execute()
}

async function courseCentre(db: AnyDb): Promise<void> {
  // The course centre: every course learners can find, whatever its source (R13, R16).
  await db.schema
    .createTable('centre_courses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('title_zh', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text')
    .addColumn('title_norm', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('occupation_code', 'text')
    .addColumn('free', 'integer', (c) => c.notNull())
    .addColumn('price_fen', 'bigint')
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('lesson_count', 'integer', (c) => c.notNull())
    .addColumn('preview_seconds', 'integer', (c) => c.notNull())
    .addColumn('provider_updated_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('centre_courses_provider_idx').on('centre_courses').columns(['provider_id', 'course_id']).unique().execute()
  await db.schema.createIndex('centre_courses_category_idx').on('centre_courses').columns(['category', 'id']).execute()
}

/** Catalogue-sync state with the per-provider circuit breaker, and one row per sync run. */
async function catalogueSync(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sync_state')
    .addColumn('provider_id', 'text', (c) => c.primaryKey())
    .addColumn('updated_since', 'text')
    .addColumn('circuit', 'text', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('opened_at', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('records_since', 'text')
    .execute()

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addColumn('upserted', 'integer', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .execute()
  await db.schema.createIndex('sync_runs_provider_idx').on('sync_runs').columns(['provider_id', 'started_at']).execute()
}

/** Learning records, kept ≥ 1095 days. */
async function learningRecords(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('learning_records')
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('statement_id', 'text', (c) => c.notNull())
    .addColumn('learner_account', 'text', (c) => c.notNull())
    .addColumn('learner_home_page', 'text', (c) => c.notNull())
    .addColumn('verb', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text')
    .addColumn('lesson_id', 'text')
    .addColumn('voids_statement_id', 'text')
    .addColumn('completion', 'integer')
    .addColumn('effective_seconds', 'integer')
    .addColumn('statement_at', 'bigint', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('voided_at', 'bigint')
    .addColumn('voided_by', 'text')
    .addPrimaryKeyConstraint('learning_records_pk', ['provider_id', 'statement_id'])
    .execute()
  await db.schema.createIndex('learning_records_course_idx').on('learning_records').columns(['provider_id', 'course_id', 'statement_at']).execute()
  await db.schema.createIndex('learning_records_learner_idx').on('learning_records').columns(['learner_account', 'statement_at']).execute()
  await db.schema.createIndex('learning_records_voids_idx').on('learning_records').columns(['provider_id', 'voids_statement_id']).execute()
}

/** Assessment runs and the cases they open. */
async function assessments(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('assessment_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('drift', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('assessment_runs_provider_idx').on('assessment_runs').columns(['provider_id', 'started_at']).execute()

  await db.schema
    .createTable('assessment_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('requirement_ids', 'text', (c) => c.notNull())
    // `<providerId>:<kind>` while open, null once resolved: at most one open case per drift kind.
    .addColumn('open_key', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('recommendation', 'text')
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text')
    .addColumn('note', 'text')
    .execute()
  await db.schema.createIndex('assessment_cases_status_idx').on('assessment_cases').columns(['status', 'opened_at']).execute()
}

/** Feedback tickets. */
async function feedback(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('feedback_tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text')
    .addColumn('entity_name', 'text', (c) => c.notNull())
    .addColumn('entity_uscc', 'text')
    .addColumn('contact', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('rating_token_hash', 'text', (c) => c.notNull())
    .addColumn('filed_at', 'bigint', (c) => c.notNull())
    .addColumn('responded_at', 'bigint')
    .addColumn('response', 'text')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolution', 'text')
    .addColumn('rating', 'integer')
    .addColumn('rated_at', 'bigint')
    .execute()
  await db.schema.createIndex('feedback_tickets_provider_idx').on('feedback_tickets').columns(['provider_id', 'filed_at']).execute()
}
