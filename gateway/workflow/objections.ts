// R11: objections during publicity. Anyone may object, under a name and a contact (issue 16); with
// no mail or SMS here, a reviewer confirms the objector (calls back, checks the name) before the
// objection counts: the first confirmed open objection pauses the period. Unconfirmed objections
// never pause it, but publicity does not close while any is undecided; a reviewer dismisses the
// unconfirmable ones (spam) in bulk. A reviewer resolves each confirmed objection: upheld rejects
// the application, dismissed (with no other confirmed one open) resumes publicity with the working
// days that were left.
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

export interface NewObjection { text: string; name: string; contact: string }

/** The contact as a rate-limit key: case, spaces and dashes do not make a new objector. */
export const objectorKey = (contact: string): string => contact.normalize('NFKC').toLowerCase().replace(/[\s\-()（）]/g, '')

/** Anyone may object during publicity, naming themselves; the objection waits for a reviewer to confirm the objector. */
export async function fileObjection(ctx: WorkflowContext, applicationId: string, input: NewObjection): Promise<{ objectionId: string; status: 'unconfirmed'; state: ApplicationState }> {
  const actor: Actor = { role: 'public', id: 'public' }
  for (const [field, value] of Object.entries(input)) if (value.trim() === '') throw sgError('SG_ERR_VALIDATION', `the objection's ${field} is empty`)
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, undefined, true)
    // The public sees only applications under publicity; any other state reads as absent.
    if (row.state !== 'publicity' && row.state !== 'publicity-paused') throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', `${row.id} is not under publicity`)
    const id = `obj_${randomUUID()}`
    await trx.insertInto('publicity_objections').values({
      id, application_id: row.id, text: input.text.trim(), contact: input.contact.trim(), objector_name: input.name.trim(), filed_at: ctx.now(),
      confirmed_at: null, confirmed_by: null, confirmation: null, resolved_at: null, outcome: null, resolution: null, resolved_by: null,
    }).execute()
    // Name and contact are personal data: they stay in the objections table, not the audit chain.
    await appendAudit(ctx, trx, actor, 'publicity.objection-filed', row.id, { objectionId: id, confirmed: false, requirementIds: ['R11'] })
    return { objectionId: id, status: 'unconfirmed' as const, state: row.state as ApplicationState }
  })
}

/** A reviewer confirms the objector (how: `confirmation`); the first confirmed open objection pauses publicity. */
export async function confirmObjector(ctx: WorkflowContext, applicationId: string, objectionId: string, actor: Actor, confirmation: string): Promise<{ application: ApplicationView; paused: boolean }> {
  if (confirmation.trim() === '') throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'say how the objector was confirmed', { guard: 'reasons', reasons: ['give the confirmation, e.g. who was called on which day'] })
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, actor, true)
    requireState(row, ['publicity', 'publicity-paused'], 'confirming an objector')
    const done = await trx.updateTable('publicity_objections').set({ confirmed_at: ctx.now(), confirmed_by: actor.id, confirmation: confirmation.trim() })
      .where('id', '=', objectionId).where('application_id', '=', applicationId).where('resolved_at', 'is', null).where('confirmed_at', 'is', null).executeTakeFirst()
    if (Number(done.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', `${objectionId.slice(0, 80)} is not an open, unconfirmed objection of ${applicationId.slice(0, 80)}`)
    if (row.state === 'publicity-paused') {
      await appendAudit(ctx, trx, actor, 'publicity.objection-confirmed', row.id, { objectionId, requirementIds: ['R11'] })
      return { application: toView(row), paused: false }
    }
    const pausedOn = dateInShanghai(ctx.now())
    const next = await fire(ctx, row.id, 'object', actor, { reasons: ['objector confirmed', confirmation.trim()], data: { objectionId, pausedOn }, effect: async () => ({ publicity_paused_on: pausedOn }) }, trx)
    return { application: toView(next), paused: true }
  })
}

/**
 * Dismisses unconfirmed objections as spam, all or none: any id that is not an open, unconfirmed
 * objection refuses the whole call. They never paused publicity, so no state changes.
 */
export async function dismissSpam(ctx: WorkflowContext, objectionIds: readonly string[], actor: Actor, reason: string): Promise<{ dismissed: number; applications: string[] }> {
  if (reason.trim() === '') throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'give the reason for the dismissal', { guard: 'reasons', reasons: ['give a non-empty reason'] })
  const ids = [...new Set(objectionIds)]
  return ctx.store.transaction(async (trx) => {
    const rows = await trx.selectFrom('publicity_objections').select(['id', 'application_id', 'resolved_at', 'confirmed_at']).where('id', 'in', ids).execute()
    const found = new Map(rows.map((r) => [r.id, r]))
    const missing = ids.filter((id) => found.get(id)?.resolved_at !== null || !found.has(id))
    if (missing.length > 0) throw sgError('SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', `not open: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ' …' : ''}`)
    const confirmed = rows.filter((r) => r.confirmed_at !== null).map((r) => r.id)
    if (confirmed.length > 0) throw sgError('SG_ERR_WORKFLOW_OBJECTION_CONFIRMED', `confirmed: ${confirmed.slice(0, 10).join(', ')}`)
    const r = await trx.updateTable('publicity_objections').set({ resolved_at: ctx.now(), outcome: 'spam', resolution: reason.trim(), resolved_by: actor.id })
      .where('id', 'in', ids).where('resolved_at', 'is', null).where('confirmed_at', 'is', null).executeTakeFirst()
    if (Number(r.numUpdatedRows) !== ids.length) throw sgError('SG_ERR_WORKFLOW_CONCURRENT_CHANGE', 'an objection changed during the dismissal; read the list again')
    const byApplication = new Map<string, string[]>()
    for (const row of rows) byApplication.set(row.application_id, [...(byApplication.get(row.application_id) ?? []), row.id])
    for (const [applicationId, objectionIds] of byApplication) {
      await appendAudit(ctx, trx, actor, 'publicity.objections-dismissed-as-spam', applicationId, { objectionIds, reason: reason.trim(), requirementIds: ['R11'] })
    }
    return { dismissed: ids.length, applications: [...byApplication.keys()] }
  })
}

export interface ObjectionQueueItem extends ObjectionView { applicationId: string; organisation: string; objectorName: string | null; contact: string | null }

/** Open objections across applications, for reviewers (with the objector's name and contact, to confirm them). */
export async function objectionQueue(ctx: WorkflowContext, filter: { status: 'unconfirmed' | 'confirmed' | 'open' }): Promise<ObjectionQueueItem[]> {
  let q = ctx.store.db.selectFrom('publicity_objections as o').innerJoin('applications as a', 'a.id', 'o.application_id').selectAll('o').select('a.org_name')
    .where('o.resolved_at', 'is', null)
  if (filter.status !== 'open') q = q.where('o.confirmed_at', filter.status === 'confirmed' ? 'is not' : 'is', null)
  const rows = await q.orderBy('o.filed_at').orderBy('o.id').limit(1000).execute()
  return rows.map((r) => ({ ...toObjectionView(r), applicationId: r.application_id, organisation: r.org_name, objectorName: r.objector_name, contact: r.contact }))
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
  const target = await ctx.store.db.selectFrom('publicity_objections').select(['confirmed_at', 'resolved_at']).where('id', '=', objectionId).where('application_id', '=', applicationId).executeTakeFirst()
  // An objector nobody confirmed is confirmed first, or dismissed as spam; never decided on.
  if (target && target.resolved_at === null && target.confirmed_at === null) throw sgError('SG_ERR_WORKFLOW_OBJECTOR_UNCONFIRMED', objectionId.slice(0, 80))
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
      .where('id', '=', objectionId).where('application_id', '=', applicationId).where('resolved_at', 'is', null).where('confirmed_at', 'is not', null).executeTakeFirst()
    if (Number(resolved.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', objectionId.slice(0, 80))
    if (reasons.every((r) => r.trim() === '')) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'give the reasons for the resolution', { guard: 'reasons', reasons: ['give at least one non-empty reason'] })
    if (outcome === 'upheld') {
      const row = await fire(ctx, applicationId, 'uphold-objection', actor, { reasons, data: { objectionId } }, trx)
      return { application: toView(row), resumed: false }
    }
    // Only confirmed objections hold publicity paused (unconfirmed ones never paused it).
    const open = await trx.selectFrom('publicity_objections').select('id').where('application_id', '=', applicationId).where('resolved_at', 'is', null).where('confirmed_at', 'is not', null).execute()
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
