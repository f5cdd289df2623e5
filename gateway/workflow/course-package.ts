// R7, R13 (issue 18): a course-resource (数字课程资源) provider joins by upload, so its conformance
// step judges its newest checked course package. After material review its workflow waits for one
// (state awaiting-package) instead of running conformance on nothing; the ingest job's final
// transaction calls `packageChecked`, which moves the application on and queues the run in that
// same transaction. Conformance is never run, or re-run, without a checked package.
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import type { ApplicationRow, Database } from '../store/schema.js'
import { enqueueConformance } from './conformance.js'
import { fire } from './transition.js'
import type { WorkflowContext } from './transition.js'

const SYSTEM = { role: 'system' as const, id: 'system:course-package' }

export async function hasCheckedPackage(db: Transaction<Database> | Store['db'], providerId: string): Promise<boolean> {
  const row = await db.selectFrom('packages').select('id').where('provider_id', '=', providerId).where('status', '=', 'checked').where('report_sha256', 'is not', null).limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * After a transition into `conformance`: queue the run, or, for a resource provider with no checked
 * package yet, wait for one (await-package). Returns the row as it now stands.
 */
export async function startConformance(ctx: WorkflowContext, trx: Transaction<Database>, row: ApplicationRow): Promise<ApplicationRow> {
  if (row.kind === 'resource' && !(await hasCheckedPackage(trx, row.provider_id))) {
    return fire(ctx, row.id, 'await-package', SYSTEM, { reasons: ['no checked course package yet: upload one with a signed POST /api/v1/packages; conformance starts when its check finishes'] }, trx)
  }
  await enqueueConformance(ctx, trx, row)
  return row
}

/** Called in the ingest job's final transaction when a provider's package is checked. */
export async function packageChecked(ctx: WorkflowContext, trx: Transaction<Database>, providerId: string, packageId: string): Promise<string | undefined> {
  const waiting = await trx.selectFrom('applications').select('id').where('provider_id', '=', providerId)
    .where('kind', '=', 'resource').where('state', '=', 'awaiting-package').executeTakeFirst()
  if (!waiting) return undefined
  const row = await fire(ctx, waiting.id, 'package-checked', SYSTEM, { reasons: [`course package ${packageId} checked`], data: { packageId } }, trx)
  await enqueueConformance(ctx, trx, row)
  return row.id
}

/** A conformance re-run of a resource provider needs a checked package (409 otherwise, not a run on nothing). */
export async function assertPackageForRerun(trx: Transaction<Database>, row: ApplicationRow): Promise<void> {
  if (row.kind !== 'resource' || await hasCheckedPackage(trx, row.provider_id)) return
  throw sgError('SG_ERR_PACKAGE_NONE_CHECKED', `provider ${row.provider_id} has no checked course package`, { state: row.state })
}
