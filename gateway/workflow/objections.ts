// R11: objections during publicity. Anyone may object; the first open objection pauses the period.
// A reviewer resolves each: upheld rejects the application, dismissed (with none other open)
// resumes publicity with the working days that were left.
import { randomUUID } from 'node:crypto'
import { sgError } from '../../specs/lib/errors.js'
import { addDays, dateInShanghai } from '../calendar/calendar-dates.js'
import type { WorkingPeriod } from '../calendar/working-day-calendar.js'
import type { Actor } from './actor.js'
import { countWorkingDays } from './publicity.js'
import type { ApplicationState } from './state-machine.js'
import { appendAudit, fire, loadApplication, requireState } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toObjectionView, toView } from './views.js'
import type { ApplicationView, ObjectionView } from './views.js'

/** Anyone may object during publicity; the first open objection pauses the period. */
export async function fileObjection(ctx: WorkflowContext, applicationId: string, input: { text: string; contact?: string }): Promise<{ objectionId: string; state: ApplicationState }> {
  const actor: Actor = { role: 'public', id: 'public' }
  if (input.text.trim() === '') throw sgError('SG_ERR_VALIDATION', 'the objection text is empty')
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, undefined, true)
    // The public sees only applications under publicity; any other state reads as absent.
    if (row.state !== 'publicity' && row.state !== 'publicity-paused') throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', `${row.id} is not under publicity`)
    const id = `obj_${randomUUID()}`
    const insert = () => trx.insertInto('publicity_objections').values({ id, application_id: row.id, text: input.text, contact: input.contact ?? null, filed_at: ctx.now(), resolved_at: null, outcome: null, resolution: null, resolved_by: null }).execute()
    if (row.state === 'publicity-paused') {
      await insert()
      await appendAudit(ctx, trx, actor, 'publicity.objection-filed', row.id, { objectionId: id, requirementIds: ['R11'] })
      return { objectionId: id, state: 'publicity-paused' as const }
    }
    const pausedOn = dateInShanghai(ctx.now())
    // Contact details are personal data: they stay in the objections table, not the audit chain.
    await fire(ctx, row.id, 'object', actor, { reasons: ['objection filed'], data: { objectionId: id, pausedOn }, effect: async () => {
      await insert()
      return { publicity_paused_on: pausedOn }
    } }, trx)
    return { objectionId: id, state: 'publicity-paused' as const }
  })
}

export async function objections(ctx: WorkflowContext, applicationId: string): Promise<ObjectionView[]> {
  const rows = await ctx.store.db.selectFrom('publicity_objections').selectAll().where('application_id', '=', applicationId).orderBy('filed_at').orderBy('id').execute()
  return rows.map(toObjectionView)
}

/**
 * A reviewer resolves an objection. Upheld: the application is rejected. Dismissed, and none
 * other open: publicity resumes, and the remaining working days (from the day it was paused,
 * which did not count) run again from the day after the resumption, so the end moves by the
 * number of working days from the pause to the resumption, both inclusive.
 */
export async function resolveObjection(ctx: WorkflowContext, applicationId: string, objectionId: string, actor: Actor, outcome: 'dismissed' | 'upheld', reasons: string[]): Promise<{ application: ApplicationView; resumed: boolean; extendedBy?: number; period?: WorkingPeriod }> {
  const before = await loadApplication(ctx, ctx.store.db, applicationId, actor, false)
  requireState(before, ['publicity-paused'], 'resolving an objection')
  let resume: WorkingPeriod | undefined
  let extendedBy = 0
  if (outcome === 'dismissed' && before.publicity_paused_on && before.publicity_start_date && before.publicity_end_date) {
    const today = dateInShanghai(ctx.now())
    const remaining = await countWorkingDays(ctx, before.publicity_paused_on, before.publicity_end_date)
    extendedBy = await countWorkingDays(ctx, before.publicity_paused_on, today)
    resume = await ctx.calendar.addWorkingDays(addDays(today, 1), Math.max(1, remaining))
  }
  return ctx.store.transaction(async (trx) => {
    const resolved = await trx.updateTable('publicity_objections')
      .set({ resolved_at: ctx.now(), outcome, resolution: reasons.join('\n'), resolved_by: actor.id })
      .where('id', '=', objectionId).where('application_id', '=', applicationId).where('resolved_at', 'is', null).executeTakeFirst()
    if (Number(resolved.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', objectionId.slice(0, 80))
    if (reasons.every((r) => r.trim() === '')) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'give the reasons for the resolution', { guard: 'reasons', reasons: ['give at least one non-empty reason'] })
    if (outcome === 'upheld') {
      const row = await fire(ctx, applicationId, 'uphold-objection', actor, { reasons, data: { objectionId } }, trx)
      return { application: toView(row), resumed: false }
    }
    const open = await trx.selectFrom('publicity_objections').select('id').where('application_id', '=', applicationId).where('resolved_at', 'is', null).execute()
    if (open.length > 0 || !resume) {
      await appendAudit(ctx, trx, actor, 'publicity.objection-dismissed', applicationId, { objectionId, reasons, stillOpen: open.length, requirementIds: ['R11'] })
      return { application: toView(await loadApplication(ctx, trx, applicationId, actor, false)), resumed: false }
    }
    const period = resume
    const row = await fire(ctx, applicationId, 'resume-publicity', actor, {
      reasons,
      data: { objectionId, pausedOn: before.publicity_paused_on, newEndDate: period.endDate, extendedByWorkingDays: extendedBy },
      effect: async () => ({ publicity_end_date: period.endDate, publicity_ends_at: period.endsAt, publicity_paused_on: null }),
    }, trx)
    return { application: toView(row), resumed: true, extendedBy, period }
  })
}
