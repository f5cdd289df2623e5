// Verdict integrity in the runner (issue 15): a run limited with --only/--skip is PARTIAL, never
// conformant, and exits on its selected checks alone; a check whose precondition does not hold
// reports the root cause (neither a pass nor a failure with its own code); the run's deadline ends
// the run with what it has, every unfinished check an error SG_ERR_RUN_DEADLINE. No real time waits:
// the deadline is an AbortSignal the test aborts itself.
import t from 'tap'
import { schemas } from '../../../specs/lib/schemas.js'
import { defineCheck, exitCodeFor, fail, pass, runChecks, type CheckDefinition, type CheckOutcome, type RunContext } from '../framework.js'
import type { PreconditionFailure } from './check-types.js'

const ctx: RunContext = { subject: { type: 'platform', kind: 'on-demand', baseUrl: 'http://127.0.0.1:9/' }, mode: 'local' }

function check(id: string, run: () => Promise<CheckOutcome>, o: { requires?: string[]; severity?: 'must' | 'should' } = {}): CheckDefinition<RunContext> {
  return defineCheck<RunContext>({
    id, requirementIds: ['R7'], severity: o.severity ?? 'must', kinds: ['on-demand'], subject: 'platform',
    title: { 'zh-CN': id, en: id }, ...(o.requires ? { requires: o.requires } : {}), run,
  })
}

t.test('--only/--skip: verdict partial (never conformant); exit 0 when the selected checks pass, 1 otherwise', async (t) => {
  const good = [check('a.one', async () => pass()), check('a.two', async () => pass())]
  const full = await runChecks(good, ctx)
  t.equal(full.verdict, 'conformant', 'the full run of the same checks is conformant')
  t.equal(exitCodeFor(full), 0)
  const only = await runChecks(good, ctx, { only: ['a.one'] })
  t.equal(only.verdict, 'partial', 'a selected run is never conformant')
  t.equal(only.selection?.passed, true)
  t.equal(exitCodeFor(only), 0, 'all selected passed: exit 0')
  t.ok(schemas().validate('conformance-report', only).ok, 'the partial report validates')
  const bad = [check('a.one', async () => pass()), check('a.two', async () => fail({ 'zh-CN': '已损坏', en: 'broken' }))]
  const skipped = await runChecks(bad, ctx, { skip: ['a.one'] })
  t.equal(skipped.verdict, 'partial')
  t.equal(skipped.selection?.passed, false)
  t.equal(exitCodeFor(skipped), 1, 'a selected check failed: exit 1')
  const skippedBad = await runChecks(bad, ctx, { skip: ['a.two'] })
  t.equal(exitCodeFor(skippedBad), 0, 'the exit code reflects only the selected checks')
  const erroring = await runChecks([check('a.one', async () => { throw new Error('boom') }), check('a.two', async () => pass())], ctx, { only: ['a.one'] })
  t.equal(erroring.verdict, 'partial')
  t.equal(exitCodeFor(erroring), 1, 'an error among the selected checks: exit 1')
})

t.test('preconditions: a check whose input failed reports the root cause, evaluated once; its twin with the precondition holding runs', async (t) => {
  let evaluated = 0
  let ran = 0
  const unauthorised: PreconditionFailure = { code: 'SG_ERR_PROBE_UNAUTHORISED', message: { 'zh-CN': '签名请求被拒绝；请检查 --key-id/--secret-env', en: 'signed requests are refused; check --key-id/--secret-env' } }
  const catalogue = [
    // Each would otherwise fail with its own, misleading reason.
    check('contract.x', async () => { ran++; return fail({ 'zh-CN': '无', en: 'service contact missing' }, { errorCode: 'SG_ERR_SERVICE_CONTACT_MISSING' }) }),
    check('contract.y', async () => { ran++; return pass() }),
    check('auth.z', async () => { ran++; return pass() }, { requires: ['reachable'] }),
  ]
  const holds = { reachable: async () => undefined }
  const broken = await runChecks(catalogue, ctx, {
    preconditions: { ...holds, signed: async () => { evaluated++; return unauthorised } },
    defaultRequires: ['reachable', 'signed'],
  })
  for (const id of ['contract.x', 'contract.y']) {
    const r = broken.results.find((x) => x.checkId === id)!
    t.equal(r.status, 'error', `${id}: neither fail nor pass`)
    t.equal(r.errorCode, 'SG_ERR_PROBE_UNAUTHORISED', `${id}: the root cause's code`)
    t.match(r.message?.en, /check --key-id\/--secret-env/)
  }
  t.equal(broken.results.find((x) => x.checkId === 'auth.z')!.status, 'pass', 'a check that does not need the failed precondition runs')
  t.equal(evaluated, 1, 'the precondition is evaluated once per run')
  t.equal(ran, 1, 'no dependent check ran')
  t.equal(broken.verdict, 'error')
  t.equal(exitCodeFor(broken), 3)

  const twin = await runChecks(catalogue, ctx, { preconditions: { ...holds, signed: async () => undefined }, defaultRequires: ['reachable', 'signed'] })
  t.same(twin.results.map((r) => r.status), ['fail', 'pass', 'pass'], 'the precondition holding: the checks run and judge')

  await t.rejects(runChecks(catalogue, ctx, { defaultRequires: ['reachable'] }), { code: 'SG_ERR_USAGE' }, 'a need the run does not provide is a usage error, never silently skipped')
})

t.test('the run deadline ends the run with what it has: unfinished checks are errors SG_ERR_RUN_DEADLINE', async (t) => {
  const deadline = new AbortController()
  let sawAbort = false
  const endless = defineCheck<RunContext>({
    ...check('a.endless', async () => pass()),
    // Never finishes by itself; the test strikes the deadline once it is running.
    run: (_c, rt) => new Promise<CheckOutcome>(() => {
      rt.signal.addEventListener('abort', () => { sawAbort = true })
      setImmediate(() => deadline.abort(new Error('test deadline')))
    }),
  })
  const withSignal = [check('a.quick', async () => pass()), endless, { ...check('a.waiting', async () => pass()), dependsOn: ['a.endless'] }]
  const report = await runChecks(withSignal, ctx, { deadline: deadline.signal, concurrency: 1 })
  t.same(report.results.map((r) => [r.checkId, r.status, r.errorCode ?? null]), [
    ['a.quick', 'pass', null],
    ['a.endless', 'error', 'SG_ERR_RUN_DEADLINE'],
    ['a.waiting', 'error', 'SG_ERR_RUN_DEADLINE'],
  ])
  t.ok(sawAbort, "the running check's signal was aborted")
  t.equal(report.verdict, 'error')
  t.match(report.warnings?.join('\n'), /reached its deadline; 2 check\(s\) unfinished/)
  const already = new AbortController()
  already.abort(new Error('gone'))
  const none = await runChecks([check('a.quick', async () => pass())], ctx, { deadline: already.signal })
  t.equal(none.results[0]!.errorCode, 'SG_ERR_RUN_DEADLINE', 'a deadline already past runs nothing')
})
