// Administration of the workflow: verify the hash-chained audit log, and run due workflow jobs now
// (for gateways started without a worker, and for the demo walk-through).
import type { FastifyInstance } from 'fastify'
import { drainWorkflowJobs, WORKFLOW_JOB_KINDS } from '../workflow/jobs.js'
import { CLOSE_PUBLICITY_JOB } from '../workflow/publicity.js'

export default async function adminRoutes(app: FastifyInstance) {
  const tags = ['admin']
  app.get('/api/v1/audit/verify', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: 'Re-compute the audit chain; pass a published head (seq + hash) to detect deleted newest rows',
      querystring: { type: 'object', additionalProperties: false, properties: { expectSeq: { type: 'integer', minimum: 1 }, expectHash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
    },
  }, async (request) => {
    const q = request.query as { expectSeq?: number; expectHash?: string }
    const audit = app.workflow.audit
    const result = await audit.verify(q.expectSeq !== undefined && q.expectHash ? { expectHead: { seq: q.expectSeq, hash: q.expectHash } } : {})
    return { ...result, head: await audit.head() }
  })

  app.post('/api/v1/admin/jobs/run-workflow', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: 'Run every due workflow job now (conformance runs, publicity close); with wait=true, also wait for workflow jobs another worker is running',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { wait: { type: 'boolean', default: false }, timeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 300 } },
      },
    },
  }, async (request, reply) => {
    const q = request.query as { wait: boolean; timeoutSeconds: number }
    // "Now" includes closing finished publicity periods, which otherwise only the nightly tick
    // enqueues; keyed per hour of workflow time, so repeated calls queue it once.
    const hour = Math.floor(app.workflow.now() / 3_600_000)
    await app.workflow.queue.enqueue({ kind: CLOSE_PUBLICITY_JOB, payload: {}, idempotencyKey: `workflow.close-publicity:manual:${hour}` })
    const ran = await drainWorkflowJobs(app.workflow)
    if (!q.wait) return { ran }
    // The in-process worker claims a conformance job the moment material review queues it, so
    // "run now" finds nothing due while the probe is still running: wait for it (and run anything
    // that falls due meanwhile, such as a retry), so the report exists when this answers.
    const deadline = Date.now() + q.timeoutSeconds * 1000
    let running = await runningWorkflowJobs(app)
    while (running.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      ran.push(...await drainWorkflowJobs(app.workflow))
      running = await runningWorkflowJobs(app)
    }
    // Still running at the deadline: not an error, not finished either (202, what is still running).
    if (running.length > 0) void reply.status(202)
    return { ran, stillRunning: running }
  })
}

/** Workflow jobs held by some worker right now (this instance's or another's). */
async function runningWorkflowJobs(app: FastifyInstance): Promise<{ id: string; kind: string }[]> {
  return app.store.db.selectFrom('jobs').select(['id', 'kind']).where('status', '=', 'running').where('kind', 'in', [...WORKFLOW_JOB_KINDS]).execute()
}
