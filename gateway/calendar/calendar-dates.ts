// Plain calendar dates (`YYYY-MM-DD`, no time, no zone) as the working-day calendar uses them.
// Arithmetic runs on UTC midnights, so no DST or host time zone can shift a day; the only place
// a zone matters is turning an instant into "today in Asia/Shanghai" and back.
import { sgError } from '../../specs/lib/errors.js'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

/** Throws SG_ERR_CALENDAR_BAD_DATE unless `date` is a real calendar date in YYYY-MM-DD form. */
export function assertDate(date: string): void {
  const m = DATE.exec(date)
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw sgError('SG_ERR_CALENDAR_BAD_DATE', `not a YYYY-MM-DD calendar date: ${String(date).slice(0, 40)}`)
  }
}

export const isValidDate = (date: string): boolean => {
  try {
    assertDate(date)
    return true
  } catch {
    return false
  }
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday. */
export const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay()
export const isWeekend = (date: string): boolean => weekday(date) === 0 || weekday(date) === 6
export const yearOf = (date: string): number => Number(date.slice(0, 4))

const shanghaiDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar date in Asia/Shanghai at instant `at`. */
export const dateInShanghai = (at: Date | number = Date.now()): string => shanghaiDate.format(at)

/** The instant a date ends in Asia/Shanghai (24:00 +08:00, i.e. the next day's 00:00), epoch ms. */
export const endOfDayShanghai = (date: string): number => Date.parse(`${addDays(date, 1)}T00:00:00+08:00`)

/** The instant a date starts in Asia/Shanghai (00:00 +08:00), epoch ms. */
export const startOfDayShanghai = (date: string): number => Date.parse(`${date}T00:00:00+08:00`)
