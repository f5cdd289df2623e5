// R11: publicity. A recommended provider is shown to the public for PUBLICITY_WORKING_DAYS Chinese
// working days (the calendar knows the holidays and the make-up working days); a scheduled job
// moves every period that has ended without an open objection on to commitment (R12). Objections,
// which pause and resume the period, are in objections.ts.
import { sgError } from '../../specs/lib/errors.js'
import { addDays, dateInShanghai } from '../calendar/calendar-dates.js'
import type { CalendarWarning, WorkingPeriod } from '../calendar/working-day-calendar.js'
import type { Actor } from './actor.js'
import { ADMISSION_TITLES } from './requirements-by-kind.js'
import type { ProviderKind } from './requirements-by-kind.js'
import type { ApplicationState } from './state-machine.js'
import { fire } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toView } from './views.js'
import type { ApplicationView } from './views.js'

/** R11: publicity lasts this many Chinese working days. */
export const PUBLICITY_WORKING_DAYS = 5
export const CLOSE_PUBLICITY_JOB = 'workflow.close-publicity'

export async function startPublicity(ctx: WorkflowContext, applicationId: string, actor: Actor, startDate?: string): Promise<{ application: ApplicationView; period: WorkingPeriod; warnings: CalendarWarning[] }> {
  // R11: the public sees the shortlist for five working days from now on; a period that began in
  // the past would shorten what the public actually saw, so it cannot be backdated.
  const today = dateInShanghai(ctx.now())
  if (startDate !== undefined && startDate < today) {
    throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', `publicity cannot start on ${startDate}, before today (${today}) in Asia/Shanghai`)
  }
  // The calendar reads through store.db, which must not run inside a SQLite transaction.
  const period = await ctx.calendar.addWorkingDays(startDate ?? today, PUBLICITY_WORKING_DAYS)
  const row = await fire(ctx, applicationId, 'start-publicity', actor, {
    reasons: [`publicity ${period.startDate} – ${period.endDate} (${PUBLICITY_WORKING_DAYS} working days)`],
    data: { startDate: period.startDate, endDate: period.endDate, warnings: period.warnings.map((w) => w.code) },
    effect: async () => ({ publicity_start_date: period.startDate, publicity_end_date: period.endDate, publicity_ends_at: period.endsAt, publicity_paused_on: null }),
  })
  return { application: toView(row), period, warnings: period.warnings }
}

/** Working days in [from, to], both inclusive (0 when to < from). */
export async function countWorkingDays(ctx: WorkflowContext, from: string, to: string): Promise<number> {
  let n = 0
  for (let d = from, i = 0; d <= to && i < 800; d = addDays(d, 1), i++) if ((await ctx.calendar.dayInfo(d)).working) n++
  return n
}

/** The scheduled job: every publicity period that has ended (with no open objection) moves to commitment. */
export async function closeDuePublicity(ctx: WorkflowContext): Promise<{ closed: string[] }> {
  const due = await ctx.store.db.selectFrom('applications').select('id').where('state', '=', 'publicity').where('publicity_ends_at', '<=', ctx.now()).orderBy('publicity_ends_at').execute()
  const closed: string[] = []
  for (const { id } of due) {
    try {
      await fire(ctx, id, 'close-publicity', { role: 'system', id: `system:${CLOSE_PUBLICITY_JOB}` }, { reasons: ['publicity period over without an open objection'] })
      closed.push(id)
    } catch (err) {
      // Another instance closed it, or an objection arrived in between: both are fine.
      const code = (err as { code?: string }).code
      if (code !== 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION' && code !== 'SG_ERR_WORKFLOW_CONCURRENT_CHANGE' && code !== 'SG_ERR_WORKFLOW_GUARD_FAILED') throw err
    }
  }
  return { closed }
}

export interface PublicityEntry { applicationId: string; organisation: string; uscc: string; kind: ProviderKind; titleZh: string; state: ApplicationState; startDate: string; endDate: string }

/** Providers under (or paused in) publicity, for the public page. */
export async function publicityList(ctx: WorkflowContext): Promise<PublicityEntry[]> {
  const rows = await ctx.store.db.selectFrom('applications').selectAll().where('state', 'in', ['publicity', 'publicity-paused']).orderBy('publicity_start_date').orderBy('id').execute()
  return rows.map((r) => ({
    applicationId: r.id, organisation: r.org_name, uscc: r.uscc, kind: r.kind as ProviderKind, titleZh: ADMISSION_TITLES[r.kind as ProviderKind],
    state: r.state as ApplicationState, startDate: r.publicity_start_date ?? '', endDate: r.publicity_end_date ?? '',
  }))
}
