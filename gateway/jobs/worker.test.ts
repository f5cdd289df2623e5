import t from 'tap'
import { setImmediate as tick } from 'node:timers/promises'
import { forEachEngine } from '../store/engines.test-support.js'
import { JobQueue } from './job-queue.js'
import { waitUntil } from './wait-until.test-support.js'
import { Worker } from './worker.js'

forEachEngine(t, async (t, store) => {
  t.test('runs handlers with bounded concurrency and stores their results', async (t) => {
    const q = new JobQueue(store)
    const worker = new Worker(q, { concurrency: 3, pollIntervalMs: 20 })
    let running = 0
    let maxRunning = 0
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    worker.register<number>('square', async (job) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await gate
      running--
      return job.payload * job.payload
    })
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(async (n) => (await q.enqueue({ kind: 'square', payload: n })).job.id))
    worker.start()
    t.teardown(() => worker.stop())
    await waitUntil(() => worker.inFlight === 3)
    for (let i = 0; i < 5; i++) await tick()
    t.equal(worker.inFlight, 3, 'a fourth job is not started while three run')
    release()
    await waitUntil(async () => (await q.countByStatus()).done === 6)
    t.equal(maxRunning, 3)
    const results = await Promise.all(ids.map(async (id) => (await q.get(id))?.result))
    t.same(results, [1, 4, 9, 16, 25, 36])
  })

  t.test('stop() waits for in-flight handlers, which complete', async (t) => {
    const q = new JobQueue(store)
    const worker = new Worker(q, { pollIntervalMs: 20 })
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    let started = false
    worker.register('slow', async () => {
      started = true
      await gate
      return 'finished'
    })
    const { job } = await q.enqueue({ kind: 'slow', payload: null })
    worker.start()
    await waitUntil(() => started)
    let stopped = false
    const stopping = worker.stop().then(() => (stopped = true))
    for (let i = 0; i < 10; i++) await tick()
    t.equal(stopped, false, 'stop has not resolved while the handler runs')
    release()
    await stopping
    t.equal((await q.get(job.id))?.status, 'done')
    await q.enqueue({ kind: 'slow', payload: null })
    for (let i = 0; i < 10; i++) await tick()
    t.equal((await q.countByStatus()).queued, 1, 'a stopped worker claims nothing')
  })

  t.test('a failing handler is retried and its error recorded', async (t) => {
    const q = new JobQueue(store, { backoffMs: () => 0 })
    const worker = new Worker(q, { pollIntervalMs: 20 })
    worker.register('flaky', async (job) => {
      if (job.attempts === 1) throw new Error('first try fails')
      return job.attempts
    })
    const { job } = await q.enqueue({ kind: 'flaky', payload: null })
    worker.start()
    t.teardown(() => worker.stop())
    await waitUntil(async () => (await q.get(job.id))?.status === 'done')
    const row = await q.get(job.id)
    t.equal(row?.attempts, 2)
    t.equal(row?.result, 2)
  })

  t.test('heartbeats keep a long job leased past its first lease', async (t) => {
    const q = new JobQueue(store)
    const leaseMs = 600
    const worker = new Worker(q, { leaseMs, pollIntervalMs: 20 })
    let stolen: unknown = 'not tried'
    worker.register('long', async (job) => {
      const firstLeaseEnd = job.leaseUntil
      await waitUntil(async () => Date.now() > firstLeaseEnd + leaseMs / 2)
      stolen = await q.claim('thief', ['long'], leaseMs)
      return 'kept'
    })
    const { job } = await q.enqueue({ kind: 'long', payload: null })
    worker.start()
    t.teardown(() => worker.stop())
    await waitUntil(async () => (await q.get(job.id))?.status === 'done')
    t.equal(stolen, undefined, 'nobody could claim it after the first lease ended')
    t.equal((await q.get(job.id))?.attempts, 1)
  })
})
