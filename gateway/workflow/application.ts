// R8–R9: the application and its provider account are created together (the token and signing
// secret are returned once), submitted through the automated completeness check, and reviewed on
// their materials; a pass queues the conformance run in the same transaction. Withdrawal is here
// too: it is the applicant's to make from any state that allows it.
import { randomBytes, randomUUID } from 'node:crypto'
import { sgError } from '../../specs/lib/errors.js'
import { validateUscc } from '../../specs/lib/uscc.js'
import { ApiTokenRepository } from '../store/api-tokens.js'
import type { Actor } from './actor.js'
import { startConformance } from './course-package.js'
import type { StoredForm } from './guards.js'
import { PROVIDER_KINDS } from './requirements-by-kind.js'
import type { ProviderKind } from './requirements-by-kind.js'
import { appendAudit, fire, loadApplication } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toView } from './views.js'
import type { ApplicationView } from './views.js'

export interface NewApplicationInput {
  kind: ProviderKind
  organisation: { name: string; uscc: string }
  contact: { name: string; phone: string; email: string }
  declarations: { noDishonestyRecord: boolean; personTimesServed?: number }
  serviceTeam?: { phone: string; email?: string; hours?: string }
  endpointBaseUrl?: string
  sandboxTenants?: { tenantId: string; token: string }[]
}

/** Creates the provider account and its draft application; the token and secret are returned once. */
export async function createApplication(ctx: WorkflowContext, input: NewApplicationInput): Promise<{ application: ApplicationView; provider: { providerId: string; token: string; keyId: string; secret: string } }> {
  if (!PROVIDER_KINDS.includes(input.kind)) throw sgError('SG_ERR_VALIDATION', `kind must be one of ${PROVIDER_KINDS.join(', ')}`)
  const uscc = validateUscc(input.organisation.uscc) // R5-0
  if (!uscc.ok) throw sgError('SG_ERR_WORKFLOW_INVALID_USCC', uscc.reason, { uscc: input.organisation.uscc })
  const providerId = `prv_${randomUUID()}`
  const applicationId = `app_${randomUUID()}`
  const keyId = `sgk_${randomBytes(12).toString('base64url')}`
  const secret = randomBytes(32).toString('base64url')
  const now = ctx.now()
  const form: StoredForm = {
    contact: input.contact,
    declarations: input.declarations,
    ...(input.serviceTeam ? { serviceTeam: input.serviceTeam } : {}),
    ...(input.sandboxTenants ? { sandboxTenantIds: input.sandboxTenants.map((s) => s.tenantId) } : {}),
  }
  const box = ctx.secrets()
  const token = await ctx.store.transaction(async (trx) => {
    await trx.insertInto('applications').values({
      id: applicationId,
      provider_id: providerId,
      kind: input.kind,
      state: 'draft',
      org_name: input.organisation.name,
      uscc: input.organisation.uscc,
      form: JSON.stringify(form),
      endpoint_base_url: input.endpointBaseUrl ?? null,
      sandbox_enc: input.sandboxTenants ? box.seal(JSON.stringify(input.sandboxTenants), applicationId) : null,
      conformance_report_sha256: null, conformance_verdict: null, roadshow_decision: null,
      publicity_start_date: null, publicity_end_date: null, publicity_ends_at: null, publicity_paused_on: null,
      commitment_letter_sha256: null, title: null,
      created_at: now, updated_at: now,
    }).execute()
    await trx.insertInto('provider_keys').values({ key_id: keyId, provider_id: providerId, secret_enc: box.seal(secret, keyId), created_at: now, revoked_at: null }).execute()
    const created = await new ApiTokenRepository(trx).create({ role: 'provider', providerId, label: `provider ${input.organisation.name}` }, now)
    await appendAudit(ctx, trx, { role: 'public', id: `provider:${providerId}` }, 'application.created', applicationId, { kind: input.kind, providerId, keyId, state: 'draft', requirementIds: ['R8', 'R5-0'] })
    return created.token
  })
  const row = await loadApplication(ctx, ctx.store.db, applicationId, undefined, false)
  return { application: toView(row), provider: { providerId, token, keyId, secret } }
}

/** The provider key resolver for the auth plugin (revoked keys resolve to nothing). */
export async function resolveProviderKey(ctx: WorkflowContext, keyId: string): Promise<{ secret: string; providerId: string } | undefined> {
  const row = await ctx.store.db.selectFrom('provider_keys').selectAll().where('key_id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst()
  if (!row) return undefined
  const secret = ctx.secrets().open(row.secret_enc, row.key_id)
  return secret === undefined ? undefined : { secret, providerId: row.provider_id }
}

/** R9: submit; the completeness guard runs in `fire`, and a complete application goes straight to review. */
export async function submit(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<ApplicationView> {
  return ctx.store.transaction(async (trx) => {
    await fire(ctx, applicationId, 'submit', actor, {}, trx)
    // The completeness guard passed, so the application goes straight to the reviewers' queue.
    return toView(await fire(ctx, applicationId, 'queue-for-review', { role: 'system', id: 'system:completeness-check' }, { reasons: ['automated completeness check passed'] }, trx))
  })
}

export async function materialReview(ctx: WorkflowContext, applicationId: string, actor: Actor, decision: 'pass' | 'reject', reasons: string[]): Promise<ApplicationView> {
  if (decision === 'reject') return toView(await fire(ctx, applicationId, 'material-reject', actor, { reasons }))
  const view = await ctx.store.transaction(async (trx) => {
    const row = await fire(ctx, applicationId, 'material-pass', actor, { reasons }, trx)
    // Transactional outbox: the conformance run is queued if and only if the review commits; a
    // course-resource provider without a checked package waits for one first (course-package.ts).
    return toView(await startConformance(ctx, trx, row))
  })
  ctx.onEnqueued?.()
  return view
}

export async function withdraw(ctx: WorkflowContext, applicationId: string, actor: Actor, reasons: string[]): Promise<ApplicationView> {
  return toView(await fire(ctx, applicationId, 'withdraw', actor, { reasons }))
}
