// Wires the admission workflow into the app: `app.workflow` (the service), the conformance runner
// slot (`app.conformanceRunner`, `app.setConformanceRunner`), the provider signing-key resolver for
// the auth plugin, the skillgate_applications{state} gauge, and, when the config enables them, a
// Worker for the workflow's job kinds and the daily publicity-close schedule.
import fp from 'fastify-plugin'
import { createConformanceRunner } from '../conformance-runner.js'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { Scheduler } from '../jobs/scheduler.js'
import { Worker } from '../jobs/worker.js'
import { closePublicitySchedule, workflowJobHandlers } from '../workflow/jobs.js'
import { lazySecretBox } from '../workflow/secret-box.js'
import { Workflow } from '../workflow/workflow.js'
import type { ConformanceRunner } from '../workflow/conformance.js'

declare module 'fastify' {
  interface FastifyInstance {
    workflow: Workflow
    /** The conformance library entry point; assign (or call setConformanceRunner) to replace it. */
    conformanceRunner: ConformanceRunner
    setConformanceRunner(runner: ConformanceRunner): void
  }
}

export interface WorkflowPluginOptions {
  /** Default: process.env (SKILLGATE_MASTER_KEY). */
  env?: NodeJS.ProcessEnv
}

export default fp(async function workflowPlugin(app: FastifyInstance, opts: WorkflowPluginOptions) {
  const { config } = app
  const workflow = new Workflow({
    store: app.store,
    blobs: app.blobs,
    secrets: lazySecretBox({ env: opts.env ?? process.env, dataDir: config.dataDir }),
  })
  // The real conformance library by default (R9→R10); tests may swap in another runner.
  workflow.runner = createConformanceRunner(app, { mode: config.ssrfMode, sample: config.conformance.sample })
  app.decorate('workflow', workflow)
  app.decorate('conformanceRunner', {
    getter: () => workflow.runner,
    setter: (runner: ConformanceRunner) => { workflow.runner = runner },
  })
  app.decorate('setConformanceRunner', (runner: ConformanceRunner) => { workflow.runner = runner })
  app.setProviderKeyResolver((keyId) => workflow.resolveProviderKey(keyId))

  app.metrics.gauge('skillgate_applications', 'Applications by workflow state', ['state'], async (g) => {
    for (const [state, n] of Object.entries(await workflow.countByState())) g.set({ state }, n)
  })

  const logger = app.log as unknown as Logger
  if (config.worker.enabled) {
    const worker = new Worker(workflow.queue, { concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollIntervalMs: config.worker.pollMs, logger })
    for (const [kind, handler] of Object.entries(workflowJobHandlers(workflow))) worker.register(kind, handler)
    app.addHook('onReady', async () => worker.start())
    app.addHook('onClose', async () => worker.stop())
  }
  if (config.scheduler.enabled) {
    const scheduler = new Scheduler(workflow.queue, { logger }).add({ ...closePublicitySchedule, timezone: config.scheduler.timezone })
    app.addHook('onReady', async () => scheduler.start())
    app.addHook('onClose', async () => scheduler.stop())
  }
}, { name: 'skillgate-workflow', dependencies: ['skillgate-store', 'skillgate-blobs', 'skillgate-auth', 'skillgate-metrics'] })
