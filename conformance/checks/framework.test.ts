import t, { type Test } from 'tap'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import { buildEvidence } from '../net/evidence.js'
import {
  defineCheck, describeCatalogue, exitCodeFor, fail, pass, requirementCoverage, rollUp, runChecks, skip, validateCatalogue, warn,
  type CheckDefinition, type CheckOutcome, type Report, type RunContext, type Severity,
} from './framework.js'

/** A bilingual message for a test outcome. */
const m = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': `测试：${en}`, en })

const ctx: RunContext = { subject: { type: 'platform', kind: 'on-demand', baseUrl: 'http://127.0.0.1:9/' }, mode: 'local' }
const fixedClock = () => new Date('2026-11-27T01:30:00Z')

function check(id: string, outcome: CheckOutcome | (() => Promise<CheckOutcome>), o: { severity?: Severity; dependsOn?: string[]; kinds?: CheckDefinition['kinds'] } = {}): CheckDefinition<RunContext> {
  return defineCheck<RunContext>({
    id,
    requirementIds: ['R5.1-2'],
    severity: o.severity ?? 'must',
    kinds: o.kinds ?? ['on-demand'],
    subject: 'platform',
    title: { 'zh-CN': `检查 ${id}`, en: `Check ${id}` },
    ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}),
    run: typeof outcome === 'function' ? outcome : async () => outcome,
  })
}

const byId = (r: Report, id: string) => {
  const x = r.results.find((c) => c.checkId === id)
  if (!x) throw new Error(`no result for ${id}`)
  return x
}

function assertValid(t: Test, report: Report) {
  const v = schemas().validate('conformance-report', report)
  t.ok(v.ok, `report validates against the schema: ${JSON.stringify(v.errors)}`)
}

t.test('dependencies: a failed dependency skips its dependent with the reason; the passing twin runs it', async (t) => {
  let ran = 0
  const dependent = check('catalogue.count', async () => { ran++; return pass(m('ok')) }, { dependsOn: ['contract.service-info'] })
  const failing = await runChecks([dependent, check('contract.service-info', fail(m('bad')))], ctx, { now: fixedClock })
  t.equal(byId(failing, 'catalogue.count').status, 'skip')
  t.match(byId(failing, 'catalogue.count').message?.en, /dependency contract\.service-info failed/)
  t.equal(ran, 0, 'the dependent never ran')
  t.same(failing.results.map((r) => r.checkId), ['catalogue.count', 'contract.service-info'], 'results keep catalogue order')
  assertValid(t, failing)

  const passing = await runChecks([dependent, check('contract.service-info', pass())], ctx)
  t.equal(byId(passing, 'catalogue.count').status, 'pass')
  t.equal(ran, 1)

  const erroring = await runChecks([dependent, check('contract.service-info', async () => { throw new Error('boom') })], ctx)
  t.match(byId(erroring, 'catalogue.count').message?.en, /errored/)

  const chain = await runChecks([check('a.one', fail(m('x'))), check('a.two', pass(), { dependsOn: ['a.one'] }), check('a.three', pass(), { dependsOn: ['a.two'] })], ctx)
  t.same(chain.results.map((r) => r.status), ['fail', 'skip', 'skip'], 'skips propagate transitively')

  const viaDependency = await runChecks([
    check('a.one', pass(undefined, { measured: { courses: 120 } })),
    check('a.two', async (_c?: unknown, rt?: { dependency(id: string): { measured?: Record<string, unknown> } | undefined }) =>
      pass(m(`saw ${String(rt?.dependency('a.one')?.measured?.courses)}`)), { dependsOn: ['a.one'] }),
  ], ctx)
  t.equal(byId(viaDependency, 'a.two').message?.en, 'saw 120', 'a check reads its dependency result')
})

t.test('error capture: a throwing check becomes status error with its SG_ERR_* code, never a crash', async (t) => {
  const exchange = buildEvidence({ method: 'GET', url: 'http://127.0.0.1:9/v1/courses', headers: { authorization: 'Bearer s3cret' } }, { status: 503, headers: {}, body: Buffer.from('down') }, ['s3cret'])
  const report = await runChecks([
    check('net.deadline', async () => { throw sgError('SG_ERR_NET_DEADLINE', 'GET /v1/courses', { url: 'http://127.0.0.1:9/v1/courses', evidence: exchange }) }),
    check('tool.crash', async () => { throw new TypeError('cannot read x of undefined') }),
    check('tool.malformed', async () => ({ status: 'great' }) as unknown as CheckOutcome),
    check('tool.ok', pass()),
  ], ctx)
  const deadline = byId(report, 'net.deadline')
  t.equal(deadline.status, 'error')
  t.equal(deadline.errorCode, 'SG_ERR_NET_DEADLINE')
  t.match(deadline.message?.['zh-CN'], /请求在时限内未完成/)
  t.equal(deadline.evidence[0]?.kind, 'http')
  t.match(deadline.reproduce, /^curl .*'http:\/\/127\.0\.0\.1:9\/v1\/courses'$/m)
  t.notMatch(JSON.stringify(deadline), /s3cret/, 'evidence stays scrubbed')
  const crash = byId(report, 'tool.crash')
  t.equal(crash.status, 'error')
  t.equal(crash.errorCode, 'SG_ERR_CHECK_CRASHED')
  t.match(crash.message?.en, /cannot read x of undefined/)
  t.equal(byId(report, 'tool.malformed').errorCode, 'SG_ERR_CHECK_CRASHED', 'a malformed outcome is an error, not a pass')
  t.equal(byId(report, 'tool.ok').status, 'pass', 'other checks still ran')
  t.equal(report.verdict, 'error')
  assertValid(t, report)
})

t.test('a check over its time budget is an error and its signal is aborted', async (t) => {
  let aborted = false
  const hang = check('media.hang', (async (_c: unknown, rt: { signal: AbortSignal }) => {
    await new Promise<void>((resolve) => rt.signal.addEventListener('abort', () => { aborted = true; resolve() }))
    return new Promise<CheckOutcome>(() => {})
  }) as unknown as () => Promise<CheckOutcome>)
  const report = await runChecks([hang], ctx, { checkTimeoutMs: 20 })
  t.equal(report.results[0]?.status, 'error')
  t.equal(report.results[0]?.errorCode, 'SG_ERR_CHECK_TIMEOUT')
  t.ok(aborted)
})

t.test('roll-up rules, each with a passing and a failing twin', async (t) => {
  const cases: Array<{ name: string; results: Array<[CheckOutcome['status'], Severity]>; verdict: Report['verdict'] }> = [
    { name: 'all must pass', results: [['pass', 'must'], ['pass', 'must']], verdict: 'conformant' },
    { name: 'one must fails', results: [['pass', 'must'], ['fail', 'must']], verdict: 'not-conformant' },
    { name: 'a should fails', results: [['pass', 'must'], ['fail', 'should']], verdict: 'conformant' },
    { name: 'a must warns', results: [['pass', 'must'], ['warn', 'must']], verdict: 'conformant' },
    { name: 'a must errors', results: [['pass', 'must'], ['error', 'must']], verdict: 'error' },
    { name: 'a should errors', results: [['pass', 'must'], ['error', 'should']], verdict: 'conformant' },
    { name: 'must fails and must errors', results: [['fail', 'must'], ['error', 'must']], verdict: 'not-conformant' },
    { name: 'a must is skipped', results: [['pass', 'must'], ['skip', 'must']], verdict: 'conformant' },
  ]
  for (const c of cases) {
    const outcome = (s: CheckOutcome['status']): CheckOutcome =>
      s === 'error' ? { status: 'error', errorCode: 'SG_ERR_NET_DNS', evidence: [] } : s === 'pass' ? pass() : s === 'fail' ? fail(m('f')) : s === 'warn' ? warn(m('w')) : skip(m('s'))
    const report = await runChecks(c.results.map(([s, sev], i) => check(`roll.c${i}`, outcome(s), { severity: sev })), ctx)
    t.equal(report.verdict, c.verdict, c.name)
    t.equal(exitCodeFor(report), c.verdict === 'conformant' ? 0 : c.verdict === 'not-conformant' ? 1 : 3, `${c.name}: exit code`)
    t.equal(report.summary[c.results[1]?.[0] ?? 'pass'] >= 1, true)
  }
  t.same(rollUp([{ status: 'pass', severity: 'must' }, { status: 'warn', severity: 'should' }, { status: 'skip', severity: 'must' }]).summary, { pass: 1, fail: 0, warn: 1, skip: 1, error: 0 })
})

t.test('--only / --skip', async (t) => {
  const catalogue = [check('a.base', pass()), check('a.dep', pass(), { dependsOn: ['a.base'] }), check('a.other', pass())]
  const err = await runChecks(catalogue, ctx, { only: ['a.nope'] }).catch((e: unknown) => e)
  t.ok(isSkillgateError(err) && err.code === 'SG_ERR_USAGE', 'unknown --only id is a usage error')
  t.match((err as Error).message, /a\.nope.*known: a\.base, a\.dep, a\.other/)
  const err2 = await runChecks(catalogue, ctx, { skip: ['a.nope'] }).catch((e: unknown) => e)
  t.ok(isSkillgateError(err2) && err2.code === 'SG_ERR_USAGE', 'unknown --skip id is a usage error')
  const emptied = await runChecks(catalogue, ctx, { skip: ['a.base', 'a.dep', 'a.other'] }).catch((e: unknown) => e)
  t.ok(isSkillgateError(emptied) && emptied.code === 'SG_ERR_USAGE', 'nothing left to run is a usage error')

  const only = await runChecks(catalogue, ctx, { only: ['a.dep'] })
  t.same(only.results.map((r) => r.checkId), ['a.base', 'a.dep'], '--only pulls in dependencies, nothing else')
  const skipped = await runChecks(catalogue, ctx, { skip: ['a.base'] })
  t.same(skipped.results.map((r) => [r.checkId, r.status]), [['a.base', 'skip'], ['a.dep', 'skip'], ['a.other', 'pass']])
  t.match(byId(skipped, 'a.base').message?.en, /--skip/)
  t.same(skipped.selection, { only: [], skip: ['a.base'], passed: true }, 'a partial run records its selection')
  t.same(only.selection, { only: ['a.dep'], skip: [], passed: true })
  t.notOk((await runChecks(catalogue, ctx)).selection, 'a full run has no selection')
})

t.test('checks that do not apply to the subject kind are left out; dependents of them are skipped', async (t) => {
  const report = await runChecks([
    check('self.retention', pass(), { kinds: ['self-hosted'] }),
    check('self.privacy', pass(), { kinds: ['on-demand', 'self-hosted'], dependsOn: ['self.retention'] }),
    check('a.count', pass()),
  ], ctx)
  t.same(report.results.map((r) => [r.checkId, r.status]), [['self.privacy', 'skip'], ['a.count', 'pass']])
})

t.test('concurrency is bounded (and the unbounded twin shows the bound is what limits it)', async (t) => {
  const measure = async (concurrency: number) => {
    let inFlight = 0
    let max = 0
    const slow = async () => {
      inFlight++
      max = Math.max(max, inFlight)
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
      inFlight--
      return pass()
    }
    const report = await runChecks(Array.from({ length: 6 }, (_, i) => check(`c.n${i}`, slow)), ctx, { concurrency })
    t.equal(report.summary.pass, 6)
    return max
  }
  t.equal(await measure(2), 2)
  t.equal(await measure(6), 6)
  const bad = await runChecks([check('a.one', pass())], ctx, { concurrency: 0 }).catch((e: unknown) => e)
  t.ok(isSkillgateError(bad) && bad.code === 'SG_ERR_USAGE')
})

t.test('progress events and a throwing progress sink', async (t) => {
  const events: string[] = []
  const report = await runChecks([check('a.one', pass()), check('a.two', fail(m('x')))], ctx, {
    onProgress: (e) => { events.push(`${e.type}:${e.checkId}:${e.done}/${e.total}`); throw new Error('tty closed') },
  })
  t.same(events.sort(), ['finish:a.one:1/2', 'finish:a.two:2/2', 'start:a.one:0/2', 'start:a.two:0/2'].sort())
  t.equal(report.verdict, 'not-conformant')
})

t.test('evidence and text are capped so the report stays valid and small', async (t) => {
  const long = 'x'.repeat(100_000)
  const report = await runChecks([check('cap.big', fail({ 'zh-CN': long, en: long }, {
    evidence: Array.from({ length: 60 }, (_, i) => ({ kind: 'http' as const, summary: `${i} ${long}`, data: { body: long, nested: { big: Array.from({ length: 5000 }, () => 'yy') } } })),
    measured: { playableSeconds: 12.5, raw: long },
    reproduce: `curl ${long}`,
  }))], ctx)
  const r = report.results[0]
  t.equal(r?.evidence.length, 50)
  t.match(r?.evidence[49]?.summary, /11 more evidence items were dropped/)
  t.ok(JSON.stringify(r).length < 2_000_000)
  t.ok((r?.message?.en?.length ?? 0) <= 2000)
  t.ok(((r?.measured as { raw: string }).raw.length) <= 4096)
  t.equal((r?.measured as { playableSeconds: number }).playableSeconds, 12.5)
  assertValid(t, report)
})

t.test('report metadata: subject, tool, timestamps with offset, environment', async (t) => {
  const report = await runChecks([check('a.one', pass())], ctx, { now: fixedClock, environment: { ffprobe: '5.1.6' } })
  t.equal(report.tool.name, 'skillgate')
  t.match(report.tool.specVersion, /^\d+\.\d+$/)
  t.match(report.startedAt, /^2026-11-27T\d\d:30:00\.000[+-]\d\d:\d\d$/)
  t.equal(new Date(report.startedAt).toISOString(), '2026-11-27T01:30:00.000Z')
  t.equal(report.environment?.ffprobe, '5.1.6')
  t.equal(report.environment?.node, process.versions.node)
  t.notOk('integrity' in report, 'integrity is added by the JSON writer')
  assertValid(t, report)
})

t.test('catalogue validation rejects authoring errors', async (t) => {
  const bad: Array<[string, CheckDefinition<RunContext>[], RegExp]> = [
    ['duplicate', [check('a.one', pass()), check('a.one', pass())], /twice/],
    ['bad id', [check('Nope', pass())], /must match/],
    ['unknown requirement', [{ ...check('a.one', pass()), requirementIds: ['R99-9'] }], /unknown requirement "R99-9"/],
    ['unknown dependency', [check('a.one', pass(), { dependsOn: ['a.ghost'] })], /unknown check "a\.ghost"/],
    ['cycle', [check('a.one', pass(), { dependsOn: ['a.two'] }), check('a.two', pass(), { dependsOn: ['a.one'] })], /cycle/],
    ['must on should', [check('a.one', pass(), { severity: 'should' }), check('a.two', pass(), { dependsOn: ['a.one'] })], /cannot depend on should-check/],
  ]
  for (const [name, catalogue, message] of bad) t.throws(() => validateCatalogue(catalogue as never), message, name)
  t.doesNotThrow(() => validateCatalogue([check('a.one', pass()), check('a.two', pass(), { dependsOn: ['a.one'] })] as never), 'the valid twin')
})

t.test('describeCatalogue and requirementCoverage (traceability)', async (t) => {
  const catalogue = [
    check('preview.media', pass(), { dependsOn: ['catalogue.walk'] }),
    { ...check('catalogue.walk', pass()), requirementIds: ['R5.1-2', 'R5.1-3'] as [string, ...string[]] },
  ]
  const described = describeCatalogue(catalogue as never)
  t.same(described.map((d) => d.id), ['catalogue.walk', 'preview.media'], 'dependency order')
  t.same(described[1], { id: 'preview.media', requirementIds: ['R5.1-2'], severity: 'must', kinds: ['on-demand'], subject: 'platform', title: { 'zh-CN': '检查 preview.media', en: 'Check preview.media' }, dependsOn: ['catalogue.walk'] })
  const coverage = requirementCoverage(catalogue as never)
  t.same(coverage.get('R5.1-2'), ['preview.media', 'catalogue.walk'])
  t.same(coverage.get('R5.1-3'), ['catalogue.walk'])
  t.notOk(coverage.has('R5.1-4'))
})

t.test('a check may claim a larger budget when it starts (scaled by its work); the run\'s budget is the floor', async (t) => {
  const slow = (budget?: number) => ({
    ...check('media.slow', (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return { status: 'pass', message: 'done' }
    }) as unknown as () => Promise<CheckOutcome>),
    ...(budget === undefined ? {} : { budgetMs: () => budget }),
  })
  t.equal((await runChecks([slow(60_000)], ctx, { checkTimeoutMs: 20 })).results[0]?.status, 'pass', 'its own budget')
  t.equal((await runChecks([slow()], ctx, { checkTimeoutMs: 20 })).results[0]?.errorCode, 'SG_ERR_CHECK_TIMEOUT', 'twin without one')
  t.equal((await runChecks([slow(5)], ctx, { checkTimeoutMs: 20 })).results[0]?.errorCode, 'SG_ERR_CHECK_TIMEOUT', 'a smaller claim does not lower the floor')
})
