// Wires package ingest into the app: `app.packageIngest` and `app.courseCentre` for the routes, and,
// when the config enables workers, a Worker for the ingest job kind. Blobs live in `app.blobs` (the
// same content-addressed store the workflow uses: disk in SQLite mode, the database in PostgreSQL
// mode), extraction sandboxes in <dataDir>/sandbox (one folder per run, removed after it).
import fp from 'fastify-plugin'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { JobQueue } from '../jobs/job-queue.js'
import { Worker } from '../jobs/worker.js'
import { CourseCentre } from '../ingest/course-review-decisions.js'
import { INGEST_JOB, PackageIngest } from '../ingest/package-ingest.js'

declare module 'fastify' {
  interface FastifyInstance {
    packageIngest: PackageIngest
    courseCentre: CourseCentre
  }
}

export default fp(async function ingestPlugin(app: FastifyInstance) {
  const { config } = app
  const blobs = app.blobs
  const queue = new JobQueue(app.store, { onHookError: (err, job) => app.log.error({ err, jobId: job.id, kind: job.kind }, 'dead job could not settle its subject; retried at the next claim') })
  const ingest = new PackageIngest({ store: app.store, blobs, queue, sandboxDir: join(config.dataDir, 'sandbox'), uploadLimitBytes: config.uploadLimitBytes,
    // R13 (issue 18): a course-resource application awaiting its first package moves on to conformance.
    onChecked: (trx, providerId, packageId) => app.workflow.packageChecked(trx, providerId, packageId) })
  app.decorate('packageIngest', ingest)
  app.decorate('courseCentre', new CourseCentre({ store: app.store, audit: ingest.audit }))
  if (config.worker.enabled) {
    const worker = new Worker(queue, { concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollIntervalMs: config.worker.pollMs, logger: app.log as unknown as Logger })
    worker.register(INGEST_JOB, ingest.handler())
    app.addHook('onReady', async () => worker.start())
    app.addHook('onClose', async () => worker.stop())
  }
}, { name: 'skillgate-ingest', dependencies: ['skillgate-store', 'skillgate-blobs', 'skillgate-workflow'] })
