// Dead jobs finish their subject (issue 16): a records pull that dies is recorded as a failed run
// like a catalogue sync, so sync_runs says which kind of run it was. Existing rows are catalogue runs.
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('kind', 'text', (c) => c.notNull().defaultTo('catalogue')).execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('kind').execute()
}
