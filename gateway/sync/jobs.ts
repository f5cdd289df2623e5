// The data interface's durable jobs. Schedules only enqueue: one fan-out job per tick (idempotent
// key per tick, so N instances enqueue it once), which enqueues one job per provider keyed by
// provider and tick; the Worker runs them. A transient sync failure throws so the queue retries it
// with its back-off; lying data does not (PermanentJobError), the circuit breaker counts both.
import { PermanentJobError } from '../jobs/job-queue.js'
import type { JobQueue } from '../jobs/job-queue.js'
import type { ScheduleDefinition } from '../jobs/scheduler.js'
import type { JobHandler } from '../jobs/worker.js'
import type { DataInterface } from './data-interface.js'

export const SYNC_ALL_JOB = 'data.sync-all'
export const SYNC_PROVIDER_JOB = 'data.sync-provider'
export const PULL_RECORDS_JOB = 'data.pull-records'
export const ASSESS_ALL_JOB = 'data.assess-all'
export const DATA_JOB_KINDS = [SYNC_ALL_JOB, SYNC_PROVIDER_JOB, PULL_RECORDS_JOB, ASSESS_ALL_JOB] as const

export function dataSchedules(di: DataInterface, timezone: string): ScheduleDefinition[] {
  const s = di.settings
  return [
    { name: 'data.sync', cron: s.sync.cron, kind: SYNC_ALL_JOB, timezone, payload: (tick: Date) => ({ tick: tick.toISOString() }) },
    { name: 'data.pull-records', cron: s.records.pullCron, kind: PULL_RECORDS_JOB, timezone },
    // R17: daily re-conformance; 'day' keys absorb instances whose clocks disagree.
    { name: 'data.assess', cron: s.assessment.cron, kind: ASSESS_ALL_JOB, timezone, period: 'day', maxAttempts: 2 },
  ]
}

export function dataJobHandlers(di: DataInterface, queue: JobQueue): Record<(typeof DATA_JOB_KINDS)[number], JobHandler> {
  return {
    [SYNC_ALL_JOB]: async (job) => {
      const tick = (job.payload as { tick?: string } | null)?.tick ?? new Date().toISOString()
      const providers = await di.directory.operatingApiProviders()
      for (const p of providers) {
        await queue.enqueue({ kind: SYNC_PROVIDER_JOB, payload: { providerId: p.providerId }, idempotencyKey: `${SYNC_PROVIDER_JOB}:${p.providerId}:${tick}`, maxAttempts: di.settings.sync.maxAttempts })
      }
      return { enqueued: providers.length }
    },
    [SYNC_PROVIDER_JOB]: async (job, ctx) => {
      const out = await di.sync.syncProvider((job.payload as { providerId: string }).providerId, ctx.signal)
      if (out.outcome === 'failed') {
        const message = `${out.errorCode ?? 'failed'}: ${out.errorDetail ?? ''}`
        throw out.retryable ? new Error(message) : new PermanentJobError(message)
      }
      return out
    },
    [PULL_RECORDS_JOB]: async () => {
      const out = []
      for (const p of await di.directory.operatingApiProviders()) out.push(await di.pullRecords(p.providerId))
      return out
    },
    [ASSESS_ALL_JOB]: async () => {
      const runs = await di.assessment.assessAll()
      const feedback = await di.evaluateFeedbackAll()
      return { runs: runs.map((r) => ({ providerId: r.providerId, verdict: r.verdict, drift: r.drift.map((d) => d.kind), cases: r.cases })), feedback }
    },
  }
}
