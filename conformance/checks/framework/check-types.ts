// What a check is: its definition (id, requirements, severity, who it applies to) and what it
// returns, and what a run of a catalogue is given (context, options, progress events). The report's own shapes come from specs/schemas/conformance-report.schema.json (through
// the generated types), so a check can never produce a field the published report does not have.
import type { ConformanceReport, ProviderKind } from '../../../specs/types.gen.js'

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
  /**
   * Progress inside a long check (`done` of `total` items, e.g. previews measured), for the CLI's
   * progress lines; advisory, never part of the verdict.
   */
  progress?(done: number, total: number, unit: string): void
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
  /**
   * A larger time budget, known only when the check starts (after its dependencies): e.g. scaled
   * by the courses it will measure. The run's `checkTimeoutMs` stays the floor; an error here
   * leaves the floor in place and the check itself will meet the same cause.
   */
  budgetMs?(ctx: C): Promise<number> | number
  /**
   * What this check's input needs besides other checks (names of the run's `preconditions`, e.g.
   * 'target-reachable', 'signed-access'); default `RunOptions.defaultRequires`. When one does not
   * hold, the check is not run: it reports an error naming the root cause, never a pass or a failure
   * with its own code.
   */
  requires?: readonly string[]
  run(ctx: C, rt: CheckRuntime): Promise<CheckOutcome>
}

export type CheckCatalogue<C = unknown> = readonly CheckDefinition<C>[]

/** Who and what a run is about; every context a catalogue runs with carries at least this. */
export interface RunContext {
  subject: ReportSubject
  mode: Report['mode']
}

export type ProgressEvent =
  | { type: 'start'; checkId: string; done: number; total: number }
  | { type: 'finish'; checkId: string; result: CheckResult; done: number; total: number }
  /** Inside a running check: `step.done` of `step.total` items (`step.unit`, e.g. "previews"). */
  | { type: 'step'; checkId: string; step: { done: number; total: number; unit: string }; done: number; total: number }

/** Why a precondition does not hold: the root cause every check that needs it reports. */
export interface PreconditionFailure {
  /** Stable SG_ERR_* code of the root cause (e.g. SG_ERR_PROBE_UNAUTHORISED). */
  code: string
  message: Bilingual
  evidence?: Evidence[]
  reproduce?: string
  /** The caller's to fix (a missing key or tenant config): the CLI exits 2 rather than 3. */
  config?: boolean
}

/** Evaluated at most once per run, when the first check that needs it is about to run; undefined: it holds. */
export type Precondition = () => Promise<PreconditionFailure | undefined>

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
  /** The run's preconditions by name (see `CheckDefinition.requires`). */
  preconditions?: Readonly<Record<string, Precondition>>
  /** What a check that declares no `requires` needs. */
  defaultRequires?: readonly string[]
  /**
   * The run's overall deadline: when it aborts, the run ends with what it has; every check not
   * finished by then is an error (SG_ERR_RUN_DEADLINE). Tests abort it themselves (no real time).
   */
  deadline?: AbortSignal
}

/** Identity with type inference, so a check file reads as data. */
export function defineCheck<C = unknown>(def: CheckDefinition<C>): CheckDefinition<C> {
  return def
}
