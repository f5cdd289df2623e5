// contract.* (R7; contract.pagination also R5.1-2): each check passes on the compliant reference
// platform and fails on a twin that differs by one defect (a provider switch or one rewritten answer).
import t, { type Test } from 'tap'
import { isValidCategory } from '../../specs/lib/categories.js'
import { contractChecks, cutOff, INVALID_CURSOR } from './contract.js'
import type { CheckResult } from './framework.js'
import { probeProvider, resultOf, runTwin, withProvider, type TwinCase } from './probe-harness.test-support.js'

const asObject = (b: unknown): Record<string, unknown> => b as Record<string, unknown>

/** A twin, run once: the common assertions below, then what this twin's failure must say (`also`). */
interface ContractCase extends TwinCase { also?: (t: Test, result: CheckResult) => void }

/** The pagination check names the cause: duplicates, gaps, cycles. */
const paginationCause = (message: RegExp, measured: (m: Record<string, unknown>) => boolean, what: string) => (t: Test, result: CheckResult): void => {
  t.match(result.message?.en, message)
  t.ok(measured(asObject(result.measured ?? {})), what)
}

/** Failed HTTP checks carry a curl command that reproduces the exchange (signed requests: a shell script that signs, then curl). */
function reproducible(t: Test, result: CheckResult): void {
  t.match(result.reproduce, /^curl /m)
  t.match(result.reproduce, INVALID_CURSOR)
  t.match(result.message?.en, /status 500, expected 400/)
  t.match(result.message?.en, /text\/plain/)
}

const CASES: ContractCase[] = [
  { check: 'contract.service-info', requirement: 'R7', kind: 'on-demand', because: 'service-info lacks organisation', rewrite: (path, _q, b) => (path === '/v1/service-info' ? { ...asObject(b), organisation: undefined } : undefined) },
  { check: 'contract.catalogue-pages', requirement: 'R7', kind: 'on-demand', defects: ['schema-drift'], because: 'summaries lack lessonCount' },
  { check: 'contract.pagination', requirement: 'R5.1-2', kind: 'on-demand', defects: ['pagination-repeats'], because: 'a page repeats the previous last entry', also: paginationCause(/listed twice/, (m) => Number(m.duplicates) > 0, 'duplicates counted') },
  { check: 'contract.pagination', requirement: 'R5.1-2', kind: 'on-demand', defects: ['pagination-skips'], because: 'one entry lost per page boundary', also: paginationCause(/lost at page boundaries/, (m) => Number(m.gaps) > 0, 'gaps counted') },
  { check: 'contract.pagination', requirement: 'R5.1-2', kind: 'self-hosted', defects: ['cursor-cycle'], because: 'nextCursor leads back to page 2', also: paginationCause(/cursor cycle/, (m) => m.cursorCycle === true, 'the cycle is recorded') },
  {
    check: 'contract.incremental', requirement: 'R7', kind: 'on-demand', because: 'updatedSince pages also carry an old course',
    rewrite: (path, q, b) => {
      if (path !== '/v1/courses' || !q.has('updatedSince') || q.has('cursor')) return undefined
      const page = asObject(b)
      const items = page.items as Array<Record<string, unknown>>
      return { ...page, items: [{ ...items[0], courseId: 'c-old-000001', updatedAt: '2020-01-01T00:00:00+08:00' }, ...items] }
    },
  },
  // The cut-off is an entry's own updatedAt, so a platform that compares with >= serves that entry again.
  { check: 'contract.incremental', requirement: 'R7', kind: 'on-demand', defects: ['updated-since-inclusive'], because: 'updatedSince is compared with >= (the entry at the cut-off comes back)' },
  { check: 'contract.course-detail', requirement: 'R7', kind: 'on-demand', because: 'detail titles differ from the list', rewrite: (path, _q, b) => (/^\/v1\/courses\/[^/]+$/.test(path) ? { ...asObject(b), title: { 'zh-CN': '另一个标题' } } : undefined) },
  { check: 'contract.preview-document', requirement: 'R7', kind: 'on-demand', because: 'preview durationSeconds differs from previewSeconds', rewrite: (path, _q, b) => (path.endsWith('/preview') ? { ...asObject(b), durationSeconds: Number(asObject(b).durationSeconds) + 60 } : undefined) },
  { check: 'contract.learning-records', requirement: 'R7', kind: 'on-demand', because: 'the page lacks serverTime', rewrite: (path, _q, b) => (path === '/v1/learning-records' ? { ...asObject(b), serverTime: undefined } : undefined) },
  { check: 'contract.retention-policy', requirement: 'R5.3-5b', kind: 'self-hosted', because: 'minimumRetentionDays is a string', rewrite: (path, _q, b) => (path === '/v1/storage/retention-policy' ? { ...asObject(b), minimumRetentionDays: '1095' } : undefined) },
  { check: 'contract.errors', requirement: 'R7', kind: 'on-demand', defects: ['500-on-bad-input'], because: 'an invalid cursor gets a bare 500 text/plain', also: reproducible },
]

t.test('every contract check has a failing twin here', async (t) => {
  t.same(contractChecks.map((c) => c.id).filter((id) => !CASES.some((c) => c.check === id)), [])
})

for (const kind of ['on-demand', 'self-hosted'] as const) {
  t.test(`the compliant ${kind} reference platform passes every contract check`, async (t) => {
    const ids = contractChecks.filter((c) => c.kinds.includes(kind)).map((c) => c.id)
    const report = await withProvider({ kind }, (p) => probeProvider(p, { only: ids }))
    for (const id of ids) t.equal(resultOf(report, id).status, 'pass', `${id}: ${resultOf(report, id).message?.en ?? ''}`)
  })
}

for (const c of CASES) {
  t.test(`${c.check} fails (${c.requirement}) when ${c.because}`, async (t) => {
    const { result } = await runTwin(c)
    t.equal(result.status, c.status ?? 'fail', result.message?.en ?? '')
    t.ok(result.requirementIds.includes(c.requirement), `names ${c.requirement}`)
    t.ok(result.evidence.length > 0, 'carries evidence')
    c.also?.(t, result)
  })
}

t.test('R7 incremental cut-off: an entry\'s own time, about N entries from the newest end', async (t) => {
  const times = [10, 20, 30, 40, 50, 60]
  t.equal(cutOff(times, 2), 40, 'two entries (50, 60) are newer than the cut-off')
  t.equal(cutOff(times, 10), 10, 'a catalogue smaller than N: the oldest entry')
  t.equal(cutOff([50, 10, Number.NaN, 30, 20, 40, 60], 2), 40, 'out of order and unreadable times: sorted, NaN left out')
  t.equal(cutOff([10], 2), undefined, 'one readable time: nothing to sync')
  t.equal(cutOff([Number.NaN, 5, Number.NaN], 2), undefined)
  t.equal(cutOff([1, 2, 3, 5, 5, 5, 5], 2), 3, 'the newest entries share one time: the time below it, so they are expected')
  t.equal(cutOff([7, 7, 7], 400), 6, 'every entry at one time: just before it, so all are expected')
})

t.test('R7 incremental cut-off with sub-millisecond timestamps: a millisecond no entry falls in', async (t) => {
  // Date.parse cuts 12:00:00.0205 to .020, so an entry's own (cut) time is ambiguous against its true time.
  t.equal(cutOff([10, 11, 12, 20, 21, 30], 2, { ownTime: false }), 22, 'the first gap of ≥ 2 ms at or above the target')
  t.equal(cutOff([10, 11, 12, 13], 1, { ownTime: false }), 9, 'no gap at all: before every entry')
  t.equal(cutOff([10, 20, 21, 22], 1, { ownTime: false }), 11, 'no gap above the target: the nearest one below')
})

t.test('R7 the incremental walk reads the recent end of the catalogue, not all of it again', async (t) => {
  const report = await withProvider({ kind: 'on-demand', courses: 1_000 }, (p) => probeProvider(p, { only: ['contract.incremental', 'contract.pagination'] }))
  const r = resultOf(report, 'contract.incremental')
  t.equal(r.status, 'pass', r.message?.en ?? '')
  const m = r.measured as { expectedCourses: number; returnedCourses: number; pages: number }
  t.ok(m.expectedCourses > 0, `${m.expectedCourses} newer course(s) expected`)
  t.equal(m.returnedCourses, m.expectedCourses)
  const main = resultOf(report, 'contract.pagination').measured as { courses: number }
  t.equal(main.courses, 1_000)
  t.ok(m.expectedCourses <= 400, `${m.expectedCourses} of ${main.courses} courses re-read (about incrementalEntries = 400)`)
  t.ok(m.pages <= 3, `${m.pages} incremental page(s) of 200`)
})

t.test('R16 twin data is what the category check rejects', async (t) => {
  t.notOk(isValidCategory('8-99-99'), '8-99-99 is well-formed but not listed')
})
