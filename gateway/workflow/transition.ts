// The core every admission stage shares (R6–R12). A state change happens only in `fire`: plan
// (state machine) → effect (the change's own writes) → guards → conditional UPDATE (state still
// `from`) → audit append, all in one transaction, so the application's state and its hash-chained
// audit trail never disagree. The stage modules (application, documents, conformance, roadshow,
// publicity, objections, commitment) call `fire` and the helpers below; none updates `state` itself.
import type { Transaction, Updateable } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.js'
import type { JobQueue } from '../jobs/job-queue.js'
import type { Store } from '../store/open-store.js'
import type { ApplicationRow, ApplicationsTable, Database } from '../store/schema.js'
import type { Actor } from './actor.js'
import type { ConformanceRunner } from './conformance.js'
import { runGuards } from './guards.js'
import type { SecretBox } from './secret-box.js'
import { allowedEvents, planTransition } from './state-machine.js'
import type { ApplicationState } from './state-machine.js'

/** What every stage works with; the Workflow facade owns one and passes it to each stage function. */
export interface WorkflowContext {
  readonly store: Store
  readonly audit: AuditLog
  readonly calendar: WorkingDayCalendar
  readonly queue: JobQueue
  readonly blobs: BlobStore
  readonly secrets: () => SecretBox
  /** Replaceable: tests and the demo move time (publicity periods) without waiting days. */
  now: () => number
  /** Replaceable: the conformance library entry point. */
  runner: ConformanceRunner
  /** Called after a commit that enqueued a job, so an in-process worker can pick it up at once. */
  readonly onEnqueued?: (() => void) | undefined
}

export type ApplicationPatch = Updateable<ApplicationsTable>

export interface FireOptions {
  reasons?: readonly string[]
  /** Extra audit data (never secrets or personal data). */
  data?: Record<string, unknown>
  /** The change's own writes, run in the transaction before the guards; returns column changes. */
  effect?: (trx: Transaction<Database>, row: ApplicationRow) => Promise<ApplicationPatch | void>
}

/** The one place a state changes. */
export async function fire(ctx: WorkflowContext, applicationId: string, event: string, actor: Actor, opts: FireOptions = {}, outer?: Transaction<Database>): Promise<ApplicationRow> {
  const run = async (trx: Transaction<Database>): Promise<ApplicationRow> => {
    const row = await loadApplication(ctx, trx, applicationId, actor, true)
    const from = row.state as ApplicationState
    const transition = planTransition(from, event, actor.role)
    const now = ctx.now()
    const patch = (await opts.effect?.(trx, row)) ?? {}
    const next: ApplicationRow = { ...row, ...patch, state: transition.to, updated_at: now } as ApplicationRow
    await runGuards(transition.guards, { trx, row: next, reasons: opts.reasons ?? [], now })
    const updated = await trx.updateTable('applications').set({ ...patch, state: transition.to, updated_at: now })
      .where('id', '=', row.id).where('state', '=', from).executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_CONCURRENT_CHANGE', `application ${row.id} left state ${from}`)
    await ctx.audit.append({
      actor: actor.id,
      action: `workflow.${event}`,
      subjectType: 'application',
      subjectId: row.id,
      at: now,
      data: { event, from, to: transition.to, reasons: opts.reasons ?? [], requirementIds: transition.requirementIds, ...opts.data },
    }, trx)
    return next
  }
  return outer ? run(outer) : ctx.store.transaction(run)
}

/** Loads an application, scoped to the provider for provider actors (another's id reads as absent: no IDOR). */
export async function loadApplication(ctx: WorkflowContext, trx: Transaction<Database> | Store['db'], id: string, actor: Actor | undefined, lock: boolean): Promise<ApplicationRow> {
  let q = trx.selectFrom('applications').selectAll().where('id', '=', id)
  if (actor?.role === 'provider') q = q.where('provider_id', '=', actor.providerId ?? '\u0000')
  if (lock && ctx.store.dialect === 'postgres') q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (!row) throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', id.slice(0, 80))
  return row
}

/** Same 409 as an illegal transition, for actions that are allowed only in some states. */
export function requireState(row: ApplicationRow, states: readonly ApplicationState[], action: string): void {
  if (states.includes(row.state as ApplicationState)) return
  const allowed = allowedEvents(row.state as ApplicationState)
  throw sgError('SG_ERR_WORKFLOW_ILLEGAL_TRANSITION', `${action} needs state ${states.join(' or ')}; the application is ${row.state}; allowed events: ${allowed.join(', ') || 'none (final state)'}`, { state: row.state, action, allowedEvents: allowed })
}

/** An audit entry for a change that is not a state change (a score, a document, a dismissed objection). */
export async function appendAudit(ctx: WorkflowContext, trx: Transaction<Database>, actor: Actor, action: string, applicationId: string, data: Record<string, unknown>): Promise<void> {
  await ctx.audit.append({ actor: actor.id, action, subjectType: 'application', subjectId: applicationId, at: ctx.now(), data }, trx)
}
