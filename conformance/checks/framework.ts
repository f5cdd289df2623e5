// The check framework: every conformance check (contract, auth, catalogue, preview, location,
// self-hosted, package) is a `CheckDefinition` run by `runChecks`, which owns ordering, isolation
// and the roll-up documented in specs/schemas/conformance-report.schema.json. A check only decides
// pass/fail from what it measured; it never sees the verdict, never crashes the run, and never
// decides its own place in the order.
import { readFileSync } from 'node:fs'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { packageRoot, specPath } from '../../specs/lib/paths.js'
import type { ConformanceReport, ProviderKind } from '../../specs/types.gen.js'
import type { Evidence as HttpExchange } from '../net/evidence.js'
import { toCurl } from '../net/to-curl.js'

export type Report = ConformanceReport
export type CheckResult = ConformanceReport['results'][number]
export type ReportSubject = ConformanceReport['subject']
export type CheckStatus = CheckResult['status']
export type Severity = CheckResult['severity']
export type SubjectType = ReportSubject['type']
export type EvidenceKind = CheckResult['evidence'][number]['kind']
export type { ProviderKind }

/** Text shown to provider engineers and reviewers; both languages are required for our own text. */
export interface Bilingual { 'zh-CN': string; en: string }

export interface Evidence { kind: EvidenceKind; summary: string; data?: Record<string, unknown> }

export interface CheckOutcome {
  status: CheckStatus
  message?: Bilingual
  /** Measured values, units in the names (playableSeconds, freeShare). */
  measured?: Record<string, unknown>
  evidence: Evidence[]
  /** curl command reproducing a failed HTTP exchange; see `httpEvidence` / `reproduceFrom`. */
  reproduce?: string
  errorCode?: string
}

/** What a check may ask of the run besides its own context. */
export interface CheckRuntime {
  /** Aborted when the check's time budget is over; pass it on to probes and ffprobe. */
  signal: AbortSignal
  /** The finished result of a check named in `dependsOn` (always present while `run` executes). */
  dependency(checkId: string): CheckResult | undefined
  /** Run-level note for the report's `warnings` (e.g. "private address allowed in local mode"). */
  warn(text: string): void
  /** Record the sampling statement (R5.1-3 preview media measured on n of N courses). */
  setSampling(sampling: NonNullable<Report['sampling']>): void
}

export interface CheckDefinition<C = unknown> {
  /** Dotted lower-case ID, stable across versions: `catalogue.count`. */
  id: string
  requirementIds: readonly [string, ...string[]]
  severity: Severity
  kinds: readonly ProviderKind[]
  subject: SubjectType
  title: Bilingual
  /** What the check does, for the published check catalogue (specs/checks/checks.json). */
  does?: Bilingual
  /** What a failure means for the provider, for the published check catalogue. */
  failureMeans?: Bilingual
  dependsOn?: readonly string[]
  run(ctx: C, rt: CheckRuntime): Promise<CheckOutcome>
}

export type CheckCatalogue<C = unknown> = readonly CheckDefinition<C>[]

/** Identity with type inference, so a check file reads as data. */
export function defineCheck<C = unknown>(def: CheckDefinition<C>): CheckDefinition<C> {
  return def
}

type OutcomeExtras = Omit<CheckOutcome, 'status' | 'message' | 'evidence'> & { evidence?: Evidence[] }

const text = (m: Bilingual | string): Bilingual => (typeof m === 'string' ? { 'zh-CN': m, en: m } : m)

export const pass = (message?: Bilingual | string, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'pass', evidence: extra.evidence ?? [], ...(message === undefined ? {} : { message: text(message) }) })
export const fail = (message: Bilingual | string, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'fail', evidence: extra.evidence ?? [], message: text(message) })
export const warn = (message: Bilingual | string, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'warn', evidence: extra.evidence ?? [], message: text(message) })
export const skip = (message: Bilingual | string, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'skip', evidence: extra.evidence ?? [], message: text(message) })

export const note = (summary: string, data?: Record<string, unknown>): Evidence =>
  data === undefined ? { kind: 'note', summary } : { kind: 'note', summary, data }

/** Report evidence from a probe-client exchange (already scrubbed of secrets by the client). */
export function httpEvidence(exchange: HttpExchange, summary?: string): Evidence {
  const status = exchange.response ? String(exchange.response.status) : 'no response'
  return {
    kind: 'http',
    summary: summary ?? `${exchange.request.method} ${exchange.request.url} → ${status}`,
    data: exchange as unknown as Record<string, unknown>,
  }
}

/** The curl command for a failed HTTP check. */
export const reproduceFrom = (exchange: HttpExchange): string => toCurl(exchange, { maxTimeSeconds: 30 })

// ---------------------------------------------------------------------------------------------
// Catalogue: validation, description, traceability

const CHECK_ID = /^[a-z0-9]+(\.[a-z0-9-]+)+$/
const REQ_ID = /^R[0-9]+(\.[0-9]+)?(-[0-9a-z]+)?$/
const KINDS: readonly ProviderKind[] = ['on-demand', 'resource', 'self-hosted']

export interface RequirementEntry {
  id: string
  clause: string
  clauseZh: string
  summary: string
  kinds: ProviderKind[]
  verifiedBy: string[]
}

let requirementCache: RequirementEntry[] | undefined
/** The requirement catalogue (specs/requirements/requirements.json). */
export function loadRequirements(): RequirementEntry[] {
  requirementCache ??= (JSON.parse(readFileSync(specPath('requirements', 'requirements.json'), 'utf8')) as { requirements: RequirementEntry[] }).requirements
  return requirementCache
}

/**
 * Authoring errors in a catalogue are bugs, so they throw plain Errors at load time. A must-check
 * may not depend on a should-check: a failed should-check would skip it and the run would come out
 * conformant with a must requirement never verified.
 */
export function validateCatalogue(catalogue: CheckCatalogue<never>): void {
  const known = new Set(loadRequirements().map((r) => r.id))
  const byId = new Map<string, CheckDefinition<never>>()
  for (const c of catalogue) {
    if (!CHECK_ID.test(c.id)) throw new Error(`check id "${c.id}" must match ${CHECK_ID}`)
    if (byId.has(c.id)) throw new Error(`check id "${c.id}" is defined twice`)
    byId.set(c.id, c)
    if (c.requirementIds.length === 0) throw new Error(`check ${c.id} names no requirement`)
    for (const r of c.requirementIds) {
      if (!REQ_ID.test(r) || !known.has(r)) throw new Error(`check ${c.id} names unknown requirement "${r}"`)
    }
    if (c.kinds.length === 0 || c.kinds.some((k) => !KINDS.includes(k))) throw new Error(`check ${c.id} has invalid kinds ${JSON.stringify(c.kinds)}`)
    if (!c.title['zh-CN'] || !c.title.en) throw new Error(`check ${c.id} needs a title in zh-CN and en`)
  }
  for (const c of catalogue) {
    for (const d of c.dependsOn ?? []) {
      const dep = byId.get(d)
      if (!dep) throw new Error(`check ${c.id} depends on unknown check "${d}"`)
      if (c.severity === 'must' && dep.severity === 'should') throw new Error(`must-check ${c.id} cannot depend on should-check ${d}`)
    }
  }
  topologicalOrder(catalogue)
}

function topologicalOrder<C>(catalogue: CheckCatalogue<C>): CheckDefinition<C>[] {
  const byId = new Map(catalogue.map((c) => [c.id, c]))
  const state = new Map<string, 'visiting' | 'done'>()
  const out: CheckDefinition<C>[] = []
  const visit = (c: CheckDefinition<C>, path: string[]): void => {
    const s = state.get(c.id)
    if (s === 'done') return
    if (s === 'visiting') throw new Error(`dependency cycle: ${[...path, c.id].join(' → ')}`)
    state.set(c.id, 'visiting')
    for (const d of c.dependsOn ?? []) {
      const dep = byId.get(d)
      if (dep) visit(dep, [...path, c.id])
    }
    state.set(c.id, 'done')
    out.push(c)
  }
  for (const c of catalogue) visit(c, [])
  return out
}

export interface CheckDescription {
  id: string
  requirementIds: string[]
  severity: Severity
  kinds: ProviderKind[]
  subject: SubjectType
  title: Bilingual
  dependsOn: string[]
  does?: Bilingual
  failureMeans?: Bilingual
}

/** Plain data for docs and `--list` output, in dependency order. */
export function describeCatalogue(catalogue: CheckCatalogue<never>): CheckDescription[] {
  return topologicalOrder(catalogue).map((c) => ({
    id: c.id,
    requirementIds: [...c.requirementIds],
    severity: c.severity,
    kinds: [...c.kinds],
    subject: c.subject,
    title: { ...c.title },
    dependsOn: [...(c.dependsOn ?? [])],
    ...(c.does ? { does: { ...c.does } } : {}),
    ...(c.failureMeans ? { failureMeans: { ...c.failureMeans } } : {}),
  }))
}

/** requirementId → IDs of the checks that verify it (the traceability test walks this). */
export function requirementCoverage(catalogue: CheckCatalogue<never>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const c of catalogue) {
    for (const r of c.requirementIds) out.set(r, [...(out.get(r) ?? []), c.id])
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Size caps: evidence ends up in a signed JSON file, a JUnit file and an HTML page.

export const LIMITS = {
  /** The report schema's maxItems for `evidence`. */
  evidenceItems: 50,
  /** The report schema's maxLength for bilingual text. */
  textChars: 2000,
  summaryChars: 500,
  stringChars: 4096,
  arrayItems: 200,
  depth: 8,
  /** Serialised size of one evidence item's `data` before it is replaced by an excerpt. */
  dataBytes: 32 * 1024,
  reproduceChars: 8192,
} as const

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 40)}…[truncated ${s.length - (max - 40)} chars]`
}

function capValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return clip(v, LIMITS.stringChars)
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v === 'bigint') return v.toString()
  if (v === null || typeof v === 'boolean') return v
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined
  if (depth >= LIMITS.depth) return '[nested too deep]'
  if (Buffer.isBuffer(v)) return `[${v.length} bytes]`
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) {
    const items = v.slice(0, LIMITS.arrayItems).map((x) => capValue(x, depth + 1) ?? null)
    if (v.length > LIMITS.arrayItems) items.push(`[${v.length - LIMITS.arrayItems} more items]`)
    return items
  }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const c = capValue(x, depth + 1)
    if (c !== undefined) out[k] = c
  }
  return out
}

function capRecord(r: Record<string, unknown>): Record<string, unknown> {
  const capped = capValue(r, 0) as Record<string, unknown>
  const json = JSON.stringify(capped)
  if (Buffer.byteLength(json) <= LIMITS.dataBytes) return capped
  return { truncated: true, bytes: Buffer.byteLength(json), excerpt: clip(json, LIMITS.stringChars) }
}

function capText(m: Bilingual): Bilingual {
  return { 'zh-CN': clip(m['zh-CN'] || m.en || '-', LIMITS.textChars), en: clip(m.en || m['zh-CN'] || '-', LIMITS.textChars) }
}

function capEvidence(list: Evidence[]): Evidence[] {
  const kept = list.slice(0, LIMITS.evidenceItems).map((e) => {
    const out: Evidence = { kind: e.kind, summary: clip(String(e.summary), LIMITS.summaryChars) }
    if (e.data !== undefined) out.data = capRecord(e.data)
    return out
  })
  if (list.length > LIMITS.evidenceItems) {
    kept[LIMITS.evidenceItems - 1] = note(`${list.length - LIMITS.evidenceItems + 1} more evidence items were dropped (the report keeps ${LIMITS.evidenceItems})`)
  }
  return kept
}

// ---------------------------------------------------------------------------------------------
// The runner

export interface RunContext {
  subject: ReportSubject
  mode: Report['mode']
}

export type ProgressEvent =
  | { type: 'start'; checkId: string; done: number; total: number }
  | { type: 'finish'; checkId: string; result: CheckResult; done: number; total: number }

export interface RunOptions {
  /** Run only these checks (and, transitively, what they depend on). */
  only?: readonly string[]
  /** Leave these checks out; what depends on them is skipped with a reason. */
  skip?: readonly string[]
  /** Checks in flight at once (default 4). */
  concurrency?: number
  /** Per-check budget; when it runs out the check is an `error` (SG_ERR_CHECK_TIMEOUT). Default 10 min. */
  checkTimeoutMs?: number
  onProgress?: (event: ProgressEvent) => void
  environment?: Report['environment']
  tool?: Partial<Report['tool']>
  /** Injected clock for reproducible reports. */
  now?: () => Date
}

let toolDefaults: Report['tool'] | undefined
function defaultTool(): Report['tool'] {
  if (!toolDefaults) {
    const pkg = JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string }
    const api = JSON.parse(readFileSync(specPath('openapi', 'provider-api.openapi.json'), 'utf8')) as { info: { version: string } }
    toolDefaults = { name: 'skillgate', version: pkg.version, specVersion: api.info.version.split('.').slice(0, 2).join('.') }
  }
  return toolDefaults
}

/** RFC 3339 with the local offset (the schema requires an explicit offset; reviewers read +08:00). */
export function timestamp(d: Date): string {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0')
  const local = new Date(d.getTime() + off * 60_000)
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(off / 60)}:${pad(off % 60)}`
}

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

/** The roll-up documented in the report schema; warnings and should-checks never change it. */
export function rollUp(results: readonly Pick<CheckResult, 'status' | 'severity'>[]): { verdict: Report['verdict']; summary: Report['summary'] } {
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }
  for (const r of results) summary[r.status]++
  const must = results.filter((r) => r.severity === 'must')
  const verdict = must.some((r) => r.status === 'fail') ? 'not-conformant' : must.some((r) => r.status === 'error') ? 'error' : 'conformant'
  return { verdict, summary }
}

/** 0 conformant, 1 not conformant, 3 when the run could not decide (unreachable target, tool failure). */
export function exitCodeFor(report: Pick<Report, 'verdict'>): 0 | 1 | 3 {
  return report.verdict === 'conformant' ? 0 : report.verdict === 'not-conformant' ? 1 : 3
}

function errorOutcome(err: unknown): CheckOutcome {
  if (isSkillgateError(err)) {
    const evidence: Evidence[] = []
    let reproduce: string | undefined
    const exchange = err.details?.evidence as HttpExchange | undefined
    if (exchange && typeof exchange === 'object' && 'request' in exchange) {
      evidence.push(httpEvidence(exchange))
      reproduce = reproduceFrom(exchange)
    }
    const detailsRest = { ...(err.details ?? {}) }
    delete detailsRest.evidence
    if (Object.keys(detailsRest).length > 0) evidence.push(note(`${err.code} details`, detailsRest))
    return {
      status: 'error',
      errorCode: err.code,
      message: { 'zh-CN': `${err.title['zh-CN']}。${err.fix['zh-CN']}（${err.message}）`, en: err.message },
      evidence,
      ...(reproduce === undefined ? {} : { reproduce }),
    }
  }
  const e = err instanceof Error ? err : new Error(String(err))
  return {
    status: 'error',
    errorCode: 'SG_ERR_CHECK_CRASHED',
    message: { 'zh-CN': `检查项执行异常：${e.message}`, en: `The check crashed: ${e.message}` },
    evidence: [note('stack', { stack: e.stack ?? e.message })],
  }
}

function toResult(def: CheckDefinition<never>, outcome: CheckOutcome, durationMs: number): CheckResult {
  const result: CheckResult = {
    checkId: def.id,
    requirementIds: [...def.requirementIds],
    severity: def.severity,
    title: { ...def.title },
    status: outcome.status,
    durationMs: Math.max(0, Math.round(durationMs * 1000) / 1000),
    evidence: capEvidence(outcome.evidence ?? []),
  }
  if (outcome.message) result.message = capText(outcome.message)
  if (outcome.measured && Object.keys(outcome.measured).length > 0) result.measured = capValue(outcome.measured, 0) as Record<string, unknown>
  if (outcome.errorCode) result.errorCode = outcome.errorCode
  if (outcome.reproduce) result.reproduce = clip(outcome.reproduce, LIMITS.reproduceChars)
  return result
}

/** A malformed outcome is the check's bug, not the provider's: it becomes an error, never a pass. */
function checkOutcomeShape(o: unknown): CheckOutcome {
  const statuses: CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'error']
  const x = o as Partial<CheckOutcome> | null
  if (!x || typeof x !== 'object' || !statuses.includes(x.status as CheckStatus) || (x.evidence !== undefined && !Array.isArray(x.evidence))) {
    throw new Error(`check returned a malformed outcome: ${JSON.stringify(o)?.slice(0, 200)}`)
  }
  if (x.errorCode !== undefined && !/^SG_ERR_[A-Z0-9_]+$/.test(x.errorCode)) throw new Error(`check returned errorCode "${x.errorCode}", which is not an SG_ERR_* code`)
  return { ...x, evidence: x.evidence ?? [] } as CheckOutcome
}

function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, checkId: string): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = sgError('SG_ERR_CHECK_TIMEOUT', `${checkId} ran longer than ${ms} ms`)
      controller.abort(err)
      reject(err)
    }, ms)
  })
  return Promise.race([work(controller.signal), expired]).finally(() => clearTimeout(timer))
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
  const results = new Map<string, CheckResult>()
  const warnings: string[] = []
  let sampling: Report['sampling']
  const total = order.length
  let done = 0

  // A progress sink that throws (a closed terminal) must not lose the result or stall the run.
  const progress = (event: ProgressEvent): void => {
    try {
      opts.onProgress?.(event)
    } catch { /* progress is advisory */ }
  }
  const finish = (def: CheckDefinition<C>, result: CheckResult): void => {
    results.set(def.id, result)
    done++
    progress({ type: 'finish', checkId: def.id, result, done, total })
  }

  const skipReason = (def: CheckDefinition<C>): Bilingual | undefined => {
    if (skipped.has(def.id)) return { 'zh-CN': '已按 --skip 跳过', en: 'Skipped by --skip' }
    for (const d of def.dependsOn ?? []) {
      if (!selectedIds.has(d)) return { 'zh-CN': `前置检查项 ${d} 不适用于本对象，无法执行`, en: `Dependency ${d} does not apply to this subject, so this check cannot run` }
      const r = results.get(d)
      if (!r) continue
      if (r.status === 'fail' || r.status === 'error' || r.status === 'skip') {
        const zh = { fail: '未通过', error: '执行出错', skip: '被跳过' }[r.status]
        const en = { fail: 'failed', error: 'errored', skip: 'was skipped' }[r.status]
        return { 'zh-CN': `前置检查项 ${d} ${zh}，本项未执行`, en: `Not run because dependency ${d} ${en}` }
      }
    }
    return undefined
  }

  const runOne = async (def: CheckDefinition<C>): Promise<void> => {
    progress({ type: 'start', checkId: def.id, done, total })
    const rt = (signal: AbortSignal): CheckRuntime => ({
      signal,
      dependency: (id) => ((def.dependsOn ?? []).includes(id) ? results.get(id) : undefined),
      warn: (w) => { warnings.push(clip(`${def.id}: ${w}`, LIMITS.textChars)) },
      setSampling: (s) => { sampling = { ...s } },
    })
    const t0 = performance.now()
    let outcome: CheckOutcome
    try {
      outcome = checkOutcomeShape(await withTimeout((signal) => def.run(ctx, rt(signal)), timeoutMs, def.id))
    } catch (err) {
      outcome = errorOutcome(err)
    }
    finish(def, toResult(def as CheckDefinition<never>, outcome, performance.now() - t0))
  }

  // Event-driven scheduling: a check starts once all its dependencies have finished and a slot is
  // free; a skipped check finishes at once and may unblock (skip) its own dependents.
  await new Promise<void>((resolveAll) => {
    const pending = new Set(order)
    let running = 0
    const pump = (): void => {
      let progressed = true
      while (progressed) {
        progressed = false
        for (const def of [...pending]) {
          const depsDone = (def.dependsOn ?? []).every((d) => !selectedIds.has(d) || results.has(d))
          if (!depsDone) continue
          const reason = skipReason(def)
          if (reason) {
            pending.delete(def)
            finish(def, toResult(def as CheckDefinition<never>, { status: 'skip', message: reason, evidence: [] }, 0))
            progressed = true
            continue
          }
          if (running >= concurrency) continue
          pending.delete(def)
          running++
          progressed = true
          void runOne(def).finally(() => {
            running--
            pump()
          })
        }
      }
      if (pending.size === 0 && running === 0) resolveAll()
    }
    pump()
  })

  const ordered = catalogue.filter((c) => results.has(c.id)).map((c) => results.get(c.id) as CheckResult)
  const { verdict, summary } = rollUp(ordered)
  const report: Report = {
    reportVersion: '1.0',
    tool: { ...defaultTool(), ...opts.tool, name: 'skillgate' },
    subject: { ...ctx.subject },
    mode: ctx.mode,
    startedAt: timestamp(startedAt),
    finishedAt: timestamp(now()),
    verdict,
    summary,
    results: ordered,
  }
  if (sampling) report.sampling = sampling
  // A partial run says so: it can never stand in for a full admission verdict.
  if ((opts.only?.length ?? 0) > 0 || (opts.skip?.length ?? 0) > 0) report.selection = { only: [...(opts.only ?? [])], skip: [...(opts.skip ?? [])] }
  const environment = { node: process.versions.node, ...opts.environment }
  report.environment = environment
  if (warnings.length > 0) report.warnings = warnings
  return report
}
