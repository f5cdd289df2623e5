// R7, R9→R10: the provider's platform against the published specification. The material review's
// pass queues a durable job (transactional outbox); the job runs the injected runner (the
// conformance library in the gateway, a real-shaped one in tests), keeps its report as a blob and
// moves the application on the verdict. A failed run may be retried on request.
import { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { ApplicationRow, Database } from '../store/schema.js'
import type { Actor } from './actor.js'
import type { ProviderKind } from './requirements-by-kind.js'
import { assertPackageForRerun, hasCheckedPackage, startConformance } from './course-package.js'
import { fire, loadApplication, requireState } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toView } from './views.js'
import type { ApplicationView } from './views.js'

export const CONFORMANCE_JOB = 'workflow.conformance'

export interface ConformanceTarget {
  applicationId: string
  providerId: string
  kind: ProviderKind
  endpointBaseUrl: string | null
  /** Self-hosted: the two sandbox tenants' credentials (decrypted for the run only). */
  sandboxTenants: { tenantId: string; token: string }[]
  /** A signing key the gateway uses to call the provider (the provider's own key, R7). */
  signingKey: { keyId: string; secret: string } | null
}

export type ConformanceVerdict = 'conformant' | 'not-conformant' | 'error'
/** What the lead wires to the conformance library (`runProbe`); tests inject a real-shaped one. */
export type ConformanceRunner = (application: ConformanceTarget) => Promise<{ report: object; verdict: ConformanceVerdict }>

export const notConfiguredRunner: ConformanceRunner = async () => ({
  verdict: 'error',
  report: { error: 'no conformance runner is configured on this gateway (app.setConformanceRunner)' },
})

export async function enqueueConformance(ctx: WorkflowContext, trx: Transaction<Database>, row: ApplicationRow): Promise<void> {
  // Keyed by the state's timestamp: asking twice while one run is pending enqueues one job.
  await ctx.queue.enqueue({ kind: CONFORMANCE_JOB, payload: { applicationId: row.id }, idempotencyKey: `${CONFORMANCE_JOB}:${row.id}:${row.updated_at}`, maxAttempts: 3 }, trx)
}

/** Enqueues a conformance run (retrying after a failed one); returns the job id. */
export async function requestConformance(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<{ application: ApplicationView; jobId: string }> {
  const result = await ctx.store.transaction(async (trx) => {
    let row = await loadApplication(ctx, trx, applicationId, actor, true)
    if (['conformance-failed', 'conformance', 'awaiting-package'].includes(row.state)) await assertPackageForRerun(trx, row)
    if (row.state === 'conformance-failed') row = await fire(ctx, applicationId, 'conformance-retry', actor, { reasons: ['conformance re-run requested'] }, trx)
    else requireState(row, ['conformance'], 'a conformance run')
    const { job } = await ctx.queue.enqueue({ kind: CONFORMANCE_JOB, payload: { applicationId: row.id }, idempotencyKey: `${CONFORMANCE_JOB}:${row.id}:${row.updated_at}`, maxAttempts: 3 }, trx)
    return { application: toView(row), jobId: job.id }
  })
  ctx.onEnqueued?.()
  return result
}

/** The conformance job: run the injected runner, store its report as a blob, move on the verdict. */
export async function runConformance(ctx: WorkflowContext, applicationId: string): Promise<{ skipped?: string; verdict?: ConformanceVerdict; reportSha256?: string }> {
  const row = await loadApplication(ctx, ctx.store.db, applicationId, undefined, false)
  if (row.state !== 'conformance') return { skipped: `application is ${row.state}` }
  if (row.kind === 'resource' && !(await hasCheckedPackage(ctx.store.db, row.provider_id))) {
    // Nothing to judge: wait for a package rather than store an error as a report (issue 18).
    await ctx.store.transaction(async (trx) => {
      const locked = await loadApplication(ctx, trx, applicationId, undefined, true)
      if (locked.state === 'conformance') await startConformance(ctx, trx, locked)
    })
    return { skipped: 'no checked course package yet; the application awaits one' }
  }
  const key = await ctx.store.db.selectFrom('provider_keys').selectAll().where('provider_id', '=', row.provider_id).where('revoked_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirst()
  const box = ctx.secrets()
  const secret = key ? box.open(key.secret_enc, key.key_id) : undefined
  const sandbox = row.sandbox_enc ? box.open(row.sandbox_enc, row.id) : undefined
  const target: ConformanceTarget = {
    applicationId: row.id,
    providerId: row.provider_id,
    kind: row.kind as ProviderKind,
    endpointBaseUrl: row.endpoint_base_url,
    sandboxTenants: sandbox ? (JSON.parse(sandbox) as ConformanceTarget['sandboxTenants']) : [],
    signingKey: key && secret ? { keyId: key.key_id, secret } : null,
  }
  const { report, verdict } = await ctx.runner(target)
  const put = await ctx.blobs.put(Readable.from([Buffer.from(JSON.stringify(report), 'utf8')]))
  const event = verdict === 'conformant' ? 'conformance-pass' : 'conformance-fail'
  try {
    await fire(ctx, row.id, event, { role: 'system', id: `system:${CONFORMANCE_JOB}` }, {
      reasons: [`conformance verdict: ${verdict}`],
      data: { verdict, reportSha256: put.sha256 },
      effect: async () => ({ conformance_report_sha256: put.sha256, conformance_verdict: verdict }),
    })
  } catch (err) {
    // Withdrawn (or otherwise moved) while the probe ran: the report is kept, the state is not touched.
    if ((err as { code?: string }).code === 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION' || (err as { code?: string }).code === 'SG_ERR_WORKFLOW_CONCURRENT_CHANGE') return { skipped: 'state changed during the run', verdict, reportSha256: put.sha256 }
    throw err
  }
  return { verdict, reportSha256: put.sha256 }
}

/**
 * The conformance job died (its last attempt failed, or the worker died during it): the run ends as
 * 'error' with a report naming the root cause, and the application moves to conformance-failed,
 * from which the provider or a reviewer may ask for a new run. Runs inside the queue's transaction.
 */
export async function settleDeadConformance(ctx: WorkflowContext, applicationId: string, reason: string, trx: Transaction<Database>): Promise<void> {
  const row = await trx.selectFrom('applications').select(['id', 'state']).where('id', '=', applicationId).executeTakeFirst()
  if (row?.state !== 'conformance') return
  // Another run of this application is still pending (asked for again meanwhile): it decides.
  const pending = await trx.selectFrom('jobs').select('id').where('kind', '=', CONFORMANCE_JOB).where('payload', '=', JSON.stringify({ applicationId }))
    .where('status', 'in', ['queued', 'running']).executeTakeFirst()
  if (pending) return
  const report = { verdict: 'error', error: { code: 'SG_ERR_JOB_DIED', message: reason }, note: 'the conformance run did not finish; nothing about the platform was verified' }
  const put = await ctx.blobs.put(Readable.from([Buffer.from(JSON.stringify(report), 'utf8')]))
  await fire(ctx, applicationId, 'conformance-fail', { role: 'system', id: `system:${CONFORMANCE_JOB}` }, {
    reasons: [reason],
    data: { verdict: 'error', reportSha256: put.sha256 },
    effect: async () => ({ conformance_report_sha256: put.sha256, conformance_verdict: 'error' }),
  }, trx)
}

export async function conformanceReport(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<Readable> {
  const row = await loadApplication(ctx, ctx.store.db, applicationId, actor, false)
  if (!row.conformance_report_sha256) throw sgError('SG_ERR_NOT_FOUND', 'no conformance report yet')
  return ctx.blobs.get(row.conformance_report_sha256)
}
