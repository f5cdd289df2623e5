// The data interface's durable jobs. Schedules only enqueue: one fan-out job per tick (idempotent
// key per tick, so N instances enqueue it once), which enqueues one job per provider keyed by
// provider and tick; the Worker runs them. A transient sync failure throws so the queue retries it
// with its back-off; lying data does not (PermanentJobError), the circuit breaker counts both.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import { PermanentJobError } from '../jobs/job-queue.js'
import type { JobQueue } from '../jobs/job-queue.js'
import type { Database } from '../store/schema.js'
import { isOperatingApiProvider } from './provider-directory.js'
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

/**
 * Dead jobs finish their subject (issue 16): a provider's catalogue sync, or the records pull, whose
 * job died (last attempt failed, or its worker died during it) is recorded as a failed run with the
 * reason (SG_ERR_JOB_DIED), and the provider's sync state names it. The circuit breaker is left
 * alone: a gateway that died is no evidence against the provider. The next scheduled tick (or an
 * admin's run) syncs again. Register on the queue the data Worker claims with.
 */
export function registerDataDeadHooks(di: DataInterface, queue: JobQueue, now: () => number = Date.now): void {
  queue.onDead(SYNC_PROVIDER_JOB, async (job, reason, trx) => {
    await recordDeadRun(trx, 'catalogue', [(job.payload as { providerId: string }).providerId], reason, job.createdAt, now())
  })
  queue.onDead(PULL_RECORDS_JOB, async (job, reason, trx) => {
    const providers = (await di.directory.admitted({}, trx)).filter(isOperatingApiProvider).map((p) => p.providerId)
    await recordDeadRun(trx, 'records', providers, reason, job.createdAt, now())
  })
}

async function recordDeadRun(trx: Transaction<Database>, kind: 'catalogue' | 'records', providerIds: string[], reason: string, startedAt: number, at: number): Promise<void> {
  const lastError = `${kind === 'records' ? 'records pull' : 'catalogue sync'}: ${reason}`.slice(0, 2000)
  for (const providerId of providerIds) {
    await trx.insertInto('sync_runs').values({
      id: `${kind === 'records' ? 'pul' : 'syn'}_${randomUUID()}`, provider_id: providerId, started_at: startedAt, finished_at: at, kind,
      outcome: 'failed', pages: 0, upserted: 0, removed: 0, bytes: 0, error_code: 'SG_ERR_JOB_DIED', error_detail: reason.slice(0, 1000),
    }).execute()
    await trx.insertInto('sync_state').values({ provider_id: providerId, updated_since: null, records_since: null, circuit: 'closed', consecutive_failures: 0, opened_at: null, last_attempt_at: at, last_success_at: null, last_error: lastError })
      .onConflict((oc) => oc.column('provider_id').doUpdateSet({ last_attempt_at: at, last_error: lastError })).execute()
  }
}
