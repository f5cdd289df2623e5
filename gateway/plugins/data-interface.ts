// Wires the data interface into the app: `app.dataInterface`, the provider key resolver when the
// workflow plugin is absent (the workflow's own resolver wins when it is registered), and, when the
// config enables them, a Worker for the data job kinds and the sync / record-pull / assessment
// schedules. Route modules (gateway/routes/courses.ts, …) read `app.dataInterface`.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { JobQueue } from '../jobs/job-queue.js'
import { Scheduler } from '../jobs/scheduler.js'
import { Worker } from '../jobs/worker.js'
import { lazySecretBox } from '../workflow/secret-box.js'
import type { AssessmentRunner } from '../assessment/assessment.js'
import { DataInterface } from '../sync/data-interface.js'
import { dataJobHandlers, dataSchedules, registerDataDeadHooks } from '../sync/jobs.js'
import { sealedKeyOpener } from '../sync/provider-directory.js'
import type { KeyOpener } from '../sync/provider-directory.js'
import { dataInterfaceSettings } from '../sync/settings.js'
import type { DataInterfaceOverrides } from '../sync/settings.js'

declare module 'fastify' {
  interface FastifyInstance { dataInterface: DataInterface }
}

export interface DataInterfacePluginOptions {
  settings?: DataInterfaceOverrides
  runner?: AssessmentRunner
  openKey?: KeyOpener
  now?: () => number
  env?: NodeJS.ProcessEnv
}

export default fp(async function dataInterfacePlugin(app: FastifyInstance, opts: DataInterfacePluginOptions) {
  const { config } = app
  const workflow = (app as unknown as { workflow?: { resolveProviderKey: KeyOpener } }).workflow
  const openKey = opts.openKey ?? (workflow ? (keyId: string) => workflow.resolveProviderKey(keyId) : sealedKeyOpener(app.store, lazySecretBox({ env: opts.env ?? process.env, dataDir: config.dataDir })))
  if (!workflow) app.setProviderKeyResolver(openKey)
  const logger = app.log as unknown as Logger
  const di = new DataInterface({
    store: app.store,
    settings: dataInterfaceSettings(config.ssrfMode, opts.settings),
    openKey,
    logger,
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  })
  app.decorate('dataInterface', di)

  const queue = new JobQueue(app.store, { onHookError: (err, job) => logger.error({ err, jobId: job.id, kind: job.kind }, 'dead job could not settle its subject; retried at the next claim') })
  registerDataDeadHooks(di, queue, opts.now)
  if (config.worker.enabled) {
    const worker = new Worker(queue, { concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollIntervalMs: config.worker.pollMs, logger })
    for (const [kind, handler] of Object.entries(dataJobHandlers(di, queue))) worker.register(kind, handler)
    app.addHook('onReady', async () => worker.start())
    app.addHook('onClose', async () => worker.stop({ abortInFlight: true }))
  }
  if (config.scheduler.enabled) {
    const scheduler = new Scheduler(queue, { logger })
    for (const def of dataSchedules(di, config.scheduler.timezone)) scheduler.add(def)
    app.addHook('onReady', async () => scheduler.start())
    app.addHook('onClose', async () => scheduler.stop())
  }
}, { name: 'skillgate-data-interface', dependencies: ['skillgate-store', 'skillgate-auth'] })
