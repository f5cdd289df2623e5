// Learning records on both engines: idempotency on (provider, statement id), voiding (in order and
// out of order), queries, and the 1095-day retention refusal.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { forEachEngine } from '../store/engines.test-support.js'
import { LearningRecords, RETENTION_DAYS } from './learning-records.js'
import { statement, voiding } from './statements.test-support.js'

const DAY = 86_400_000

forEachEngine(t, async (t, store) => {
  let now = Date.UTC(2026, 10, 27)
  const records = new LearningRecords(store, () => now)

  await t.test('a retried batch stores nothing twice; the same id at another provider is another record', async (t) => {
    const batch = [statement(), statement({ courseId: 'c-000002' }), statement({ learner: 'lrn_other_01' })]
    t.same(await records.ingest('prv_a', batch, 'push'), { received: 3, stored: 3, duplicates: 0, voided: 0 })
    t.same(await records.ingest('prv_a', batch, 'push'), { received: 3, stored: 0, duplicates: 3, voided: 0 })
    t.same(await records.ingest('prv_a', [...batch.slice(1), statement()], 'pull'), { received: 3, stored: 1, duplicates: 2, voided: 0 })
    t.equal((await records.ingest('prv_b', batch, 'push')).stored, 3)
    t.equal(await records.count('prv_a'), 4)
    t.equal((await records.query({ providerId: 'prv_a', courseId: 'c-000002' })).items.length, 1)
    t.equal((await records.query({ learnerAccount: 'lrn_other_01' })).items.length, 2, 'by learner account across providers')
  })

  await t.test('voiding marks the target and keeps both statements', async (t) => {
    const target = statement({ learner: 'lrn_void_0001' })
    await records.ingest('prv_v', [target], 'push')
    const v = voiding(target.id)
    t.same(await records.ingest('prv_v', [v], 'push'), { received: 1, stored: 1, duplicates: 0, voided: 1 })
    t.same(await records.ingest('prv_v', [v], 'push'), { received: 1, stored: 0, duplicates: 1, voided: 0 }, 'voiding is idempotent too')
    t.equal((await records.query({ providerId: 'prv_v' })).items.length, 0, 'effective records exclude voided and voiding statements')
    const all = (await records.query({ providerId: 'prv_v', includeVoided: true })).items
    t.equal(all.length, 2, 'nothing is deleted')
    t.same(all.find((r) => r.statementId === target.id)?.voidedBy, v.id)
  })

  await t.test('a void that arrives before its target applies when the target arrives', async (t) => {
    const target = statement({ learner: 'lrn_late_0001' })
    const v = voiding(target.id)
    t.equal((await records.ingest('prv_o', [v], 'pull')).voided, 0)
    t.equal((await records.ingest('prv_o', [target], 'pull')).voided, 1)
    t.equal((await records.query({ providerId: 'prv_o' })).items.length, 0)
  })

  await t.test('a statement cannot void itself or a voiding statement; the batch stores nothing', async (t) => {
    const id = randomUUID()
    await t.rejects(records.ingest('prv_x', [voiding(id, id)], 'push'), { code: 'SG_ERR_RECORDS_VOID_TARGET' })
    const target = statement()
    const v1 = voiding(target.id)
    await records.ingest('prv_x', [target, v1], 'push')
    await t.rejects(records.ingest('prv_x', [statement({ learner: 'lrn_never_stored' }), voiding(v1.id)], 'push'), { code: 'SG_ERR_RECORDS_VOID_TARGET' })
    t.equal((await records.query({ learnerAccount: 'lrn_never_stored' })).items.length, 0, 'the transaction rolled back')
  })

  await t.test('cursor pagination walks every record once', async (t) => {
    const batch = Array.from({ length: 25 }, (_, i) => statement({ learner: 'lrn_pager_001', at: `2026-11-27T09:${String(i).padStart(2, '0')}:00+08:00` }))
    await records.ingest('prv_p', batch, 'push')
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await records.query({ learnerAccount: 'lrn_pager_001', limit: 7, ...(cursor ? { cursor } : {}) })
      seen.push(...page.items.map((i) => i.statementId))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    t.equal(seen.length, 25)
    t.equal(new Set(seen).size, 25)
  })

  await t.test('retention (≥ 1095 days): a purge inside the window is refused and deletes nothing; older records can go', async (t) => {
    const before = await records.count()
    await t.rejects(records.purgeOlderThan(now - (RETENTION_DAYS - 1) * DAY), { code: 'SG_ERR_RECORDS_RETENTION' })
    await t.rejects(records.purgeOlderThan(now), { code: 'SG_ERR_RECORDS_RETENTION' })
    t.equal(await records.count(), before, 'nothing was deleted')
    now += (RETENTION_DAYS + 1) * DAY
    await records.ingest('prv_new', [statement()], 'push')
    const purged = await records.purgeOlderThan(now - RETENTION_DAYS * DAY)
    t.equal(purged.deleted, before, 'only the records received more than 1095 days ago')
    t.equal(await records.count(), 1)
  })
})
// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) data.learning-records (R17).
