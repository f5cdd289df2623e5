// The workflow's durable jobs: a conformance run per application (enqueued with the material-review
// decision) and the daily close of finished publicity periods (R11 → R12). The Scheduler only
// enqueues, under one idempotency key per day, so N gateway instances close each period once.
import { randomUUID } from 'node:crypto'
import type { ScheduleDefinition } from '../jobs/scheduler.js'
import type { JobHandler } from '../jobs/worker.js'
import { CONFORMANCE_JOB } from './conformance.js'
import { CLOSE_PUBLICITY_JOB } from './publicity.js'
import type { Workflow } from './workflow.js'

export const WORKFLOW_JOB_KINDS = [CONFORMANCE_JOB, CLOSE_PUBLICITY_JOB] as const

export function workflowJobHandlers(workflow: Workflow): Record<(typeof WORKFLOW_JOB_KINDS)[number], JobHandler> {
  return {
    [CONFORMANCE_JOB]: async (job) => workflow.runConformance((job.payload as { applicationId: string }).applicationId),
    [CLOSE_PUBLICITY_JOB]: async () => workflow.closeDuePublicity(),
  }
}

/** Daily, shortly after midnight in Beijing: periods end at 24:00 Asia/Shanghai. */
export const closePublicitySchedule: ScheduleDefinition = {
  name: 'workflow.close-publicity',
  cron: '5 0 * * *',
  kind: CLOSE_PUBLICITY_JOB,
  timezone: 'Asia/Shanghai',
  period: 'day',
  maxAttempts: 5,
}

/**
 * Runs every due workflow job in this process until none is left (tests, the admin "run now"
 * route, and gateways started without a worker). Same claim/complete path as the Worker.
 */
export async function drainWorkflowJobs(workflow: Workflow, leaseMs = 60_000): Promise<{ id: string; kind: string; ok: boolean; result?: unknown; error?: string }[]> {
  const handlers = workflowJobHandlers(workflow)
  const workerId = `drain:${randomUUID().slice(0, 8)}`
  const ran: { id: string; kind: string; ok: boolean; result?: unknown; error?: string }[] = []
  for (let i = 0; i < 1000; i++) {
    const job = await workflow.queue.claim(workerId, WORKFLOW_JOB_KINDS, leaseMs)
    if (!job) break
    const handler = handlers[job.kind as (typeof WORKFLOW_JOB_KINDS)[number]]
    try {
      const result = await handler(job, { workerId, signal: new AbortController().signal, heartbeat: async () => true })
      await workflow.queue.complete(job, result)
      ran.push({ id: job.id, kind: job.kind, ok: true, result })
    } catch (err) {
      await workflow.queue.fail(job, err)
      ran.push({ id: job.id, kind: job.kind, ok: false, error: (err as Error).message })
    }
  }
  return ran
}
