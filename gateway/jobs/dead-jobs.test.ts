// Dead jobs finish their subject (issue 16), one test per job kind, on both engines. The worker
// "dies during the last attempt" the way a SIGKILLed process does: it claimed the job (attempts+1,
// a lease) and never completed or failed it. Once that last lease expires, the next claim by a
// real Worker buries the job (SG_ERR_JOB_DIED: lease expired with no attempts left), and the
// kind's dead hook settles the subject in the same transaction: the package is failed with a
// reason, the application's conformance run is failed with a report naming the cause, the sync
// and the records pull are failed runs. Then a retry (re-upload, new run request, next tick) works.
import t from 'tap'
import type { Test } from 'tap'
import { createReadStream } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { startProvider } from '../../fixtures/providers/index.js'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import { INGEST_JOB, PackageIngest } from '../ingest/package-ingest.js'
import { seedLiveCourses } from '../ingest/ingest.test-support.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { admitProvider, keyOpener, testSecretBox } from '../sync/admit-provider.test-support.js'
import { DataInterface } from '../sync/data-interface.js'
import { dataJobHandlers, PULL_RECORDS_JOB, registerDataDeadHooks, SYNC_PROVIDER_JOB } from '../sync/jobs.js'
import { dataInterfaceSettings } from '../sync/settings.js'
import { CONFORMANCE_JOB } from '../workflow/conformance.js'
import { drainWorkflowJobs } from '../workflow/jobs.js'
import { SecretBox } from '../workflow/secret-box.js'
import { applicationBody, checkFrameworkRunner } from '../workflow/workflow.test-support.js'
import { Workflow } from '../workflow/workflow.js'
import { JobQueue } from './job-queue.js'
import type { JobHandler } from './worker.js'
import { Worker } from './worker.js'
import { waitUntil } from './wait-until.test-support.js'

const LEASE_MS = 40
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Workers that claim `jobId` and die (no complete, no fail), until the job has used every attempt;
 * then the last lease runs out. Returns the attempts used.
 */
async function dieThroughEveryAttempt(t: Test, queue: JobQueue, kind: string, jobId: string): Promise<number> {
  for (let i = 1; ; i++) {
    const claimed = await queue.claim(`doomed-${i}`, [kind], LEASE_MS)
    t.equal(claimed?.id, jobId, `attempt ${i} claimed by a worker that then dies`)
    await sleep(LEASE_MS + 20)
    if (claimed!.attempts >= claimed!.maxAttempts) return claimed!.attempts
  }
}

/** A real Worker for `kind`: its first claim buries the expired job; it then runs what comes next. */
function survivor(t: Test, queue: JobQueue, kind: string, handler: JobHandler): Worker {
  const worker = new Worker(queue, { workerId: 'survivor', pollIntervalMs: 20, leaseMs: 5000 }).register(kind, handler)
  t.teardown(() => worker.stop())
  worker.start()
  return worker
}

const deadJob = async (t: Test, queue: JobQueue, jobId: string) => {
  await waitUntil(async () => (await queue.get(jobId))?.status === 'dead')
  const job = await queue.get(jobId)
  t.match(job, { status: 'dead', lastError: /^lease expired with no attempts left/ }, 'the job is dead: its worker died during the last attempt')
  return job!
}

forEachEngine(t, async (t, store) => {
  t.test('package.ingest: the package ends failed with SG_ERR_JOB_DIED; the same bytes uploaded again are a new package that is checked', async (t) => {
    const dir = t.testdir({})
    const queue = new JobQueue(store)
    const ingest = new PackageIngest({ store, queue, blobs: new DiskBlobStore(join(dir, 'blobs')), sandboxDir: join(dir, 'sandbox'), uploadLimitBytes: 1024 ** 3 })
    const providerId = `prv_dead_${randomBytes(4).toString('hex')}`
    await seedLiveCourses(store, providerId, 20)
    const g = await generatePackage({ courses: 2 })
    const upload = () => ingest.accept({ providerId, fileName: 'p.zip', sha256: g.sha256, body: createReadStream(g.path), actor: `provider:${providerId}` })
    const { pkg } = await upload()
    const jobId = (await store.db.selectFrom('packages').select('job_id').where('id', '=', pkg.id).executeTakeFirstOrThrow()).job_id!
    t.equal(await dieThroughEveryAttempt(t, queue, INGEST_JOB, jobId), 3)
    const before = await upload()
    t.equal(before.created, false, 'until a claim notices the death, the same bytes are still that package')

    survivor(t, queue, INGEST_JOB, ingest.handler() as JobHandler)
    await deadJob(t, queue, jobId)
    const failed = await ingest.get(pkg.id, {})
    t.equal(failed.status, 'failed', 'the package does not stay checking')
    t.match(failed.error, /^SG_ERR_JOB_DIED: lease expired with no attempts left/, 'with the reason')
    t.not(failed.finished_at, null)
    const audit = await store.db.selectFrom('audit_log').select('action').where('subject_id', '=', pkg.id).execute()
    t.ok(audit.some((a) => a.action === 'package.failed'), 'audited')

    const again = await upload()
    t.equal(again.created, true, 're-uploading the same bytes is a new package, not the dead one')
    t.not(again.pkg.id, pkg.id)
    await waitUntil(async () => (await ingest.get(again.pkg.id, {})).status === 'checked')
    t.equal((await ingest.get(again.pkg.id, {})).courses_in_package, 2, 'and its check runs to the end')
  })

  t.test('package.ingest twin: a package whose job died before dead jobs settled anything is failed by the re-upload', async (t) => {
    const dir = t.testdir({})
    const queue = new JobQueue(store)
    const ingest = new PackageIngest({ store, queue, blobs: new DiskBlobStore(join(dir, 'blobs')), sandboxDir: join(dir, 'sandbox'), uploadLimitBytes: 1024 ** 3 })
    const providerId = `prv_stuck_${randomBytes(4).toString('hex')}`
    const body = Buffer.from(`PK\u0003\u0004 ${providerId}`)
    const digest = createHash('sha256').update(body).digest('hex')
    const { pkg } = await ingest.accept({ providerId, fileName: 'p.zip', sha256: digest, body: Readable.from([body]), actor: 'provider:x' })
    // The state issue 16 found: the job dead, the package still 'checking'.
    await store.db.updateTable('packages').set({ status: 'checking' }).where('id', '=', pkg.id).execute()
    await store.db.updateTable('jobs').set({ status: 'dead', last_error: 'lease expired with no attempts left' }).where('kind', '=', INGEST_JOB).where('payload', '=', JSON.stringify({ packageId: pkg.id })).execute()
    const again = await ingest.accept({ providerId, fileName: 'p.zip', sha256: digest, body: Readable.from([body]), actor: 'provider:x' })
    t.equal(again.created, true, 'not the stuck package')
    t.match(await ingest.get(pkg.id, {}), { status: 'failed', error: /^SG_ERR_JOB_DIED: lease expired/ })
  })

  t.test('workflow.conformance: the application is conformance-failed with a report naming SG_ERR_JOB_DIED; a new run is accepted and passes', async (t) => {
    const wf = new Workflow({ store, blobs: new DiskBlobStore(join(t.testdir({}), 'blobs')), secrets: () => box })
    const box = new SecretBox(randomBytes(32))
    const { application, provider } = await wf.createApplication(applicationBody('self-hosted'))
    await store.db.updateTable('applications').set({ state: 'material-review' }).where('id', '=', application.id).execute()
    await wf.materialReview(application.id, { role: 'reviewer', id: 'reviewer:test' }, 'pass', ['documents valid'])
    const job = await store.db.selectFrom('jobs').select('id').where('kind', '=', CONFORMANCE_JOB).where('payload', '=', JSON.stringify({ applicationId: application.id })).executeTakeFirstOrThrow()
    t.equal(await dieThroughEveryAttempt(t, wf.queue, CONFORMANCE_JOB, job.id), 3)
    t.equal((await drainWorkflowJobs(wf)).length, 0, 'the claim that finds the expired lease buries the job and runs nothing')
    await deadJob(t, wf.queue, job.id)
    const row = await store.db.selectFrom('applications').selectAll().where('id', '=', application.id).executeTakeFirstOrThrow()
    t.equal(row.state, 'conformance-failed', 'the application does not wait for a run that will never end')
    t.equal(row.conformance_verdict, 'error')
    const report = JSON.parse(await new Response((await wf.blobs.get(row.conformance_report_sha256!)) as unknown as ReadableStream).text())
    t.match(report, { verdict: 'error', error: { code: 'SG_ERR_JOB_DIED', message: /lease expired/ } }, 'the report names the root cause, and claims nothing was verified')
    const trail = await wf.audit.forSubject('application', application.id)
    t.match(trail.at(-1), { action: 'workflow.conformance-fail', data: { reasons: [/^SG_ERR_JOB_DIED/] } })

    wf.runner = checkFrameworkRunner('conformant')
    await wf.requestConformance(application.id, { role: 'provider', id: `provider:${provider.providerId}`, providerId: provider.providerId })
    const ran = await drainWorkflowJobs(wf)
    t.match(ran, [{ kind: CONFORMANCE_JOB, ok: true, result: { verdict: 'conformant' } }], 'the retry runs')
    t.equal((await store.db.selectFrom('applications').select('state').where('id', '=', application.id).executeTakeFirstOrThrow()).state, 'roadshow')
  })

  t.test('data.sync-provider and data.pull-records: a failed run with SG_ERR_JOB_DIED, the sync state names it; the next run works', async (t) => {
    const box = testSecretBox()
    const di = new DataInterface({ store, openKey: keyOpener(store, box), settings: dataInterfaceSettings('local', { sync: { deadlineMs: 3000, retries: 0, maxAttempts: 2 } }) })
    const k = { [`k_${randomBytes(6).toString('hex')}`]: randomBytes(24).toString('base64url') }
    const platform = await startProvider({ kind: 'on-demand', keys: k, seed: 3, courses: 30, records: 40 })
    t.teardown(() => platform.close())
    const { providerId } = await admitProvider(store, box, { kind: 'on-demand', baseUrl: platform.loopbackUrl, keyId: platform.keyId, secret: platform.secret })
    const queue = new JobQueue(store)
    registerDataDeadHooks(di, queue)
    const handlers = dataJobHandlers(di, queue)

    for (const [kind, runKind] of [[SYNC_PROVIDER_JOB, 'catalogue'], [PULL_RECORDS_JOB, 'records']] as const) {
      const payload = kind === SYNC_PROVIDER_JOB ? { providerId } : null
      const { job } = await queue.enqueue({ kind, payload, idempotencyKey: `${kind}:tick-1`, maxAttempts: 2 })
      t.equal(await dieThroughEveryAttempt(t, queue, kind, job.id), 2, kind)
      const worker = survivor(t, queue, kind, handlers[kind])
      await deadJob(t, queue, job.id)
      const runs = await store.db.selectFrom('sync_runs').selectAll().where('provider_id', '=', providerId).where('kind', '=', runKind).execute()
      t.match(runs, [{ outcome: 'failed', error_code: 'SG_ERR_JOB_DIED', error_detail: /lease expired/ }], `${kind}: the run that died is a failed run`)
      const state = await store.db.selectFrom('sync_state').selectAll().where('provider_id', '=', providerId).executeTakeFirstOrThrow()
      t.match(state.last_error, new RegExp(`^${runKind === 'records' ? 'records pull' : 'catalogue sync'}: SG_ERR_JOB_DIED`))
      t.equal(state.circuit, 'closed', 'a dead gateway worker is no evidence against the provider')

      const retry = await queue.enqueue({ kind, payload, idempotencyKey: `${kind}:tick-2`, maxAttempts: 2 })
      await waitUntil(async () => (await queue.get(retry.job.id))?.status === 'done')
      await worker.stop()
    }
    t.equal(await count(store, 'centre_courses', providerId), 30, 'the next sync applied the catalogue')
    t.equal(await count(store, 'learning_records', providerId), 40, 'the next pull stored the records')
  })
})

async function count(store: Store, table: 'centre_courses' | 'learning_records', providerId: string): Promise<number> {
  return Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow()).n)
}
