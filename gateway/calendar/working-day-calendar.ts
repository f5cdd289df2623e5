// Chinese working-day calendar for the shortlist publicity period (R11: 公示 5 个工作日).
//
// A date is a working day when it is a make-up working day (调休上班), or when it is Monday–Friday
// and not a public holiday. Holiday data per year comes from, in order: a schedule an admin loaded
// into calendar_years; the chinese-days package; otherwise the plain weekday rule WITH A WARNING,
// because an unpublished year (chinese-days has data through 2026) would make 1 January read as a
// working day.
//
// Counting convention for addWorkingDays(start, n): the period covers n working days beginning
// with the first working day on or after `start` (a start on a holiday or weekend waits for the
// next working day), and ends at the end (24:00 Asia/Shanghai) of the n-th. So n = 1 starting on a
// working day ends that same evening; a publicity posted on Friday 2026-09-18 runs 18, 20 (Sunday
// make-up day), 21, 22, 23 September.
import { createRequire } from 'node:module'
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import { addDays, assertDate, endOfDayShanghai, isWeekend, yearOf } from './calendar-dates.js'
import { CalendarYearRepository } from './calendar-years.js'

export interface CalendarWarning {
  code: 'SG_WARN_CALENDAR_NO_DATA'
  year: number
  message: string
  messageZh: string
}

export type DaySource = 'admin' | 'package' | 'weekday-rule'

export interface DayInfo {
  date: string
  working: boolean
  source: DaySource
}

export interface WorkingPeriod {
  /** The first working day on or after the requested start. */
  startDate: string
  /** The n-th working day; the period ends at its 24:00 Asia/Shanghai. */
  endDate: string
  /** endDate's 24:00 in Asia/Shanghai, epoch ms. */
  endsAt: number
  workingDays: string[]
  warnings: CalendarWarning[]
}

interface YearData {
  holidays: ReadonlySet<string>
  workdays: ReadonlySet<string>
  source: DaySource
}

interface ChineseDaysJson {
  holidays: Record<string, string>
  workdays: Record<string, string>
}

// The package's data file is its single source; the functions around it cannot say which years it covers.
const packageData = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysJson
const packageYears: ReadonlyMap<number, YearData> = (() => {
  const byYear = new Map<number, { holidays: Set<string>; workdays: Set<string> }>()
  const slot = (y: number) => byYear.get(y) ?? byYear.set(y, { holidays: new Set(), workdays: new Set() }).get(y)!
  for (const d of Object.keys(packageData.holidays)) slot(yearOf(d)).holidays.add(d)
  for (const d of Object.keys(packageData.workdays)) slot(yearOf(d)).workdays.add(d)
  return new Map([...byYear].map(([y, v]) => [y, { ...v, source: 'package' as const }]))
})()

/** Years the bundled chinese-days data covers. */
export const packageCoveredYears = (): number[] => [...packageYears.keys()].sort((a, b) => a - b)

// A pathological schedule (every day a holiday) must not spin forever.
const MAX_SCAN_DAYS = 3 * 366

export class WorkingDayCalendar {
  readonly years: CalendarYearRepository

  constructor(store: Store) {
    this.years = new CalendarYearRepository(store.db)
  }

  /** Whether `date` is a working day, and which data decided it. */
  async dayInfo(date: string): Promise<DayInfo & { warnings: CalendarWarning[] }> {
    assertDate(date)
    const data = await this.#yearData(yearOf(date))
    const warnings = data ? [] : [noDataWarning(yearOf(date))]
    return { ...classify(date, data), warnings }
  }

  /** The period of `n` working days starting on or after `startDate` (see the convention above). */
  async addWorkingDays(startDate: string, n: number): Promise<WorkingPeriod> {
    assertDate(startDate)
    if (!Number.isInteger(n) || n < 1) throw sgError('SG_ERR_CALENDAR_BAD_DATE', `working-day count must be a positive integer, got ${n}`)
    const cache = new Map<number, YearData | undefined>()
    const warnings = new Map<number, CalendarWarning>()
    const workingDays: string[] = []
    let date = startDate
    for (let scanned = 0; workingDays.length < n; scanned++, date = addDays(date, 1)) {
      if (scanned > MAX_SCAN_DAYS) throw sgError('SG_ERR_CALENDAR_BAD_SCHEDULE', `no ${n} working days within ${MAX_SCAN_DAYS} days of ${startDate}`)
      const year = yearOf(date)
      if (!cache.has(year)) cache.set(year, await this.#yearData(year))
      const data = cache.get(year)
      if (!data && !warnings.has(year)) warnings.set(year, noDataWarning(year))
      if (classify(date, data).working) workingDays.push(date)
    }
    const endDate = workingDays[workingDays.length - 1]!
    return { startDate: workingDays[0]!, endDate, endsAt: endOfDayShanghai(endDate), workingDays, warnings: [...warnings.values()] }
  }

  async #yearData(year: number): Promise<YearData | undefined> {
    const loaded = await this.years.get(year)
    if (loaded) return { holidays: new Set(loaded.holidays), workdays: new Set(loaded.workdays), source: 'admin' }
    return packageYears.get(year)
  }
}

function classify(date: string, data: YearData | undefined): DayInfo {
  if (!data) return { date, working: !isWeekend(date), source: 'weekday-rule' }
  const working = data.workdays.has(date) || (!data.holidays.has(date) && !isWeekend(date))
  return { date, working, source: data.source }
}

function noDataWarning(year: number): CalendarWarning {
  return {
    code: 'SG_WARN_CALENDAR_NO_DATA',
    year,
    message: `No official holiday schedule for ${year}: its days were counted Monday–Friday only. Load the State Council's ${year} schedule (calendar_years) and recompute.`,
    messageZh: `缺少 ${year} 年官方节假日安排，该年按周一至周五计算工作日。请录入国务院办公厅公布的 ${year} 年节假日安排后重新计算。`,
  }
}
