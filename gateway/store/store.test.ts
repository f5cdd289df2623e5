import t from 'tap'
import { sql } from 'kysely'
import { migrations } from './migrations/index.js'
import { openStore } from './open-store.js'
import { forEachEngine } from './engines.test-support.js'
import { isUniqueViolation } from './unique-violation.js'

forEachEngine(t, async (t, store) => {
  t.test('migrations are applied once and recorded', async (t) => {
    const again = await store.migrate()
    t.same(again, [], 'a second migrate applies nothing')
    const tables = ['jobs', 'nonces', 'audit_log', 'blobs', 'calendar_years', 'api_tokens'] as const
    for (const table of tables) {
      const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      t.equal(Number(row.n), 0, `${table} exists and is empty`)
    }
  })

  t.test('epoch-ms bigint columns come back as numbers', async (t) => {
    const at = Date.UTC(2026, 9, 1, 1, 2, 3, 456)
    await store.db.insertInto('blobs').values({ sha256: 'a'.repeat(64), size: 5_000_000_000, content_type: null, created_at: at }).execute()
    const row = await store.db.selectFrom('blobs').selectAll().executeTakeFirstOrThrow()
    t.equal(row.created_at, at)
    t.equal(row.size, 5_000_000_000, 'sizes above 2^32 survive')
  })

  t.test('transaction rolls back on throw and commits otherwise', async (t) => {
    await t.rejects(
      store.transaction(async (trx) => {
        await trx.insertInto('nonces').values({ key_id: 'k', nonce: 'rolled-back', expires_at: 1 }).execute()
        throw new Error('boom')
      }),
      { message: 'boom' },
    )
    await store.transaction(async (trx) => {
      await trx.insertInto('nonces').values({ key_id: 'k', nonce: 'kept', expires_at: 1 }).execute()
    })
    const rows = await store.db.selectFrom('nonces').select('nonce').execute()
    t.same(rows.map((r) => r.nonce), ['kept'])
  })

  t.test('unique violations are recognised on this engine', async (t) => {
    await store.db.insertInto('nonces').values({ key_id: 'u', nonce: 'n', expires_at: 1 }).execute()
    const err = await store.db
      .insertInto('nonces')
      .values({ key_id: 'u', nonce: 'n', expires_at: 1 })
      .execute()
      .then(() => undefined, (e: unknown) => e)
    t.ok(isUniqueViolation(err), 'duplicate primary key is a unique violation')
    t.notOk(isUniqueViolation(new Error('other')), 'an unrelated error is not')
  })

  if (store.dialect === 'sqlite') {
    t.test('sqlite pragmas: WAL, busy_timeout, foreign keys', async (t) => {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db)
      t.equal(rows[0]?.journal_mode, 'wal')
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db)
      t.equal(fk.rows[0]?.foreign_keys, 1)
      const bt = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db)
      t.equal(bt.rows[0]?.timeout, 5000)
    })
  }
})

t.test('in-memory SQLite is allowed', async (t) => {
  const store = openStore({ sqlitePath: ':memory:' })
  t.teardown(() => store.close())
  t.same(await store.migrate(), migrations.map(([name]) => name), 'every registered migration, in order')
  t.equal(store.dialect, 'sqlite')
})

t.test('a non-postgres DATABASE_URL is refused with a stable code', async (t) => {
  t.throws(() => openStore({ databaseUrl: 'mysql://x' }), { code: 'SG_ERR_STORE_CONFIG' })
  t.throws(() => openStore({ databaseUrl: 'postgres://x', pgSchema: 'Robert"; drop' }), { code: 'SG_ERR_STORE_CONFIG' })
})
