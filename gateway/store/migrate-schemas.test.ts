// Two stores in different PostgreSQL schemas of one database migrate independently: Kysely's own
// bookkeeping tables are looked up in this connection's schema, not in any schema that has them;
// and a schema another session drops while Kysely reads the catalog (3F000) is retried, not fatal.
import t from 'tap'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { migrateToLatest, openStore } from './open-store.js'
import type { Database } from './schema.js'
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

/**
 * A PostgreSQL pool for `schema` whose clients answer Kysely's table introspection (the query over
 * pg_attribute its migrator runs first) with 3F000 naming `missing`, the first `failures` times:
 * what a schema another session drops in the middle of that query looks like.
 */
function poolDroppingSchema(databaseUrl: string, schema: string, missing: string, failures: number) {
  const real = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path=${schema}` })
  const state = { failures, thrown: 0 }
  const pool = {
    connect: async () => {
      const client = await real.connect()
      return new Proxy(client, {
        get(target, prop) {
          if (prop !== 'query') return Reflect.get(target, prop, target)
          return (text: unknown, ...rest: unknown[]) => {
            if (typeof text === 'string' && text.includes('pg_attribute') && state.thrown < state.failures) {
              state.thrown++
              return Promise.reject(Object.assign(new Error(`schema "${missing}" does not exist`), { code: '3F000' }))
            }
            return (target.query as (...a: unknown[]) => unknown)(text, ...rest)
          }
        },
      })
    },
    end: () => real.end(),
  }
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) }), state }
}

t.test('3F000 for a schema another session dropped is retried; for our own schema, or again and again, it is an error', { skip: !selectedEngines().includes('postgres') && 'postgres not selected' }, async (t) => {
  const names = (await import('./migrations/index.js')).migrations.map(([name]) => name)
  for (const c of [
    { name: 'another schema, twice: retried, every migration applied', missing: 'sg_gone_elsewhere', failures: 2, ok: true, thrown: 2 },
    { name: 'twin: our own schema: not retried', missing: 'own', failures: 2, ok: false, thrown: 1 },
    { name: 'another schema, every time: five retries, then the error', missing: 'sg_gone_elsewhere', failures: 100, ok: false, thrown: 6 },
  ]) {
    await t.test(c.name, async (t) => {
      const target = await createPgTestSchema()
      t.teardown(() => target.drop())
      const { db, state } = poolDroppingSchema(target.databaseUrl, target.schema, c.missing === 'own' ? target.schema : c.missing, c.failures)
      t.teardown(() => db.destroy())
      if (c.ok) t.same(await migrateToLatest(db, 'postgres'), names, 'every migration applied once')
      else await t.rejects(migrateToLatest(db, 'postgres'), { code: 'SG_ERR_STORE_MIGRATION' })
      t.equal(state.thrown, c.thrown, `the introspection failed ${c.thrown} time(s)`)
    })
  }
})
