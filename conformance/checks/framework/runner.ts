// The runner: every conformance check (contract, auth, catalogue, preview, location, self-hosted,
// package) is a `CheckDefinition` run by `runChecks`, which owns selection, ordering and isolation,
// then hands the results to verdict.ts for the roll-up. A check only decides pass/fail from what it
// measured; it never sees the verdict, never crashes the run, and never decides its own place in
// the order.
import { sgError } from '../../../specs/lib/errors.js'
import { topologicalOrder, validateCatalogue } from './catalogue-validation.js'
import { checkOutcomeShape, errorOutcome, toResult } from './check-results.js'
import type {
  Bilingual, CheckCatalogue, CheckDefinition, CheckOutcome, CheckResult, CheckRuntime, ProgressEvent, Report, ReportSubject, RunContext, RunOptions,
} from './check-types.js'
import { clip, LIMITS } from './evidence-caps.js'
import { preconditionChecker, preconditionOutcome, validatePreconditions, type PreconditionCheck } from './preconditions.js'
import { assembleReport } from './verdict.js'

/** Which checks run for this subject, after `--only` / `--skip` (unknown IDs are usage errors). */
export function selectChecks<C>(catalogue: CheckCatalogue<C>, subject: ReportSubject, opts: Pick<RunOptions, 'only' | 'skip'> = {}): { run: CheckDefinition<C>[]; skipped: Set<string> } {
  const ids = new Set(catalogue.map((c) => c.id))
  for (const [flag, list] of [['--only', opts.only], ['--skip', opts.skip]] as const) {
    const unknown = (list ?? []).filter((id) => !ids.has(id))
    if (unknown.length > 0) throw sgError('SG_ERR_USAGE', `${flag}: unknown check id(s) ${unknown.join(', ')}; known: ${[...ids].sort().join(', ')}`)
  }
  const applicable = catalogue.filter((c) => c.subject === subject.type && c.kinds.includes(subject.kind))
  let chosen = applicable
  if (opts.only && opts.only.length > 0) {
    const byId = new Map(catalogue.map((c) => [c.id, c]))
    const want = new Set<string>()
    const add = (id: string): void => {
      if (want.has(id)) return
      want.add(id)
      for (const d of byId.get(id)?.dependsOn ?? []) add(d)
    }
    opts.only.forEach(add)
    chosen = applicable.filter((c) => want.has(c.id))
  }
  const skipped = new Set(opts.skip ?? [])
  if (chosen.filter((c) => !skipped.has(c.id)).length === 0) {
    throw sgError('SG_ERR_USAGE', `no check applies to a ${subject.kind} ${subject.type} with this --only/--skip selection`)
  }
  return { run: chosen, skipped }
}

function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, checkId: string, deadline: AbortSignal | undefined): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let onDeadline = (): void => {}
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = sgError('SG_ERR_CHECK_TIMEOUT', `${checkId} ran longer than ${ms} ms`)
      controller.abort(err)
      reject(err)
    }, ms)
    // The run's deadline ends the check too, and with it its timer (nothing keeps the process alive).
    onDeadline = () => {
      clearTimeout(timer)
      controller.abort(deadline?.reason)
      reject(deadline?.reason)
    }
  })
  expired.catch(() => {})
  deadline?.addEventListener('abort', onDeadline, { once: true })
  return Promise.race([work(controller.signal), expired]).finally(() => {
    clearTimeout(timer)
    deadline?.removeEventListener('abort', onDeadline)
  })
}

/** One run in progress: what was selected, what has finished, and what the checks noted besides. */
interface RunState<C> {
  readonly ctx: C
  readonly opts: RunOptions
  readonly timeoutMs: number
  readonly selectedIds: ReadonlySet<string>
  readonly preconditions: PreconditionCheck
  readonly skipped: ReadonlySet<string>
  readonly results: Map<string, CheckResult>
  readonly warnings: string[]
  sampling: Report['sampling']
  readonly total: number
  done: number
}

/**
 * Run a catalogue against one subject and build the report (without `integrity`; see
 * report/json.ts). Dependencies run first; a check whose dependency failed, errored, was skipped
 * or does not apply is skipped with the reason. Result order is catalogue order, whatever the
 * completion order, so two runs of the same platform diff cleanly.
 */
export async function runChecks<C extends RunContext>(catalogue: CheckCatalogue<C>, ctx: C, opts: RunOptions = {}): Promise<Report> {
  validateCatalogue(catalogue as CheckCatalogue<never>)
  const now = opts.now ?? (() => new Date())
  const concurrency = opts.concurrency ?? 4
  if (!Number.isInteger(concurrency) || concurrency < 1) throw sgError('SG_ERR_USAGE', `--concurrency must be a positive integer, got ${concurrency}`)
  const timeoutMs = opts.checkTimeoutMs ?? 600_000
  const startedAt = now()
  const { run: selected, skipped } = selectChecks(catalogue, ctx.subject, opts)
  const selectedIds = new Set(selected.map((c) => c.id))
  const order = topologicalOrder(selected)
  validatePreconditions(order.filter((c) => !skipped.has(c.id)) as CheckCatalogue<never>, opts)
  const preconditions = preconditionChecker(opts)
  const state: RunState<C> = { ctx, opts, timeoutMs, selectedIds, preconditions, skipped, results: new Map(), warnings: [], sampling: undefined, total: order.length, done: 0 }
  await schedule(state, order, concurrency)
  const results = catalogue.filter((c) => state.results.has(c.id)).map((c) => state.results.get(c.id) as CheckResult)
  return assembleReport({ ctx, startedAt, results, sampling: state.sampling, warnings: state.warnings }, now, opts)
}

// A progress sink that throws (a closed terminal) must not lose the result or stall the run.
function progress(state: RunState<unknown>, event: ProgressEvent): void {
  try {
    state.opts.onProgress?.(event)
  } catch { /* progress is advisory */ }
}

function finish<C>(state: RunState<C>, def: CheckDefinition<C>, result: CheckResult): void {
  // A check still running when the run's deadline struck was already finished as an error.
  if (state.results.has(def.id)) return
  state.results.set(def.id, result)
  state.done++
  progress(state, { type: 'finish', checkId: def.id, result, done: state.done, total: state.total })
}

function skipReason<C>(state: RunState<C>, def: CheckDefinition<C>): Bilingual | undefined {
  if (state.skipped.has(def.id)) return { 'zh-CN': '已按 --skip 跳过', en: 'Skipped by --skip' }
  for (const d of def.dependsOn ?? []) {
    if (!state.selectedIds.has(d)) return { 'zh-CN': `前置检查项 ${d} 不适用于本对象，无法执行`, en: `Dependency ${d} does not apply to this subject, so this check cannot run` }
    const r = state.results.get(d)
    if (!r) continue
    if (r.status === 'fail' || r.status === 'error' || r.status === 'skip') {
      const zh = { fail: '未通过', error: '执行出错', skip: '被跳过' }[r.status]
      const en = { fail: 'failed', error: 'errored', skip: 'was skipped' }[r.status]
      const cause = r.status === 'error' && r.errorCode ? ` (${r.errorCode})` : ''
      return { 'zh-CN': `前置检查项 ${d} ${zh}${cause}，本项未执行`, en: `Not run because dependency ${d} ${en}${cause}` }
    }
  }
  return undefined
}

async function runOne<C>(state: RunState<C>, def: CheckDefinition<C>): Promise<void> {
  progress(state, { type: 'start', checkId: def.id, done: state.done, total: state.total })
  const rt = (signal: AbortSignal): CheckRuntime => ({
    signal,
    dependency: (id) => ((def.dependsOn ?? []).includes(id) ? state.results.get(id) : undefined),
    warn: (w) => { state.warnings.push(clip(`${def.id}: ${w}`, LIMITS.textChars)) },
    setSampling: (s) => { state.sampling = { ...s } },
    progress: (done, total, unit) => { progress(state, { type: 'step', checkId: def.id, step: { done, total, unit }, done: state.done, total: state.total }) },
  })
  const t0 = performance.now()
  let outcome: CheckOutcome
  try {
    const unmet = await state.preconditions(def as CheckDefinition<never>)
    if (unmet) {
      outcome = preconditionOutcome(unmet)
    } else {
      const own = def.budgetMs ? await Promise.resolve(def.budgetMs(state.ctx)).catch(() => 0) : 0
      const budget = Number.isFinite(own) && own > state.timeoutMs ? own : state.timeoutMs
      outcome = checkOutcomeShape(await withTimeout((signal) => def.run(state.ctx, rt(signal)), budget, def.id, state.opts.deadline))
    }
  } catch (err) {
    outcome = errorOutcome(err)
  }
  finish(state, def, toResult(def as CheckDefinition<never>, outcome, performance.now() - t0))
}

/**
 * Event-driven scheduling: a check starts once all its dependencies have finished and a slot is
 * free; a skipped check finishes at once and may unblock (skip) its own dependents.
 */
function schedule<C>(state: RunState<C>, order: CheckDefinition<C>[], concurrency: number): Promise<void> {
  return new Promise<void>((resolveAll) => {
    const pending = new Set(order)
    let running = 0
    const deadline = state.opts.deadline
    // The run's deadline: every check not finished by then is an error; the run ends with what it has.
    const expire = (): void => {
      const unfinished = order.filter((d) => !state.results.has(d.id))
      if (unfinished.length > 0) state.warnings.push(`the run reached its deadline; ${unfinished.length} check(s) unfinished: ${unfinished.map((d) => d.id).join(', ')}`)
      for (const def of unfinished) finish(state, def, toResult(def as CheckDefinition<never>, deadlineOutcome(deadline?.reason), 0))
      pending.clear()
      resolveAll()
    }
    if (deadline?.aborted) return expire()
    deadline?.addEventListener('abort', expire, { once: true })
    const done = (): void => {
      deadline?.removeEventListener('abort', expire)
      resolveAll()
    }
    const pump = (): void => {
      let progressed = true
      while (progressed) {
        progressed = false
        for (const def of [...pending]) {
          const depsDone = (def.dependsOn ?? []).every((d) => !state.selectedIds.has(d) || state.results.has(d))
          if (!depsDone) continue
          const reason = skipReason(state, def)
          if (reason) {
            pending.delete(def)
            finish(state, def, toResult(def as CheckDefinition<never>, { status: 'skip', message: reason, evidence: [] }, 0))
            progressed = true
            continue
          }
          if (running >= concurrency) continue
          pending.delete(def)
          running++
          progressed = true
          void runOne(state, def).finally(() => {
            running--
            pump()
          })
        }
      }
      if (pending.size === 0 && running === 0) done()
    }
    pump()
  })
}

function deadlineOutcome(reason: unknown): CheckOutcome {
  const detail = reason instanceof Error ? reason.message : 'the run deadline passed'
  return errorOutcome(sgError('SG_ERR_RUN_DEADLINE', `not finished when the run ended at its deadline (${detail})`))
}
