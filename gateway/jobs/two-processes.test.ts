// "Two gateway processes on one PostgreSQL": real child processes, each with its own Worker and
// Scheduler against one schema. A scheduled tick runs exactly once across both, and a job held by
// a process that is SIGKILLed mid-job is taken over by the other once its lease expires.
import t from 'tap'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openStore } from '../store/open-store.js'
import { createPgTestSchema, selectedEngines } from '../store/engines.test-support.js'
import { JobQueue } from './job-queue.js'
import { waitUntil } from './wait-until.test-support.js'
import { childNodeArgs } from '../loader-args.test-support.js'

const workerArgs = childNodeArgs(import.meta.url, './fixtures/worker-process.test-support')

const readLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean)

if (!selectedEngines().includes('postgres')) {
  t.pass('postgres not selected (SKILLGATE_TEST_ENGINES)')
} else {
  t.test('two processes on one PostgreSQL schema', async (t) => {
    const schema = await createPgTestSchema()
    const store = openStore({ databaseUrl: schema.databaseUrl, pgSchema: schema.schema })
    t.teardown(async () => {
      await store.close()
      await schema.drop()
    })
    await store.migrate()
    const queue = new JobQueue(store)
    const dir = t.testdir({})
    const children: ChildProcess[] = []
    t.teardown(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    })

    function startProcess(workerId: string, runLog: string, opts: { schedule: boolean; leaseMs: number }): ChildProcess {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        WORKER_ID: workerId,
        RUN_LOG: runLog,
        DATABASE_URL: schema.databaseUrl,
        PG_SCHEMA: schema.schema,
        LEASE_MS: String(opts.leaseMs),
        SCHEDULE: opts.schedule ? '1' : '0',
      }
      delete env.NODE_OPTIONS
      const child = spawn(process.execPath, workerArgs, { env, stdio: ['ignore', 'inherit', 'inherit'] })
      children.push(child)
      return child
    }
    const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))

    t.test('a scheduled tick runs exactly once across both processes', async (t) => {
      const log = join(dir, 'ticks.log')
      writeFileSync(log, '')
      const a = startProcess('A', log, { schedule: true, leaseMs: 5000 })
      const b = startProcess('B', log, { schedule: true, leaseMs: 5000 })
      // Wait until both processes have fired at least three common ticks (one created, one deduplicated).
      const sharedTicks = () => {
        const perKey = new Map<string, Set<string>>()
        for (const [who, what, key] of readLines(log).map((l) => l.split(' '))) {
          if (what !== 'enqueued' || !who || !key) continue
          perKey.set(key, (perKey.get(key) ?? new Set()).add(who))
        }
        return [...perKey.values()].filter((s) => s.size === 2).length
      }
      await waitUntil(() => sharedTicks() >= 3, 100)
      a.kill('SIGTERM')
      b.kill('SIGTERM')
      await Promise.all([exited(a), exited(b)])
      const lines = readLines(log).map((l) => l.split(' '))
      const created = lines.filter(([, what, , c]) => what === 'enqueued' && c === 'true').map(([, , key]) => key)
      const ran = lines.filter(([, what]) => what === 'ran').map(([, , key]) => key)
      t.ok(created.length >= 3)
      t.equal(new Set(created).size, created.length, 'each tick key created by one process only')
      t.equal(new Set(ran).size, ran.length, 'no tick ran twice')
      const dbJobs = await store.db.selectFrom('jobs').select(['idempotency_key', 'status', 'attempts']).where('kind', '=', 'tick').execute()
      t.equal(dbJobs.length, created.length, 'one job row per created tick')
      for (const j of dbJobs) {
        if (j.status === 'done') t.equal(ran.filter((k) => k === j.idempotency_key).length, 1, `${j.idempotency_key} ran once`)
      }
      t.ok(dbJobs.every((j) => j.attempts <= 1), 'no tick was claimed twice')
      t.ok(lines.some(([who, what]) => who === 'A' && what === 'ran') || lines.some(([who, what]) => who === 'B' && what === 'ran'))
    })

    t.test('a job held by a SIGKILLed process is taken over after its lease', async (t) => {
      const log = join(dir, 'takeover.log')
      writeFileSync(log, '')
      const { job } = await queue.enqueue({ kind: 'hang', payload: { hangOn: 'A' } })
      const a = startProcess('A', log, { schedule: false, leaseMs: 1500 })
      await waitUntil(() => readLines(log).includes(`A claimed ${job.id} 1`), 50)
      const b = startProcess('B', log, { schedule: false, leaseMs: 1500 })
      await waitUntil(() => readLines(log).includes('B ready'), 50)
      a.kill('SIGKILL')
      await exited(a)
      const heldUntil = (await queue.get(job.id))?.leaseUntil ?? 0
      await waitUntil(async () => (await queue.get(job.id))?.status === 'done', 100)
      const done = await queue.get(job.id)
      t.equal(done?.lockedBy, 'B', 'B took the job over')
      t.equal(done?.attempts, 2)
      t.equal(done?.result, 'B')
      t.ok(readLines(log).includes(`B claimed ${job.id} 2`))
      t.notOk(readLines(log).includes(`A finished ${job.id} 1`), 'A never finished it')
      t.ok((done?.updatedAt ?? 0) >= heldUntil, 'B finished only after A’s last lease had expired')
      b.kill('SIGTERM')
      await exited(b)
      t.ok(readLines(log).includes('B stopped'), 'B stopped gracefully')
    })
  })
}
