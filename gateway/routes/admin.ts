// Administration of the workflow: verify the hash-chained audit log, and run due workflow jobs now
// (for gateways started without a worker, and for the demo walk-through).
import type { FastifyInstance } from 'fastify'
import { drainWorkflowJobs } from '../workflow/jobs.js'
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
    schema: { tags, summary: 'Run every due workflow job now (conformance runs, publicity close)' },
  }, async () => {
    // "Now" includes closing finished publicity periods, which otherwise only the nightly tick
    // enqueues; keyed per hour of workflow time, so repeated calls queue it once.
    const hour = Math.floor(app.workflow.now() / 3_600_000)
    await app.workflow.queue.enqueue({ kind: CLOSE_PUBLICITY_JOB, payload: {}, idempotencyKey: `workflow.close-publicity:manual:${hour}` })
    return { ran: await drainWorkflowJobs(app.workflow) }
  })
}
