// R11: shortlist publicity lasts 5 working days. Expected dates are worked out by hand from the
// State Council's 2026 schedule (国办发明电〔2025〕7号):
//   Spring Festival: 15–23 Feb off (Sun–Mon); 14 Feb (Sat) and 28 Feb (Sat) are working days.
//   Mid-Autumn: 25–27 Sep off. National Day: 1–7 Oct off (Thu–Wed); 20 Sep (Sun) and 10 Oct (Sat)
//   are working days. 8 Oct 2026 is an ordinary Thursday (unlike 2025, whose holiday ran to 8 Oct).
import t from 'tap'
import { forEachEngine } from '../store/engines.test-support.js'
import { dateInShanghai, endOfDayShanghai } from './calendar-dates.js'
import { packageCoveredYears, WorkingDayCalendar } from './working-day-calendar.js'

const cases: Array<{ name: string; start: string; n: number; days: string[] }> = [
  { name: 'R11 National Day: starts the day before the holiday', start: '2026-09-30', n: 5, days: ['2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12'] },
  { name: 'R11 National Day: posted on a holiday waits for 8 Oct', start: '2026-10-01', n: 5, days: ['2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12', '2026-10-13'] },
  { name: 'R11 make-up Sunday 20 Sep counts, Saturday 19 Sep does not', start: '2026-09-18', n: 5, days: ['2026-09-18', '2026-09-20', '2026-09-21', '2026-09-22', '2026-09-23'] },
  { name: 'R11 spans Mid-Autumn and National Day', start: '2026-09-24', n: 5, days: ['2026-09-24', '2026-09-28', '2026-09-29', '2026-09-30', '2026-10-08'] },
  { name: 'R11 Spring Festival: make-up Saturday 14 Feb counts', start: '2026-02-12', n: 5, days: ['2026-02-12', '2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25'] },
  { name: 'R11 Spring Festival: posted on the first holiday', start: '2026-02-15', n: 5, days: ['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28'] },
  { name: 'R11 Spring Festival: make-up Saturday 28 Feb counts, Sunday 1 Mar does not', start: '2026-02-25', n: 5, days: ['2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-02'] },
  { name: 'one working day starting on a working day ends that day', start: '2026-09-30', n: 1, days: ['2026-09-30'] },
]

t.test('plain-date helpers', async (t) => {
  t.equal(dateInShanghai(Date.parse('2026-09-30T16:30:00Z')), '2026-10-01', '00:30 in Beijing is already 1 October')
  t.equal(endOfDayShanghai('2026-10-12'), Date.parse('2026-10-12T16:00:00Z'))
  t.ok(packageCoveredYears().includes(2026))
  t.notOk(packageCoveredYears().includes(2027), 'chinese-days has no 2027 data (if this fails, the package was updated: revisit the 2027 tests)')
})

forEachEngine(t, async (t, store) => {
  const calendar = new WorkingDayCalendar(store)

  for (const c of cases) {
    t.test(c.name, async (t) => {
      const period = await calendar.addWorkingDays(c.start, c.n)
      t.same(period.workingDays, c.days)
      t.equal(period.startDate, c.days[0])
      t.equal(period.endDate, c.days.at(-1))
      t.equal(period.endsAt, endOfDayShanghai(c.days.at(-1)!))
      t.same(period.warnings, [])
    })
  }

  t.test('day info names its source', async (t) => {
    t.match(await calendar.dayInfo('2026-10-08'), { working: true, source: 'package', warnings: [] })
    t.match(await calendar.dayInfo('2026-10-07'), { working: false, source: 'package' })
    t.match(await calendar.dayInfo('2026-10-10'), { working: true, source: 'package' }, 'make-up Saturday')
    t.match(await calendar.dayInfo('2027-01-01'), { working: true, source: 'weekday-rule', warnings: [{ code: 'SG_WARN_CALENDAR_NO_DATA', year: 2027 }] })
  })

  t.test('a year without data warns, and an admin-loaded 2027 schedule changes the answer', async (t) => {
    const before = await calendar.addWorkingDays('2026-12-28', 5)
    t.same(before.workingDays, ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01'], '1 Jan 2027 wrongly reads as a working day')
    t.equal(before.warnings.length, 1)
    t.match(before.warnings[0], { code: 'SG_WARN_CALENDAR_NO_DATA', year: 2027 })

    await calendar.years.put({ year: 2027, holidays: ['2027-01-01'], workdays: [], source: 'test transcription' }, 'admin:test')
    const after = await calendar.addWorkingDays('2026-12-28', 5)
    t.same(after.workingDays, ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-04'])
    t.same(after.warnings, [])
    t.match(await calendar.dayInfo('2027-01-01'), { working: false, source: 'admin' })
    t.match(await calendar.years.get(2027), { year: 2027, holidays: ['2027-01-01'], loadedBy: 'admin:test' })
    t.same(await calendar.years.years(), [2027])
  })

  t.test('an admin-loaded year replaces the package data for that year', async (t) => {
    // Hypothetical correction: National Day moved so that 8 Oct is off and 10 Oct is not a make-up day.
    await calendar.years.put({ year: 2026, holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'], workdays: [] }, 'admin:test')
    const period = await calendar.addWorkingDays('2026-09-30', 3)
    t.same(period.workingDays, ['2026-09-30', '2026-10-09', '2026-10-12'])
    t.equal(await calendar.years.delete(2026), true)
    t.same((await calendar.addWorkingDays('2026-09-30', 3)).workingDays, ['2026-09-30', '2026-10-08', '2026-10-09'], 'package data again')
  })

  t.test('bad input is refused with stable codes', async (t) => {
    await t.rejects(calendar.addWorkingDays('2026-02-30', 5), { code: 'SG_ERR_CALENDAR_BAD_DATE' })
    await t.rejects(calendar.addWorkingDays('2026/10/01', 5), { code: 'SG_ERR_CALENDAR_BAD_DATE' })
    await t.rejects(calendar.addWorkingDays('2026-10-01', 0), { code: 'SG_ERR_CALENDAR_BAD_DATE' })
    await t.rejects(calendar.addWorkingDays('2026-10-01', 1.5), { code: 'SG_ERR_CALENDAR_BAD_DATE' })
    await t.rejects(calendar.years.put({ year: 2027, holidays: ['2028-01-01'], workdays: [] }, 'a'), { code: 'SG_ERR_CALENDAR_BAD_SCHEDULE' })
    await t.rejects(calendar.years.put({ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-01'] }, 'a'), { code: 'SG_ERR_CALENDAR_BAD_SCHEDULE' })
    await t.rejects(calendar.years.put({ year: 2027, holidays: ['2027-13-01'], workdays: [] }, 'a'), { code: 'SG_ERR_CALENDAR_BAD_SCHEDULE' })
    await t.rejects(calendar.years.put({ year: 1999, holidays: [], workdays: [] }, 'a'), { code: 'SG_ERR_CALENDAR_BAD_SCHEDULE' })
  })

  t.test('a schedule with no working days fails instead of looping', async (t) => {
    for (const y of [2030, 2031, 2032, 2033]) {
      const days: string[] = []
      for (let d = new Date(Date.UTC(y, 0, 1)); d.getUTCFullYear() === y; d = new Date(d.getTime() + 86_400_000)) days.push(d.toISOString().slice(0, 10))
      await calendar.years.put({ year: y, holidays: days, workdays: [] }, 'admin:test')
    }
    await t.rejects(calendar.addWorkingDays('2030-01-01', 1), { code: 'SG_ERR_CALENDAR_BAD_SCHEDULE' })
  })
})
