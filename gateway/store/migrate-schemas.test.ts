// Two stores in different PostgreSQL schemas of one database migrate independently: Kysely's own
// bookkeeping tables are looked up in this connection's schema, not in any schema that has them.
import t from 'tap'
import { sql } from 'kysely'
import { openStore } from './open-store.js'
import { createPgTestSchema, selectedEngines } from './engines.test-support.js'

t.test('a schema that already holds migration tables does not stop another from migrating', { skip: !selectedEngines().includes('postgres') && 'postgres not selected' }, async (t) => {
  const first = await createPgTestSchema()
  const second = await createPgTestSchema()
  t.teardown(async () => { await first.drop(); await second.drop() })
  const a = openStore({ databaseUrl: first.databaseUrl, pgSchema: first.schema })
  t.teardown(() => a.close())
  t.ok((await a.migrate()).length > 0, 'the first schema migrates')
  const b = openStore({ databaseUrl: second.databaseUrl, pgSchema: second.schema })
  t.teardown(() => b.close())
  t.same(await b.migrate(), (await import('./migrations/index.js')).migrations.map(([name]) => name), 'the second applies every migration itself')
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${second.schema} and table_name like 'kysely_%'`.execute(b.db)
  t.same(tables.rows.map((r) => r.table_name).sort(), ['kysely_migration', 'kysely_migration_lock'])
  t.same(await b.migrate(), [], 'and nothing twice')
})
