// Identified participants (R11, R17, R19; issue 16): feedback that counts towards the R19 rates
// comes only from a training body (参培主体) the platform has registered and issued a token to;
// objections during publicity name the objector (name and contact), whom a reviewer confirms
// before the objection pauses publicity. Portable column types only (see ../schema.ts).
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  // 参培主体: the enterprises and bodies that train their people. Created by an admin; each holds
  // bearer tokens of role 'training-body' (api_tokens.training_body_id).
  await db.schema
    .createTable('training_bodies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('uscc', 'text')
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema.alterTable('api_tokens').addColumn('training_body_id', 'text').execute()

  // Null: filed anonymously, kept for reviewers, never counted (R19).
  await db.schema.alterTable('feedback_tickets').addColumn('training_body_id', 'text').execute()
  await db.schema.createIndex('feedback_tickets_body_idx').on('feedback_tickets').columns(['training_body_id', 'filed_at']).execute()

  // The objector's name (contact already exists) and the reviewer's confirmation of them.
  await db.schema.alterTable('publicity_objections').addColumn('objector_name', 'text').execute()
  await db.schema.alterTable('publicity_objections').addColumn('confirmed_at', 'bigint').execute()
  await db.schema.alterTable('publicity_objections').addColumn('confirmed_by', 'text').execute()
  await db.schema.alterTable('publicity_objections').addColumn('confirmation', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const col of ['confirmation', 'confirmed_by', 'confirmed_at', 'objector_name']) await db.schema.alterTable('publicity_objections').dropColumn(col).execute()
  await db.schema.dropIndex('feedback_tickets_body_idx').ifExists().execute()
  await db.schema.alterTable('feedback_tickets').dropColumn('training_body_id').execute()
  await db.schema.alterTable('api_tokens').dropColumn('training_body_id').execute()
  await db.schema.dropTable('training_bodies').ifExists().execute()
}
