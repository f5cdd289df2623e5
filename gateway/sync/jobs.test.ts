// The data interface's jobs and schedules, on both engines. Retry path (R17 sync keeps running):
// one data.sync-all tick fans out to one data.sync-provider job per operating provider, run by a
// real Worker; a transient failure (a platform answering 500) is retried after the queue's back-off
// and then succeeds, lying data (schema drift) is dead at once, and a platform that stays down is
// dead after maxAttempts. Schedules: two gateway instances on one database, one tick → one job.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { Test } from 'tap'
import { startProvider } from '../../fixtures/providers/index.js'
import type { RunningProvider } from '../../fixtures/providers/index.js'
import { JobQueue } from '../jobs/job-queue.js'
import type { Job } from '../jobs/job-queue.js'
import { Scheduler } from '../jobs/scheduler.js'
import { waitUntil } from '../jobs/wait-until.test-support.js'
import { Worker } from '../jobs/worker.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine, openTwinStores, selectedEngines } from '../store/engines.test-support.js'
import { DataInterface } from './data-interface.js'
import { ASSESS_ALL_JOB, dataJobHandlers, dataSchedules, PULL_RECORDS_JOB, SYNC_ALL_JOB, SYNC_PROVIDER_JOB } from './jobs.js'
import { dataInterfaceSettings } from './settings.js'
import type { DataInterfaceOverrides } from './settings.js'
import { admitProvider, keyOpener, testSecretBox } from './admit-provider.test-support.js'

const BACKOFF_MS = 60_000
const COURSES = 40

function dataInterface(store: Store, overrides: DataInterfaceOverrides = {}, now: () => number = Date.now): DataInterface {
  return new DataInterface({ store, openKey: keyOpener(store, testSecretBox()), now, settings: dataInterfaceSettings('local', overrides) })
}

/** A bare loopback server on `port` answering every request 500 (a platform that is down). */
async function down(port: number): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error'))
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return server
}
const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

forEachEngine(t, async (t, store) => {
  let clock = Date.now()
  const now = (): number => clock
  const box = testSecretBox()
  const di = new DataInterface({ store, openKey: keyOpener(store, box), now, settings: dataInterfaceSettings('local', { sync: { deadlineMs: 2000, retries: 0, pageLimit: 20, maxAttempts: 2 } }) })
  const queue = new JobQueue(store, { now, backoffMs: () => BACKOFF_MS })
  const handlers = dataJobHandlers(di, queue)
  const worker = new Worker(queue, { pollIntervalMs: 20 }).register(SYNC_ALL_JOB, handlers[SYNC_ALL_JOB]).register(SYNC_PROVIDER_JOB, handlers[SYNC_PROVIDER_JOB])

  const platforms: RunningProvider[] = []
  const servers: Server[] = []
  t.teardown(async () => {
    await worker.stop()
    await Promise.all([...platforms.map((p) => p.close()), ...servers.map(closeServer)])
  })
  const keys = (): Record<string, string> => ({ [`k_${randomBytes(6).toString('hex')}`]: randomBytes(24).toString('base64url') })
  /** An admitted platform; `as` decides what it is after admission. */
  async function admitted(as: 'compliant' | 'schema-drift' | 'down'): Promise<{ providerId: string; port: number; keys: Record<string, string> }> {
    const k = keys()
    const platform = await startProvider({ kind: 'on-demand', keys: k, seed: 3, courses: COURSES, ...(as === 'schema-drift' ? { defects: ['schema-drift'] } : {}) })
    const { providerId } = await admitProvider(store, box, { kind: 'on-demand', baseUrl: platform.loopbackUrl, keyId: platform.keyId, secret: platform.secret })
    if (as === 'down') {
      await platform.close()
      servers.push(await down(platform.port))
    } else {
      platforms.push(platform)
    }
    return { providerId, port: platform.port, keys: k }
  }
  const centreCount = async (providerId: string): Promise<number> =>
    Number((await store.db.selectFrom('centre_courses').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow()).n)

  await t.test('R17: a transient sync failure is retried after the back-off and succeeds; lying data is dead at once; a platform that stays down is dead after maxAttempts', async (t) => {
    const good = await admitted('compliant')
    const flaky = await admitted('down')
    const lying = await admitted('schema-drift')
    const gone = await admitted('down')
    const tick = new Date(clock).toISOString()
    const providerJob = (providerId: string): Promise<Job | undefined> => queue.getByIdempotencyKey(`${SYNC_PROVIDER_JOB}:${providerId}:${tick}`)
    const settled = async (providerId: string, attempts: number): Promise<boolean> => {
      const job = await providerJob(providerId)
      return job !== undefined && job.attempts === attempts && (job.status === 'done' || job.status === 'dead' || (job.status === 'queued' && job.runAt > clock))
    }

    const fanOut = await queue.enqueue({ kind: SYNC_ALL_JOB, payload: { tick }, idempotencyKey: `test:${tick}` })
    worker.start()
    await waitUntil(async () => (await queue.get(fanOut.job.id))?.status === 'done')
    t.same((await queue.get(fanOut.job.id))?.result, { enqueued: 4 }, 'one job per operating API provider')
    for (const p of [good, flaky, lying, gone]) await waitUntil(() => settled(p.providerId, 1))

    t.match(await providerJob(good.providerId), { status: 'done', attempts: 1, result: { outcome: 'applied', upserted: COURSES } })
    t.match(await providerJob(lying.providerId), { status: 'dead', attempts: 1, lastError: /SG_ERR_SYNC_PAGE_INVALID/ }, 'a PermanentJobError is not retried')
    t.match(await providerJob(flaky.providerId), { status: 'queued', attempts: 1, runAt: clock + BACKOFF_MS, lastError: /SG_ERR_SYNC_UPSTREAM/ }, 'a transient failure waits for the back-off')
    t.match(await providerJob(gone.providerId), { status: 'queued', attempts: 1, lastError: /SG_ERR_SYNC_UPSTREAM/ })
    t.equal(await centreCount(flaky.providerId), 0)

    // The flaky platform comes back (same port and key); the back-off elapses.
    const server = servers.shift()!
    await closeServer(server)
    platforms.push(await startProvider({ kind: 'on-demand', keys: flaky.keys, seed: 3, courses: COURSES, port: flaky.port }))
    clock += BACKOFF_MS
    for (const p of [flaky, gone]) await waitUntil(() => settled(p.providerId, 2))

    t.match(await providerJob(flaky.providerId), { status: 'done', attempts: 2, result: { outcome: 'applied', upserted: COURSES } }, 'the retry succeeded')
    t.equal(await centreCount(flaky.providerId), COURSES)
    t.match(await providerJob(gone.providerId), { status: 'dead', attempts: 2, lastError: /SG_ERR_SYNC_UPSTREAM/ }, 'dead after maxAttempts (2)')
    t.equal(await centreCount(gone.providerId), 0)
    t.equal(await centreCount(lying.providerId), 0)
    const runs = await store.db.selectFrom('sync_runs').select(['outcome', 'error_code']).where('provider_id', '=', flaky.providerId).orderBy('started_at').execute()
    t.same(runs, [{ outcome: 'failed', error_code: 'SG_ERR_SYNC_UPSTREAM' }, { outcome: 'applied', error_code: null }], 'both attempts are in the sync history')
    await worker.stop()
  })
})

for (const engine of selectedEngines()) {
  t.test(`${engine}: data schedules on two instances enqueue one job per tick`, async (t: Test) => {
    const [a, b] = await openTwinStores(t, engine)
    const tz = 'Asia/Shanghai'
    const instances = [a, b].map((store) => {
      const di = dataInterface(store)
      const queue = new JobQueue(store)
      const scheduler = new Scheduler(queue)
      for (const def of dataSchedules(di, tz)) scheduler.add(def)
      return { di, queue, scheduler }
    })
    const [ia, ib] = instances as [typeof instances[0], typeof instances[0]]

    // data.sync: two instances fire a few ms apart in the same minute.
    const [sa, sb] = await Promise.all([ia.scheduler.tick('data.sync', new Date('2026-11-27T01:15:00.003Z')), ib.scheduler.tick('data.sync', new Date('2026-11-27T01:15:00.041Z'))])
    t.equal(sa.job.id, sb.job.id, 'one data.sync-all job')
    t.equal([sa.created, sb.created].filter(Boolean).length, 1)
    t.equal(sa.job.kind, SYNC_ALL_JOB)
    t.equal(sa.job.idempotencyKey, 'data.sync:2026-11-27T01:15')
    // Twin: the next tick is a new job.
    t.equal((await ib.scheduler.tick('data.sync', new Date('2026-11-27T01:30:00.002Z'))).created, true, 'the next tick is another job')

    // data.assess is keyed per day: instances whose clocks disagree by minutes still share one job.
    const [aa, ab] = await Promise.all([ia.scheduler.tick('data.assess', new Date('2026-11-26T18:30:00.010Z')), ib.scheduler.tick('data.assess', new Date('2026-11-26T18:33:41.000Z'))])
    t.equal(aa.job.id, ab.job.id, 'one data.assess-all job')
    t.equal([aa.created, ab.created].filter(Boolean).length, 1)
    t.equal(aa.job.kind, ASSESS_ALL_JOB)
    t.equal(aa.job.maxAttempts, 2)
    t.equal((await ia.scheduler.tick('data.assess', new Date('2026-11-27T18:30:00.000Z'))).created, true, 'the next day is another job')

    const [pa, pb] = await Promise.all([ia.scheduler.tick('data.pull-records', new Date('2026-11-27T01:07:00.001Z')), ib.scheduler.tick('data.pull-records', new Date('2026-11-27T01:07:00.900Z'))])
    t.equal(pa.job.id, pb.job.id, 'one data.pull-records job')
    t.equal(pa.job.kind, PULL_RECORDS_JOB)

    // The fan-out of one sync tick, run by both instances (a retried or duplicated run), enqueues
    // each provider's job once: the per-provider key carries the tick.
    const box = testSecretBox()
    const providers = [await admitProvider(a, box, { kind: 'on-demand', baseUrl: 'http://127.0.0.1:9' }), await admitProvider(a, box, { kind: 'self-hosted', baseUrl: 'http://127.0.0.1:9' })]
    await admitProvider(a, box, { kind: 'resource' }) // uploads packages: not synced
    const fanOutJob = sa.job as Job & { status: 'running'; lockedBy: string; leaseUntil: number }
    const ctx = { workerId: 'test', signal: new AbortController().signal, heartbeat: async () => true }
    for (const i of instances) t.same(await dataJobHandlers(i.di, i.queue)[SYNC_ALL_JOB](fanOutJob, ctx), { enqueued: 2 })
    const perProvider = await a.db.selectFrom('jobs').select(['idempotency_key', 'max_attempts']).where('kind', '=', SYNC_PROVIDER_JOB).orderBy('idempotency_key').execute()
    t.same(perProvider.map((j) => j.idempotency_key), providers.map((p) => `${SYNC_PROVIDER_JOB}:${p.providerId}:${(sa.job.payload as { tick: string }).tick}`).sort(), 'one job per provider for the tick')
    t.ok(perProvider.every((j) => j.max_attempts === 3), 'maxAttempts from the settings')
  })
}
