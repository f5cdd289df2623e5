// catalogue.free-lessons-open (R5.1-4, spec 1.1): every lesson of a free course opens without
// payment. The compliant on-demand reference platform passes; a paid course flagged free fails
// (the twin differs only in that its free courses' later lessons answer 402); a platform that does
// not list lesson media, or hides lessons behind a learner login with no sandbox learner given, is
// "declared, not verified": a warning, never a pass.
import t from 'tap'
import { probeProvider, resultOf, withProvider } from './probe-harness.test-support.js'

const ONLY = ['catalogue.free-lessons-open', 'catalogue.free-preview-open', 'catalogue.free-share']

t.test('R5.1-4: the compliant platform passes; every lesson of every free course is opened', async (t) => {
  const report = await withProvider({ kind: 'on-demand' }, (p) => probeProvider(p, { only: ONLY }))
  const r = resultOf(report, 'catalogue.free-lessons-open')
  t.equal(r.status, 'pass', r.message?.en ?? '')
  t.same(r.requirementIds, ['R5.1-4'])
  t.match(r.measured, { freeCourses: 72, checkedFreeCourses: 72, needPayment: 0, closed: 0, unverified: 0, learnerCredential: false })
  const m = r.measured as { lessons: number; opened: number }
  t.ok(m.lessons > 72, `every lesson, not one per course (${m.lessons})`)
  t.equal(m.opened, m.lessons)
})

t.test('R5.1-4: a paid course flagged free (free-lesson-needs-payment) fails, while the old checks still pass', async (t) => {
  const report = await withProvider({ kind: 'on-demand', defects: ['free-lesson-needs-payment'] }, (p) => probeProvider(p, { only: ONLY }))
  const r = resultOf(report, 'catalogue.free-lessons-open')
  t.equal(r.status, 'fail', r.message?.en ?? '')
  t.same(r.requirementIds, ['R5.1-4'])
  t.equal(r.errorCode, 'SG_ERR_FREE_COURSE_NOT_FREE')
  t.match(r.message?.en, /asks for payment \(402\).*\(R5\.1-4\)/)
  t.match(r.reproduce, /^curl .*\/media\/lesson\//, 'the refused lesson fetch can be reproduced')
  t.equal(resultOf(report, 'catalogue.free-share').status, 'pass', 'the declared share alone would have passed')
  t.equal(resultOf(report, 'catalogue.free-preview-open').status, 'pass', 'the preview alone would have passed')
})

t.test('R5.1-4: without lesson media (a 1.0 detail) the result is declared, not verified: a warning', async (t) => {
  const report = await withProvider({ kind: 'on-demand', lessonMedia: false }, (p) => probeProvider(p, { only: ['catalogue.free-lessons-open'] }))
  const r = resultOf(report, 'catalogue.free-lessons-open')
  t.equal(r.status, 'warn')
  t.equal(r.errorCode, 'SG_ERR_FREE_COURSE_UNVERIFIED')
  t.match(r.message?.en, /declared, not verified.*no lessons\[\]\.media\.url/)
  t.match(r.measured, { opened: 0, needPayment: 0 })
  t.ok((r.evidence ?? []).length > 1, 'evidence for reviewers')
})

t.test('R5.1-4: lessons behind a learner login open with the sandbox learner, and are unverified without it', async (t) => {
  await withProvider({ kind: 'on-demand', learnerLogin: true }, async (p) => {
    const without = resultOf(await probeProvider(p, { only: ['catalogue.free-lessons-open'] }), 'catalogue.free-lessons-open')
    t.equal(without.status, 'warn')
    t.equal(without.errorCode, 'SG_ERR_FREE_COURSE_UNVERIFIED')
    t.match(without.message?.en, /needs a learner login \(401\)/)
    const report = await probeProvider(p, { only: ['catalogue.free-lessons-open'], learner: p.learner })
    const withLearner = resultOf(report, 'catalogue.free-lessons-open')
    t.equal(withLearner.status, 'pass', withLearner.message?.en ?? '')
    t.match(withLearner.measured, { learnerCredential: true, unverified: 0 })
    t.notOk(JSON.stringify(report).includes(p.learner.token), 'the learner token never reaches the report')
  })
})
