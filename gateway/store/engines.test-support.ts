// Test helper: run one store test body against every engine the gateway supports, each in a
// throw-away database: SQLite in a tap test dir, PostgreSQL in a fresh schema that is dropped in
// teardown. Reuse it for any test that touches the store:
//
//   forEachEngine(t, async (t, store) => { … })
//
// PostgreSQL is reached at SKILLGATE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
// SKILLGATE_TEST_ENGINES=sqlite (or postgres) narrows the run while iterating locally.
import { join } from 'node:path'
import type { Test } from 'tap'
import { openStore } from './open-store.js'
import type { Store, StoreDialect } from './open-store.js'
import { createPgTestSchema } from '../../bench/pg-test-schema.js'

// The throw-away PostgreSQL schema is shared with the benches, so it lives in bench/.
export { createPgTestSchema }

export const ENGINES: readonly StoreDialect[] = ['sqlite', 'postgres']

export function selectedEngines(): StoreDialect[] {
  const only = process.env.SKILLGATE_TEST_ENGINES?.split(',').map((s) => s.trim())
  return ENGINES.filter((e) => !only || only.includes(e))
}

/** A migrated store on `engine`, closed (and its schema or directory removed) when `t` ends. */
export async function openTestStore(t: Test, engine: StoreDialect): Promise<Store> {
  if (engine === 'sqlite') {
    const dir = t.testdir({})
    const store = openStore({ sqlitePath: join(dir, 'skillgate.db') })
    t.teardown(() => store.close())
    await store.migrate()
    return store
  }
  const pgSchema = await createPgTestSchema()
  const store = openStore({ databaseUrl: pgSchema.databaseUrl, pgSchema: pgSchema.schema })
  // Teardown runs in reverse order: close the pool first, then drop the schema.
  t.teardown(() => pgSchema.drop())
  t.teardown(() => store.close())
  await store.migrate()
  return store
}

/**
 * Two stores (two connection pools, like two gateway instances) on one fresh database: the same
 * SQLite file, or the same PostgreSQL schema. Migrated; closed and removed when `t` ends.
 *
 * SQLite caveat: better-sqlite3 is synchronous, so a connection waiting on busy_timeout blocks the
 * whole thread. Two SQLite stores in ONE process therefore deadlock (until SQLITE_BUSY) as soon as
 * one holds a transaction across an await. Use SQLite twins only for single-statement operations
 * (claim, enqueue); in production each process opens one store.
 */
export async function openTwinStores(t: Test, engine: StoreDialect): Promise<[Store, Store]> {
  if (engine === 'sqlite') {
    const path = join(t.testdir({}), 'shared.db')
    const a = openStore({ sqlitePath: path })
    const b = openStore({ sqlitePath: path })
    t.teardown(async () => {
      await a.close()
      await b.close()
    })
    await a.migrate()
    return [a, b]
  }
  const pgSchema = await createPgTestSchema()
  const a = openStore({ databaseUrl: pgSchema.databaseUrl, pgSchema: pgSchema.schema })
  const b = openStore({ databaseUrl: pgSchema.databaseUrl, pgSchema: pgSchema.schema })
  t.teardown(async () => {
    await a.close()
    await b.close()
    await pgSchema.drop()
  })
  await Promise.all([a.migrate(), b.migrate()])
  return [a, b]
}

/** Runs `body` once per engine as a subtest named after the engine, each with a fresh migrated store. */
export function forEachEngine(t: Test, body: (t: Test, store: Store) => Promise<void>): void {
  for (const engine of selectedEngines()) {
    t.test(engine, async (t) => {
      const store = await openTestStore(t, engine)
      await body(t, store)
    })
  }
}
