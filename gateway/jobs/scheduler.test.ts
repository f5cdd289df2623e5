import t from 'tap'
import cron from 'node-cron'
import { openTwinStores, selectedEngines } from '../store/engines.test-support.js'
import { JobQueue } from './job-queue.js'
import { defaultPeriod, Scheduler, tickKey } from './scheduler.js'
import { waitUntil } from './wait-until.test-support.js'
import { Worker } from './worker.js'

t.test('tick keys truncate to the schedule period', async (t) => {
  const at = new Date('2026-03-02T01:02:03.456Z')
  t.equal(tickKey('reconform', at, 'second'), 'reconform:2026-03-02T01:02:03')
  t.equal(tickKey('reconform', at, 'minute'), 'reconform:2026-03-02T01:02')
  t.equal(tickKey('reconform', at, 'hour'), 'reconform:2026-03-02T01')
  t.equal(tickKey('reconform', at, 'day'), 'reconform:2026-03-02')
  t.equal(defaultPeriod('0 2 * * *'), 'minute')
  t.equal(defaultPeriod('*/5 * * * * *'), 'second')
  t.ok(cron.validate('*/5 * * * * *'))
})

t.test('invalid cron expressions and duplicate names are refused', async (t) => {
  const s = new Scheduler({} as JobQueue)
  t.throws(() => s.add({ name: 'bad', cron: '61 * * * *', kind: 'x' }), /invalid cron/)
  s.add({ name: 'ok', cron: '0 2 * * *', kind: 'x' })
  t.throws(() => s.add({ name: 'ok', cron: '0 3 * * *', kind: 'x' }), /twice/)
})

for (const engine of selectedEngines()) {
  t.test(`${engine}: the same tick enqueued by two schedulers yields one job`, async (t) => {
    const [a, b] = await openTwinStores(t, engine)
    const def = { name: 'daily-reconformance', cron: '0 2 * * *', kind: 'reconform', payload: (tick: Date) => ({ tick: tick.toISOString() }) }
    const sa = new Scheduler(new JobQueue(a)).add(def)
    const sb = new Scheduler(new JobQueue(b)).add(def)
    // The two instances fire a few ms apart within the same minute.
    const [ra, rb] = await Promise.all([
      sa.tick(def.name, new Date('2026-03-01T18:00:00.004Z')),
      sb.tick(def.name, new Date('2026-03-01T18:00:00.019Z')),
    ])
    t.equal(ra.job.id, rb.job.id)
    t.equal([ra.created, rb.created].filter(Boolean).length, 1, 'exactly one instance created it')
    t.equal(ra.job.idempotencyKey, 'daily-reconformance:2026-03-01T18:00')
    const next = await sb.tick(def.name, new Date('2026-03-02T18:00:00.001Z'))
    t.equal(next.created, true, 'the next tick is a new job')
    t.equal((await new JobQueue(a).countByStatus()).queued, 2)
  })

  t.test(`${engine}: real cron on two instances runs every tick once`, async (t) => {
    const [a, b] = await openTwinStores(t, engine)
    const runs: string[] = []
    const enqueued: Array<{ key: string; created: boolean }> = []
    const def = { name: 'every-second', cron: '* * * * * *', kind: 'tick' }
    const instances = [a, b].map((store) => {
      const queue = new JobQueue(store)
      const scheduler = new Scheduler(queue, { onTick: (_n, o) => enqueued.push({ key: o.job.idempotencyKey ?? '', created: o.created }) }).add(def)
      const worker = new Worker(queue, { pollIntervalMs: 20 }).register('tick', (job) => {
        runs.push(job.idempotencyKey ?? '')
      })
      scheduler.start()
      worker.start()
      return { scheduler, worker, queue }
    })
    await waitUntil(() => new Set(enqueued.filter((e) => !e.created).map((e) => e.key)).size >= 2)
    for (const i of instances) await i.scheduler.stop()
    await waitUntil(async () => (await instances[0]!.queue.countByStatus()).queued === 0)
    for (const i of instances) await i.worker.stop()
    const keys = new Set(enqueued.map((e) => e.key))
    for (const key of keys) {
      t.equal(enqueued.filter((e) => e.key === key && e.created).length, 1, `${key} created once`)
      t.equal(runs.filter((r) => r === key).length, 1, `${key} ran once`)
    }
    t.ok(enqueued.some((e) => !e.created), 'both instances fired at least one common tick')
  })
}
