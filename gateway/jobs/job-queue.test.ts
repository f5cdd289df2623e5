import t from 'tap'
import { forEachEngine, openTwinStores, selectedEngines } from '../store/engines.test-support.js'
import { JobQueue, PermanentJobError } from './job-queue.js'

/** A clock the test moves by hand, so lease expiry needs no waiting. */
function manualClock(start = Date.UTC(2026, 2, 2, 1)) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

forEachEngine(t, async (t, store) => {
  t.test('idempotent enqueue returns the existing job and writes nothing', async (t) => {
    const q = new JobQueue(store)
    const first = await q.enqueue({ kind: 'sync', payload: { providerId: 'p1' }, idempotencyKey: 'sync:p1:1' })
    const second = await q.enqueue({ kind: 'sync', payload: { providerId: 'OTHER' }, idempotencyKey: 'sync:p1:1' })
    t.equal(first.created, true)
    t.equal(second.created, false)
    t.equal(second.job.id, first.job.id)
    t.same(second.job.payload, { providerId: 'p1' }, 'the first payload wins')
    const third = await q.enqueue({ kind: 'sync', payload: {}, idempotencyKey: 'sync:p1:2' })
    t.equal(third.created, true, 'a different key is a new job')
    const noKey = await Promise.all([q.enqueue({ kind: 'x', payload: 1 }), q.enqueue({ kind: 'x', payload: 1 })])
    t.not(noKey[0].job.id, noKey[1].job.id, 'without a key every enqueue is a job')
  })

  t.test('claim honours runAt and kinds, and counts attempts', async (t) => {
    const clock = manualClock()
    const q = new JobQueue(store, { now: clock.now })
    const later = await q.enqueue({ kind: 'k1', payload: 'later', runAt: clock.now() + 60_000 })
    const due = await q.enqueue({ kind: 'k1', payload: 'due' })
    await q.enqueue({ kind: 'other', payload: 'other' })
    const c1 = await q.claim('w1', ['k1'], 10_000)
    t.equal(c1?.id, due.job.id)
    t.equal(c1?.attempts, 1)
    t.equal(c1?.lockedBy, 'w1')
    t.equal(c1?.leaseUntil, clock.now() + 10_000)
    t.equal(await q.claim('w1', ['k1'], 10_000), undefined, 'the later job is not due yet')
    t.equal(await q.complete(c1!), true)
    clock.advance(60_000)
    const c2 = await q.claim('w1', ['k1'], 10_000)
    t.equal(c2?.id, later.job.id, 'due once the clock passes runAt')
    t.equal(await q.claim('w1', [], 10_000), undefined, 'no kinds, no job')
  })

  t.test('a job held by a dead worker is taken over after its lease, and the old lease is fenced', async (t) => {
    const clock = manualClock()
    const q = new JobQueue(store, { now: clock.now })
    const { job } = await q.enqueue({ kind: 'takeover', payload: null })
    const dead = await q.claim('dead-worker', ['takeover'], 5_000)
    t.ok(dead)
    clock.advance(4_999)
    t.equal(await q.claim('live-worker', ['takeover'], 5_000), undefined, 'not while the lease is live')
    clock.advance(1)
    const taken = await q.claim('live-worker', ['takeover'], 5_000)
    t.equal(taken?.id, job.id)
    t.equal(taken?.attempts, 2, 'a takeover counts as an attempt')
    t.equal(await q.complete(dead!, 'late'), false, 'the dead worker can no longer complete')
    t.equal(await q.heartbeat(dead!, 5_000), false, 'nor heartbeat')
    t.equal(await q.fail(dead!, new Error('late')), 'lost', 'nor fail')
    t.equal(await q.complete(taken!, { ok: 1 }), true)
    const done = await q.get(job.id)
    t.equal(done?.status, 'done')
    t.same(done?.result, { ok: 1 })
  })

  t.test('heartbeat extends the lease so nobody else can claim', async (t) => {
    const clock = manualClock()
    const q = new JobQueue(store, { now: clock.now })
    await q.enqueue({ kind: 'hb', payload: null })
    const held = await q.claim('w1', ['hb'], 5_000)
    clock.advance(4_000)
    t.equal(await q.heartbeat(held!, 5_000), true)
    clock.advance(4_000)
    t.equal(await q.claim('w2', ['hb'], 5_000), undefined, 'lease was extended to t+9 s')
    clock.advance(1_001)
    t.ok(await q.claim('w2', ['hb'], 5_000), 'and expires when heartbeats stop')
  })

  t.test('fail retries with back-off, then dies after maxAttempts', async (t) => {
    const clock = manualClock()
    const q = new JobQueue(store, { now: clock.now, backoffMs: (n) => n * 1000 })
    const { job } = await q.enqueue({ kind: 'flaky', payload: null, maxAttempts: 2 })
    const a1 = await q.claim('w', ['flaky'], 5_000)
    t.equal(await q.fail(a1!, new Error('upstream 503')), 'retry')
    let row = await q.get(job.id)
    t.equal(row?.status, 'queued')
    t.equal(row?.runAt, clock.now() + 1000, 'back-off of attempt 1')
    t.match(row?.lastError, /upstream 503/)
    t.equal(await q.claim('w', ['flaky'], 5_000), undefined, 'not before the back-off')
    clock.advance(1000)
    const a2 = await q.claim('w', ['flaky'], 5_000)
    t.equal(a2?.attempts, 2)
    t.equal(await q.fail(a2!, new Error('again')), 'dead', 'attempt 2 of 2 was the last')
    row = await q.get(job.id)
    t.equal(row?.status, 'dead')
    clock.advance(10_000_000)
    t.equal(await q.claim('w', ['flaky'], 5_000), undefined, 'dead jobs are never claimed')
  })

  t.test('a PermanentJobError kills the job on its first attempt', async (t) => {
    const q = new JobQueue(store)
    await q.enqueue({ kind: 'perm', payload: null, maxAttempts: 5 })
    const a1 = await q.claim('w', ['perm'], 5_000)
    t.equal(await q.fail(a1!, new PermanentJobError('bad manifest')), 'dead')
  })

  t.test('a job whose workers keep dying is buried once its attempts are used up', async (t) => {
    const clock = manualClock()
    const q = new JobQueue(store, { now: clock.now })
    const { job } = await q.enqueue({ kind: 'crasher', payload: null, maxAttempts: 2 })
    await q.claim('w1', ['crasher'], 1000)
    clock.advance(1000)
    t.ok(await q.claim('w2', ['crasher'], 1000), 'second attempt by takeover')
    clock.advance(1000)
    t.equal(await q.claim('w3', ['crasher'], 1000), undefined, 'no third attempt')
    const row = await q.get(job.id)
    t.equal(row?.status, 'dead')
    t.match(row?.lastError, /lease expired/)
  })
})

for (const engine of selectedEngines()) {
  t.test(`${engine}: concurrent claimers on two instances get disjoint jobs`, async (t) => {
    const [a, b] = await openTwinStores(t, engine)
    const qa = new JobQueue(a)
    const qb = new JobQueue(b)
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) ids.add((await qa.enqueue({ kind: 'd', payload: i })).job.id)
    // 60 claims race for 20 jobs: every job is claimed exactly once.
    const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? qa : qb).claim(`w${i % 2}`, ['d'], 60_000)))
    const got = claims.filter((c) => c !== undefined).map((c) => c.id)
    t.equal(got.length, 20, 'every job claimed')
    t.equal(new Set(got).size, 20, 'no job claimed twice')
    t.same(new Set(got), ids)
    t.ok(claims.some((c) => c?.lockedBy === 'w0') && claims.some((c) => c?.lockedBy === 'w1'), 'both instances got work')
    t.same(await qa.countByStatus(), { queued: 0, running: 20, done: 0, dead: 0 })
  })
}
