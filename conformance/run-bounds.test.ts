// Bounded runs (issue 15): a catalogue that never ends stops at the page cap its own declared
// courseCount allows, and without a declaration the run's deadline ends it; both are asserted on the
// request count against a bound derived from the declaration (or the deadline's trigger), never on
// time. The deadline's timer is injected: it fires when the test says, no test waits in real time.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { specPath } from '../specs/lib/paths.js'
import { serviceInfoRewriter, resultOf, withProvider, probeProvider, TEST_COURSES } from './checks/probe-harness.test-support.js'
import { declaredPageCap, defaultRunDeadlineSeconds, PAGE_BOUND, RUN_DEADLINE, type DeadlineTimer } from './run-bounds.js'
import type { RequestInfo } from './probe.js'

const MAIN_LIMIT = 200
const CROSS_LIMIT = 50

t.test('the formulas, and the specification states the same ones (English and Chinese)', async (t) => {
  t.equal(declaredPageCap(120, MAIN_LIMIT), 11)
  t.equal(declaredPageCap(120, CROSS_LIMIT), 13)
  t.equal(declaredPageCap(0, MAIN_LIMIT), 10)
  t.equal(defaultRunDeadlineSeconds(120), 660)
  t.equal(defaultRunDeadlineSeconds(undefined), 3_600)
  const page = `ceil(${PAGE_BOUND.factor} × courseCount / L) + ${PAGE_BOUND.extraPages}`
  const info = JSON.parse(readFileSync(specPath('schemas', 'service-info.schema.json'), 'utf8'))
  for (const lang of ['description', 'x-description-zh']) t.match(info.properties.courseCount[lang], page, `service-info courseCount ${lang}: the page bound`)
  t.match(info.properties.courseCount.description, `${RUN_DEADLINE.baseSeconds} s + ${RUN_DEADLINE.perCourseSeconds} s × courseCount (3,600 s when not declared)`)
  t.match(info.properties.courseCount['x-description-zh'], `${RUN_DEADLINE.baseSeconds} 秒 + ${RUN_DEADLINE.perCourseSeconds} 秒 × courseCount（未声明时为 3600 秒）`)
  const config = JSON.parse(readFileSync(specPath('schemas', 'probe-config.schema.json'), 'utf8'))
  t.match(config.properties.runDeadlineSeconds.description, `Default: ${RUN_DEADLINE.baseSeconds} s + ${RUN_DEADLINE.perCourseSeconds} s × the courseCount service-info declares, or 3,600 s`)
  t.match(config.properties.runDeadlineSeconds['x-description-zh'], `默认：${RUN_DEADLINE.baseSeconds} 秒 + ${RUN_DEADLINE.perCourseSeconds} 秒 × service-info 声明的 courseCount；未声明时为 3600 秒`)
  const api = JSON.parse(readFileSync(specPath('openapi', 'provider-api.openapi.json'), 'utf8'))
  t.match(api.paths['/v1/courses'].get.description, page)
  t.match(api.paths['/v1/courses'].get['x-description-zh'], page)
})

/** A timer that never fires by itself: it records what it was armed with and fires on demand. */
function manualTimer(): { timer: DeadlineTimer; armed: number[]; fire(): void } {
  const armed: number[] = []
  let current: (() => void) | undefined
  return {
    armed,
    timer: (ms, fire) => {
      armed.push(ms)
      current = fire
      return () => { if (current === fire) current = undefined }
    },
    fire: () => current?.(),
  }
}

const isPage = (r: RequestInfo): boolean => new URL(r.url).pathname === '/v1/courses'

t.test('an endless catalogue that declares its courseCount ends at the declared page cap: contract.pagination fails (R5.1-2)', async (t) => {
  await withProvider({ kind: 'on-demand', defects: ['endless-catalogue'] }, async (p) => {
    const clock = manualTimer()
    let pages = 0
    const report = await probeProvider(p, { only: ['contract.pagination'], deadlineTimer: clock.timer, onRequest: (r) => { if (isPage(r)) pages++ } })
    const r = resultOf(report, 'contract.pagination')
    t.equal(r.status, 'fail')
    t.match(r.requirementIds, ['R5.1-2'])
    t.match(r.message?.en, /main walk \(limit 200\): still not at the end after 11 pages, the most the declared courseCount allows/)
    t.match(r.message?.en, /cross-check walk \(limit 50\): still not at the end after 13 pages/)
    // Each walk may have one speculative page in flight when it stops.
    const bound = declaredPageCap(TEST_COURSES, MAIN_LIMIT) + declaredPageCap(TEST_COURSES, CROSS_LIMIT) + 2
    t.ok(pages <= bound, `${pages} page requests ≤ ${bound}, the bound the declared ${TEST_COURSES} courses give`)
    t.equal(report.verdict, 'partial')
    t.equal(report.selection?.passed, false)
    t.same(clock.armed.map((ms) => Math.round(ms / 1000)), [3_600, 660], 'the deadline: the undeclared default, then 600 s + 0.5 s × 120 declared courses')
    t.notMatch(JSON.stringify(report), /SG_ERR_RUN_DEADLINE/, 'the page cap ended it, not the deadline')
  })
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const twin = await probeProvider(p, { only: ['contract.pagination'], deadlineTimer: manualTimer().timer })
    t.equal(resultOf(twin, 'contract.pagination').status, 'pass', 'the compliant twin ends within the same cap')
  })
})

t.test('an endless catalogue that declares nothing runs into the deadline: the run ends with what it has, SG_ERR_RUN_DEADLINE', async (t) => {
  await withProvider({ kind: 'on-demand', defects: ['endless-catalogue'] }, async (p) => {
    const proxy = await serviceInfoRewriter(t, p, (info) => { delete info.courseCount })
    const clock = manualTimer()
    const TRIGGER = 40
    let pages = 0
    const report = await probeProvider(p, {
      baseUrl: proxy,
      only: ['contract.service-info', 'contract.pagination', 'catalogue.count'],
      deadlineTimer: clock.timer,
      // The deadline "passes" after TRIGGER catalogue pages: a count, not a time.
      onRequest: (r) => { if (isPage(r) && ++pages === TRIGGER) clock.fire() },
    })
    t.same(clock.armed.map((ms) => Math.round(ms / 1000)), [3_600], 'nothing declared: the default deadline of 3,600 s')
    t.same([resultOf(report, 'contract.pagination').status, resultOf(report, 'contract.pagination').errorCode], ['error', 'SG_ERR_RUN_DEADLINE'])
    t.same([resultOf(report, 'catalogue.count').status, resultOf(report, 'catalogue.count').errorCode], ['error', 'SG_ERR_RUN_DEADLINE'], 'its dependant, still waiting, is unfinished too')
    t.equal(resultOf(report, 'contract.service-info').status, 'pass', 'what finished is kept')
    t.match(report.warnings?.join('\n'), /reached its deadline; 2 check\(s\) unfinished: contract\.pagination, catalogue\.count/)
    // Two walk chains, each with at most one page in flight and one speculative fetch.
    t.ok(pages <= TRIGGER + 4, `${pages} page requests ≤ ${TRIGGER + 4}: the run stopped at its deadline`)
  })
})
