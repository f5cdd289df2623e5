// Killing the gateway mid-ingest: a worker process is SIGKILLed after the checks ran and before the
// job's final transaction. Until then no course of the package is visible; after a restart the job
// is taken over once its lease expires and completes exactly once (one package.checked entry, each
// course queued once), and the killed run's sandbox does not survive.
import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { createReadStream, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import { JobQueue } from '../jobs/job-queue.js'
import { waitUntil } from '../jobs/wait-until.test-support.js'
import { openStore } from '../store/open-store.js'
import { PackageIngest } from './package-ingest.js'
import { seedLiveCourses } from './ingest.test-support.js'
import { childNodeArgs } from '../loader-args.test-support.js'

const workerArgs = childNodeArgs(import.meta.url, './fixtures/ingest-process.test-support')
const readLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean)

/** A SQLite store, an ingest on it, and worker processes started (and reaped) for this test. */
async function crashRig(t: Test) {
  const dataDir = t.testdir({})
  const log = join(dataDir, 'run.log')
  writeFileSync(log, '')
  const store = openStore({ sqlitePath: join(dataDir, 'skillgate.db') })
  t.teardown(() => store.close())
  await store.migrate()
  const queue = new JobQueue(store)
  const ingest = new PackageIngest({ store, queue, blobs: new DiskBlobStore(join(dataDir, 'blobs')), sandboxDir: join(dataDir, 'sandbox'), uploadLimitBytes: 1024 ** 3 })
  const children: ChildProcess[] = []
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  })
  const start = (workerId: string, hang: boolean): ChildProcess => {
    const env: NodeJS.ProcessEnv = { ...process.env, WORKER_ID: workerId, RUN_LOG: log, DATA_DIR: dataDir, LEASE_MS: '1500', HANG: hang ? '1' : '0' }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, workerArgs, { env, stdio: ['ignore', 'inherit', 'inherit'] })
    children.push(child)
    return child
  }
  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))
  return { dataDir, log, store, queue, ingest, start, exited }
}

t.test('SIGKILL mid-ingest: nothing half-visible, then exactly one completion', async (t) => {
  const { dataDir, log, store, queue, ingest, start, exited } = await crashRig(t)
  const providerId = 'prv_crash_test'
  await seedLiveCourses(store, providerId, 20)
  const g = await generatePackage({ courses: 4 })
  const { pkg } = await ingest.accept({ providerId, fileName: 'p.zip', sha256: g.sha256, body: createReadStream(g.path), actor: `provider:${providerId}` })

  const packageCourses = () => store.db.selectFrom('courses').selectAll().where('package_id', '=', pkg.id).execute()
  const checkedEntries = async () => (await store.db.selectFrom('audit_log').select('action').where('subject_id', '=', pkg.id).execute()).filter((r) => r.action === 'package.checked').length

  const a = start('A', true)
  await waitUntil(() => readLines(log).includes(`A before-commit ${pkg.id}`), 100)
  const mid = await store.db.selectFrom('packages').selectAll().where('id', '=', pkg.id).executeTakeFirstOrThrow()
  t.equal(mid.status, 'checking', 'the package is being checked')
  t.equal((await packageCourses()).length, 0, 'no course of the package is visible before the final transaction')
  t.equal(await checkedEntries(), 0)
  a.kill('SIGKILL')
  await exited(a)
  t.equal((await packageCourses()).length, 0, 'still nothing after the kill')
  t.equal((await store.db.selectFrom('packages').select('report_sha256').where('id', '=', pkg.id).executeTakeFirstOrThrow()).report_sha256, null, 'no report published by the killed run')

  const b = start('B', false)
  await waitUntil(async () => (await store.db.selectFrom('packages').select('status').where('id', '=', pkg.id).executeTakeFirstOrThrow()).status === 'checked', 100)
  const jobId = (await store.db.selectFrom('packages').select('job_id').where('id', '=', pkg.id).executeTakeFirstOrThrow()).job_id ?? ''
  await waitUntil(async () => (await queue.get(jobId))?.status === 'done', 100)
  const job = await queue.get(jobId)
  t.equal(job?.lockedBy, 'B', 'B took the job over')
  t.equal(job?.attempts, 2)
  const courses = await packageCourses()
  t.equal(courses.length, 4, 'each course of the package queued')
  t.equal(new Set(courses.map((c) => c.course_id)).size, 4, 'and queued once')
  t.ok(courses.every((c) => c.status === 'pending'))
  t.equal(await checkedEntries(), 1, 'exactly one package.checked audit entry')
  t.notOk(readLines(log).includes(`A finished ${pkg.id} 1`), 'A never finished')
  t.ok(readLines(log).includes(`B finished ${pkg.id} 2`))
  const sandbox = join(dataDir, 'sandbox')
  t.same(existsSync(sandbox) ? readdirSync(sandbox) : [], [], 'no extraction left behind by either run')
  b.kill('SIGTERM')
  await exited(b)
})
t.test('SIGKILL during the last attempt: the package is failed with SG_ERR_JOB_DIED, and the same bytes uploaded again are checked (issue 16)', async (t) => {
  const { log, store, queue, ingest, start, exited } = await crashRig(t)
  const providerId = 'prv_crash_last'
  await seedLiveCourses(store, providerId, 20)
  const g = await generatePackage({ courses: 2 })
  const upload = () => ingest.accept({ providerId, fileName: 'p.zip', sha256: g.sha256, body: createReadStream(g.path), actor: `provider:${providerId}` })
  const { pkg } = await upload()
  const jobId = (await store.db.selectFrom('packages').select('job_id').where('id', '=', pkg.id).executeTakeFirstOrThrow()).job_id ?? ''
  // The first attempt is the last one: the worker process is killed while it holds it.
  await store.db.updateTable('jobs').set({ max_attempts: 1 }).where('id', '=', jobId).execute()

  const status = async (id: string) => (await store.db.selectFrom('packages').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow())

  const a = start('A', true)
  await waitUntil(() => readLines(log).includes(`A before-commit ${pkg.id}`), 100)
  t.equal((await status(pkg.id)).status, 'checking')
  a.kill('SIGKILL')
  await exited(a)

  // Another worker's claim finds the lease expired with no attempts left: the job is dead, and its
  // subject is settled in the same transaction.
  const b = start('B', false)
  await waitUntil(async () => (await queue.get(jobId))?.status === 'dead', 100)
  await waitUntil(async () => (await status(pkg.id)).status === 'failed', 100)
  const failed = await status(pkg.id)
  t.equal(failed.status, 'failed', 'the package does not stay checking')
  t.match(failed.error, /^SG_ERR_JOB_DIED: lease expired with no attempts left/, 'with the reason')
  t.notOk(readLines(log).some((l) => l.startsWith('A finished')), 'the killed worker never finished')

  const again = await upload()
  t.equal(again.created, true, 're-uploading the same bytes is a new package, not the dead one')
  await waitUntil(async () => (await status(again.pkg.id)).status === 'checked', 100)
  t.ok(readLines(log).includes(`B finished ${again.pkg.id} 1`), 'the surviving worker checked it')
  b.kill('SIGTERM')
  await exited(b)
})


// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) package.checked-before-review (R13).
