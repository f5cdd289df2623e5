// catalogue.* (R5.1-2, R5.1-4, R16): each rule passes on the compliant on-demand reference platform
// and fails on the twin with one defect.
import t from 'tap'
import { catalogueRules } from './catalogue-rules.js'
import { probeProvider, resultOf, runTwin, withProvider, type TwinCase } from './probe-harness.test-support.js'

/** A twin, run once: the common assertions below, then the measured figures its message must carry. */
interface CatalogueCase extends TwinCase { message?: RegExp }

const CASES: CatalogueCase[] = [
  { check: 'catalogue.count', requirement: 'R5.1-2', kind: 'on-demand', defects: ['too-few-courses'], because: 'only 99 courses are live', message: /99 live courses, fewer than 100/ },
  { check: 'catalogue.free-share', requirement: 'R5.1-4', kind: 'on-demand', defects: ['free-share-40'], because: '40 % of the courses are free', message: /40\.0 % \(48 of 120\)/ },
  { check: 'catalogue.free-preview-open', requirement: 'R5.1-4', kind: 'on-demand', defects: ['preview-needs-payment'], because: 'preview media answers 402' },
  { check: 'catalogue.free-preview-open', requirement: 'R5.1-4', kind: 'on-demand', defects: ['preview-needs-login'], because: 'preview media answers 401 (learner login)' },
  {
    check: 'catalogue.category-codes', requirement: 'R16', kind: 'on-demand', because: 'one course carries an unlisted category code', message: /8-99-99/,
    rewrite: (path, _q, b) => {
      if (path !== '/v1/courses') return undefined
      const page = b as { items: Array<Record<string, unknown>> }
      return { ...page, items: page.items.map((item, i) => (i === 3 ? { ...item, category: '8-99-99', occupationCode: undefined } : item)) }
    },
  },
  { check: 'catalogue.free-lessons-open', requirement: 'R5.1-4', kind: 'on-demand', defects: ['free-lesson-needs-payment'], because: 'a paid course is flagged free (its later lessons answer 402)' },
]

t.test('every catalogue rule has a failing twin here', async (t) => {
  t.same(catalogueRules.map((c) => c.id).filter((id) => !CASES.some((c) => c.check === id)), [])
})

t.test('the compliant on-demand reference platform passes every catalogue rule', async (t) => {
  const ids = catalogueRules.map((c) => c.id)
  const report = await withProvider({ kind: 'on-demand' }, (p) => probeProvider(p, { only: ids }))
  for (const id of ids) t.equal(resultOf(report, id).status, 'pass', `${id}: ${resultOf(report, id).message?.en ?? ''}`)
  t.match(resultOf(report, 'catalogue.count').measured, { courses: 120, required: 100 })
  t.match(resultOf(report, 'catalogue.free-share').measured, { freeCourses: 72, courses: 120, freeShare: 0.6 })
  t.match(resultOf(report, 'catalogue.free-preview-open').measured, { sampledFreeCourses: 72, freeCourses: 72, closed: 0 })
})

t.test('catalogue rules apply to on-demand platforms only (R5.1-x bind on-demand)', async (t) => {
  for (const c of catalogueRules) t.same(c.kinds, ['on-demand'], c.id)
})

for (const c of CASES) {
  t.test(`${c.check} fails (${c.requirement}) when ${c.because}`, async (t) => {
    const { result } = await runTwin(c)
    t.equal(result.status, 'fail', result.message?.en ?? '')
    t.ok(result.requirementIds.includes(c.requirement), `names ${c.requirement}`)
    if (c.check === 'catalogue.free-preview-open') t.match(result.reproduce, /^curl /, 'the refused media fetch can be reproduced')
    if (c.message) t.match(result.message?.en, c.message, 'the message carries the measured figures')
  })
}
