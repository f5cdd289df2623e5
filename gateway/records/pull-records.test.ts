// Pulling learning records from a provider (GET /v1/learning-records), on both engines, through
// the three front doors: the admin route, DataInterface.pullRecords and the data.pull-records job
// run by a real Worker. The compliant platform is the reference provider on loopback (every tenth
// statement voids the one before it); the failing twin is a loopback platform serving the same
// statements with one learner account replaced by a raw ID-card number (schema-invalid).
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Test } from 'tap'
import { createLearningRecords } from '../../fixtures/catalogue/learning-records.js'
import type { LearningRecordSource } from '../../fixtures/catalogue/learning-records.js'
import { startProvider } from '../../fixtures/providers/index.js'
import type { LearningRecord } from '../../specs/types.gen.js'
import { JobQueue } from '../jobs/job-queue.js'
import { waitUntil } from '../jobs/wait-until.test-support.js'
import { Worker } from '../jobs/worker.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { dataJobHandlers, PULL_RECORDS_JOB } from '../sync/jobs.js'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer, signedInject } from '../workflow/workflow.test-support.js'
import { VOIDED_VERB } from './learning-records.js'

const RECORDS = 1100 // three pages of at most 500: the walk crosses page boundaries
const VOIDS = RECORDS / 10
const SEED = 5

/** An admitted on-demand provider (workflow account and key) whose registered endpoint is `baseUrl`. */
async function admit(app: FastifyInstance, baseUrl: (keys: Record<string, string>) => Promise<string>) {
  const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
  const url = await baseUrl({ [provider.keyId]: provider.secret })
  await app.store.db.updateTable('applications').set({ state: 'active', endpoint_base_url: url }).where('provider_id', '=', provider.providerId).execute()
  return provider
}

/**
 * A loopback platform serving `source` as GET /v1/learning-records pages. With `idCardAt`, the
 * statement of that index names a raw ID-card number as the learner account (the one defect).
 */
async function recordServer(t: Test, source: LearningRecordSource, idCardAt: number | null): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/v1/learning-records') {
      res.writeHead(404).end()
      return
    }
    const page = source.page({ since: url.searchParams.get('since') ?? undefined, cursor: url.searchParams.get('cursor') ?? undefined, limit: Number(url.searchParams.get('limit') ?? 100) })
    const corrupt = idCardAt === null ? undefined : source.statement(idCardAt).id
    const items = page.items.map((s): LearningRecord => (s.id === corrupt ? { ...s, actor: { ...s.actor, account: { ...s.actor.account, name: '11010519491231002X' } } } : s))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...page, items }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const storedCount = async (store: Store, providerId: string): Promise<number> =>
  Number((await store.db.selectFrom('learning_records').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow()).n)

const recordsSince = async (store: Store, providerId: string): Promise<string | null> =>
  (await store.db.selectFrom('sync_state').select('records_since').where('provider_id', '=', providerId).executeTakeFirst())?.records_since ?? null

/** Runs one data.pull-records job through a real Worker and returns the job's stored result. */
async function runPullJob(t: Test, app: FastifyInstance): Promise<Array<{ providerId: string; outcome: string; received?: number; stored?: number; errorCode?: string }>> {
  const queue = new JobQueue(app.store)
  const worker = new Worker(queue, { pollIntervalMs: 20 })
  worker.register(PULL_RECORDS_JOB, dataJobHandlers(app.dataInterface, queue)[PULL_RECORDS_JOB])
  const { job } = await queue.enqueue({ kind: PULL_RECORDS_JOB, payload: null, idempotencyKey: `test:${randomBytes(6).toString('hex')}` })
  worker.start()
  t.teardown(() => worker.stop())
  await waitUntil(async () => (await queue.get(job.id))?.status === 'done')
  await worker.stop()
  return (await queue.get(job.id))!.result as Array<{ providerId: string; outcome: string; received?: number; stored?: number; errorCode?: string }>
}

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}), ssrfMode: 'local' } })
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'a' })).token
  let source: LearningRecordSource | undefined
  const good = await admit(app, async (keys) => {
    const platform = await startProvider({ kind: 'on-demand', keys, courses: 20, records: RECORDS, seed: SEED })
    t.teardown(() => platform.close())
    // The same deterministic statements the platform serves, for the pushes below.
    source = createLearningRecords({ seed: SEED, count: RECORDS, catalogue: platform.catalogue, homePage: platform.url })
    return platform.loopbackUrl
  })
  const statementAt = (r: number): LearningRecord => source!.statement(r)

  await t.test('a pull stores every statement once, pushed duplicates included, and marks the voided ones', async (t) => {
    // Pushed earlier by the provider; #8 is voided by #9, which arrives only with the pull.
    const pushed = await signedInject(app, good, 'POST', '/api/v1/learning-records', { statements: [statementAt(0), statementAt(1), statementAt(8)] })
    t.same(pushed.json(), { received: 3, stored: 3, duplicates: 0, voided: 0 })

    const res = await app.inject({ method: 'POST', url: `/api/v1/providers/${good.providerId}/learning-records/pull`, headers: bearer(admin) })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { providerId: good.providerId, outcome: 'stored', pages: 3, received: RECORDS, stored: RECORDS - 3, duplicates: 3, voided: VOIDS })
    t.equal(await storedCount(store, good.providerId), RECORDS, 'stored once each')
    t.ok(await recordsSince(store, good.providerId), "the provider's serverTime is kept as the next since")

    const effective = await app.dataInterface.records.query({ providerId: good.providerId, limit: 1000 })
    t.equal(effective.items.length, RECORDS - 2 * VOIDS, 'voided and voiding statements are not effective records')
    t.equal(effective.nextCursor, null)
    const eighth = await store.db.selectFrom('learning_records').select(['via', 'voided_by', 'voided_at']).where('provider_id', '=', good.providerId).where('statement_id', '=', statementAt(8).id).executeTakeFirstOrThrow()
    t.equal(eighth.via, 'push', 'the pushed copy is the one kept')
    t.equal(eighth.voided_by, statementAt(9).id, 'a pulled voiding statement marks a pushed statement')
    t.not(eighth.voided_at, null)
    const ninth = await store.db.selectFrom('learning_records').select(['via', 'verb', 'voids_statement_id']).where('provider_id', '=', good.providerId).where('statement_id', '=', statementAt(9).id).executeTakeFirstOrThrow()
    t.same(ninth, { via: 'pull', verb: VOIDED_VERB, voids_statement_id: statementAt(8).id })
  })

  await t.test('the scheduled job pulls incrementally: a second pull reads and stores nothing new', async (t) => {
    const since = await recordsSince(store, good.providerId)
    const result = await runPullJob(t, app)
    t.match(result, [{ providerId: good.providerId, outcome: 'stored', pages: 1, received: 0, stored: 0 }])
    t.equal(await storedCount(store, good.providerId), RECORDS)
    t.not(await recordsSince(store, good.providerId), null)
    t.ok((await recordsSince(store, good.providerId))! >= since!, 'since moves forward')
  })

  await t.test('a full re-walk (since forgotten) is idempotent: everything is a duplicate, nothing re-voided', async (t) => {
    await store.db.updateTable('sync_state').set({ records_since: null }).where('provider_id', '=', good.providerId).execute()
    const again = await app.dataInterface.pullRecords(good.providerId)
    t.same(again, { providerId: good.providerId, outcome: 'stored', pages: 3, received: RECORDS, stored: 0, duplicates: RECORDS, voided: 0 })
    t.equal(await storedCount(store, good.providerId), RECORDS)
  })

  await t.test('schema-invalid records on the last page: nothing stored, the failure recorded; the compliant twin stores all', async (t) => {
    const idCardAt = RECORDS - 7 // on page 3, after two valid pages were read
    const bad = await admit(app, () => recordServer(t, source!, idCardAt))
    const twin = await admit(app, () => recordServer(t, source!, null))

    const failed = await app.inject({ method: 'POST', url: `/api/v1/providers/${bad.providerId}/learning-records/pull`, headers: bearer(admin) })
    t.equal(failed.statusCode, 200)
    t.same(failed.json(), { providerId: bad.providerId, outcome: 'failed', pages: 3, errorCode: 'SG_ERR_SYNC_PAGE_INVALID' })
    t.equal(await storedCount(store, bad.providerId), 0, 'the two valid pages read before are not stored either')
    t.equal(await recordsSince(store, bad.providerId), null, 'since does not move: the next pull starts over')

    const stored = await app.dataInterface.pullRecords(twin.providerId)
    t.match(stored, { outcome: 'stored', pages: 3, received: RECORDS, stored: RECORDS, voided: VOIDS })
    t.equal(await storedCount(store, twin.providerId), RECORDS)

    // The scheduled run records the failure in its job result and still pulls the others.
    const result = await runPullJob(t, app)
    t.match(result.find((r) => r.providerId === bad.providerId), { outcome: 'failed', errorCode: 'SG_ERR_SYNC_PAGE_INVALID' })
    t.match(result.find((r) => r.providerId === good.providerId), { outcome: 'stored', received: 0 })
    t.match(result.find((r) => r.providerId === twin.providerId), { outcome: 'stored', received: 0 })
    t.equal(await storedCount(store, bad.providerId), 0)
  })
})
