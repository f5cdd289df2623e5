// Workflow transitions are recorded in a hash-chained, append-only log (ARCHITECTURE: admission workflow, R6–R12).
import t from 'tap'
import { sql } from 'kysely'
import { forEachEngine, openTestStore, openTwinStores, selectedEngines } from '../store/engines.test-support.js'
import { AuditLog, GENESIS_HASH } from './audit-log.js'
import { canonicalJson } from '../../specs/lib/canonical-json.js'

t.test('canonical JSON sorts keys at every depth and drops undefined', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined }), '{"a":{"c":true,"d":[1,"x",null]},"b":1}')
  t.throws(() => canonicalJson({ n: Number.NaN }))
})

async function seed(log: AuditLog, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await log.append({ actor: 'reviewer:r1', action: 'review.decided', subjectType: 'application', subjectId: `app-${i}`, data: { decision: 'pass', reasons: [`r${i}`] }, at: 1_770_000_000_000 + i })
  }
}

forEachEngine(t, async (t, store) => {
  t.test('an intact chain verifies', async (t) => {
    const log = new AuditLog(store)
    t.same(await log.verify(), { ok: true, checked: 0 }, 'empty log is valid')
    await seed(log, 5)
    const all = await store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()
    t.same(all.map((r) => r.seq), [1, 2, 3, 4, 5])
    t.equal(all[0]?.prev_hash, GENESIS_HASH)
    t.equal(all[1]?.prev_hash, all[0]?.hash, 'each row links to the previous hash')
    t.same(await log.verify(), { ok: true, checked: 5 })
    t.same(await log.verify({ pageSize: 2 }), { ok: true, checked: 5 }, 'paging does not matter')
    const entries = await log.forSubject('application', 'app-3')
    t.same(entries[0]?.data, { decision: 'pass', reasons: ['r3'] })
  })

  t.test('a row whose data was UPDATEd directly is caught at its seq', async (t) => {
    const log = new AuditLog(store)
    await store.db.deleteFrom('audit_log').execute()
    await seed(log, 5)
    await store.db.updateTable('audit_log').set({ data: '{"decision":"fail","reasons":["r3"]}' }).where('seq', '=', 3).execute()
    t.same(await log.verify(), { ok: false, checked: 2, firstBadSeq: 3, problem: 'hash-mismatch' })
  })

  t.test('a row whose actor was changed and rehashed is caught by the next link', async (t) => {
    const log = new AuditLog(store)
    await store.db.deleteFrom('audit_log').execute()
    await seed(log, 5)
    // A careful forger also recomputes the row's own hash: the chain still breaks at seq 3.
    const [row] = await store.db.selectFrom('audit_log').selectAll().where('seq', '=', 2).execute()
    const { auditHash } = await import('./audit-log.js')
    const forged = auditHash({ seq: 2, at: row!.at, actor: 'admin:mallory', action: row!.action, subjectType: row!.subject_type, subjectId: row!.subject_id, data: JSON.parse(row!.data), prevHash: row!.prev_hash })
    await store.db.updateTable('audit_log').set({ actor: 'admin:mallory', hash: forged }).where('seq', '=', 2).execute()
    t.same(await log.verify(), { ok: false, checked: 2, firstBadSeq: 3, problem: 'broken-link' })
  })

  t.test('a deleted row is caught at its seq', async (t) => {
    const log = new AuditLog(store)
    await store.db.deleteFrom('audit_log').execute()
    await seed(log, 5)
    await store.db.deleteFrom('audit_log').where('seq', '=', 4).execute()
    t.same(await log.verify(), { ok: false, checked: 3, firstBadSeq: 4, problem: 'missing' })
  })

  t.test('a truncated tail is caught only against a published head', async (t) => {
    const log = new AuditLog(store)
    await store.db.deleteFrom('audit_log').execute()
    await seed(log, 5)
    const head = await log.head()
    t.equal(head.seq, 5)
    t.same(await log.verify({ expectHead: head }), { ok: true, checked: 5 })
    await store.db.deleteFrom('audit_log').where('seq', '=', 5).execute()
    t.same(await log.verify(), { ok: true, checked: 4 }, 'without an anchor the shorter chain is self-consistent')
    t.same(await log.verify({ expectHead: head }), { ok: false, checked: 4, firstBadSeq: 5, problem: 'missing' })
  })

  t.test('an append inside a rolled-back transaction leaves no trace', async (t) => {
    const log = new AuditLog(store)
    await store.db.deleteFrom('audit_log').execute()
    await seed(log, 1)
    await t.rejects(store.transaction(async (trx) => {
      await log.append({ actor: 'system', action: 'x', subjectType: 's', subjectId: '1' }, trx)
      throw new Error('transition refused')
    }))
    t.equal((await log.head()).seq, 1)
    await log.append({ actor: 'system', action: 'y', subjectType: 's', subjectId: '1' })
    t.same(await log.verify(), { ok: true, checked: 2 })
  })

  if (store.dialect === 'postgres') {
    t.test('postgres: the advisory lock is taken in the append transaction', async (t) => {
      const log = new AuditLog(store)
      const locks = await store.transaction(async (trx) => {
        await log.append({ actor: 'system', action: 'lock-probe', subjectType: 's', subjectId: '1' }, trx)
        const r = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`.execute(trx)
        return r.rows[0]?.n
      })
      t.equal(locks, 1)
    })
  }
})

for (const engine of selectedEngines()) {
  t.test(`${engine}: concurrent appends never fork the chain`, async (t) => {
    // PostgreSQL: two pools, as two gateway instances. SQLite: one store per process (see
    // openTwinStores), so the race is between concurrent appends on one connection.
    const [a, b] = engine === 'postgres' ? await openTwinStores(t, engine) : await openTestStore(t, engine).then((s) => [s, s] as const)
    const la = new AuditLog(a)
    const lb = new AuditLog(b)
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? la : lb).append({ actor: `w${i % 2}`, action: 'race', subjectType: 's', subjectId: String(i) })))
    t.same(await la.verify(), { ok: true, checked: 40 })
    const seqs = await a.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()
    t.same(seqs.map((r) => r.seq), Array.from({ length: 40 }, (_, i) => i + 1))
  })
}
