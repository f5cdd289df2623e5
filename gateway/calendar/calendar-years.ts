// Official holiday schedules loaded by an admin, one row per year. The State Council publishes
// next year's schedule each autumn (国务院办公厅关于某年部分节假日安排的通知); until chinese-days
// ships it, an admin transcribes it here, and a loaded year replaces the package's data for that
// whole year.
import type { Kysely } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Database } from '../store/schema.js'
import { isValidDate, yearOf } from './calendar-dates.js'

export interface YearSchedule {
  year: number
  /** Days off (法定节假日及调休休息日) that fall on what would otherwise be working days, or any day off. */
  holidays: string[]
  /** Make-up working days (调休上班), usually Saturdays or Sundays. */
  workdays: string[]
  /** Where it was transcribed from, e.g. the notice's number and URL. */
  source?: string | null
}

export interface StoredYearSchedule extends YearSchedule {
  source: string | null
  loadedBy: string
  loadedAt: number
}

/** Validates and normalises (sorted, de-duplicated); throws SG_ERR_CALENDAR_BAD_SCHEDULE. */
export function normaliseSchedule(input: YearSchedule): YearSchedule {
  const bad = (why: string) => sgError('SG_ERR_CALENDAR_BAD_SCHEDULE', why, { year: input.year })
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2200) throw bad('year must be an integer between 2000 and 2200')
  const clean = (list: unknown, name: string): string[] => {
    if (!Array.isArray(list)) throw bad(`${name} must be an array of YYYY-MM-DD dates`)
    for (const d of list) {
      if (typeof d !== 'string' || !isValidDate(d)) throw bad(`${name} contains ${String(d)}, not a YYYY-MM-DD date`)
      if (yearOf(d) !== input.year) throw bad(`${name} contains ${d}, outside ${input.year}`)
    }
    return [...new Set(list as string[])].sort()
  }
  const holidays = clean(input.holidays, 'holidays')
  const workdays = clean(input.workdays, 'workdays')
  const both = holidays.filter((d) => workdays.includes(d))
  if (both.length > 0) throw bad(`${both.join(', ')} listed as both holiday and workday`)
  return { year: input.year, holidays, workdays, source: input.source ?? null }
}

export class CalendarYearRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Loads (or replaces) a year's schedule. */
  async put(schedule: YearSchedule, loadedBy: string, nowMs: number = Date.now()): Promise<StoredYearSchedule> {
    const s = normaliseSchedule(schedule)
    const row = {
      year: s.year,
      holidays: JSON.stringify(s.holidays),
      workdays: JSON.stringify(s.workdays),
      source: s.source ?? null,
      loaded_by: loadedBy,
      loaded_at: nowMs,
    }
    await this.#db
      .insertInto('calendar_years')
      .values(row)
      .onConflict((oc) => oc.column('year').doUpdateSet({ holidays: row.holidays, workdays: row.workdays, source: row.source, loaded_by: loadedBy, loaded_at: nowMs }))
      .execute()
    return { ...s, source: row.source, loadedBy, loadedAt: nowMs }
  }

  async get(year: number): Promise<StoredYearSchedule | undefined> {
    const row = await this.#db.selectFrom('calendar_years').selectAll().where('year', '=', year).executeTakeFirst()
    if (!row) return undefined
    return {
      year: row.year,
      holidays: JSON.parse(row.holidays) as string[],
      workdays: JSON.parse(row.workdays) as string[],
      source: row.source,
      loadedBy: row.loaded_by,
      loadedAt: row.loaded_at,
    }
  }

  async years(): Promise<number[]> {
    const rows = await this.#db.selectFrom('calendar_years').select('year').orderBy('year').execute()
    return rows.map((r) => r.year)
  }

  async delete(year: number): Promise<boolean> {
    const r = await this.#db.deleteFrom('calendar_years').where('year', '=', year).executeTakeFirst()
    return Number(r.numDeletedRows) === 1
  }
}
