// How a run's results become the report: the roll-up to one verdict documented in
// specs/schemas/conformance-report.schema.json, the CLI's exit codes, and the report's frame
// (tool, times with their offset, selection, environment, run-level warnings).
import { readFileSync } from 'node:fs'
import { packageRoot, specPath } from '../../../specs/lib/paths.js'
import type { CheckResult, Report, RunContext, RunOptions } from './check-types.js'

/** The roll-up documented in the report schema; warnings and should-checks never change it. */
export function rollUp(results: readonly Pick<CheckResult, 'status' | 'severity'>[]): { verdict: Report['verdict']; summary: Report['summary'] } {
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }
  for (const r of results) summary[r.status]++
  const must = results.filter((r) => r.severity === 'must')
  const verdict = must.some((r) => r.status === 'fail') ? 'not-conformant' : must.some((r) => r.status === 'error') ? 'error' : 'conformant'
  return { verdict, summary }
}

/**
 * 0 conformant, 1 not conformant, 3 when the run could not decide (unreachable target, tool
 * failure). A partial run (--only/--skip) exits on its selected checks alone: 0 when they all
 * passed (selection.passed), 1 otherwise.
 */
export function exitCodeFor(report: Pick<Report, 'verdict' | 'selection'>): 0 | 1 | 3 {
  if (report.verdict === 'partial') return report.selection?.passed === true ? 0 : 1
  return report.verdict === 'conformant' ? 0 : report.verdict === 'not-conformant' ? 1 : 3
}

/** RFC 3339 with the local offset (the schema requires an explicit offset; reviewers read +08:00). */
export function timestamp(d: Date): string {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0')
  const local = new Date(d.getTime() + off * 60_000)
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(off / 60)}:${pad(off % 60)}`
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

/** What the runner hands over once every selected check has finished. */
export interface FinishedRun {
  ctx: RunContext
  startedAt: Date
  /** In catalogue order. */
  results: CheckResult[]
  sampling: Report['sampling']
  warnings: string[]
}

/** The report (without `integrity`; see report/json.ts); `now` is read once, for finishedAt. */
export function assembleReport(run: FinishedRun, now: () => Date, opts: RunOptions): Report {
  const { verdict, summary } = rollUp(run.results)
  const report: Report = {
    reportVersion: '1.0',
    tool: { ...defaultTool(), ...opts.tool, name: 'skillgate' },
    subject: { ...run.ctx.subject },
    mode: run.ctx.mode,
    startedAt: timestamp(run.startedAt),
    finishedAt: timestamp(now()),
    verdict,
    summary,
    results: run.results,
  }
  if (run.sampling) report.sampling = run.sampling
  // A partial run says so in its verdict: it can never stand in for a full admission verdict.
  if ((opts.only?.length ?? 0) > 0 || (opts.skip?.length ?? 0) > 0) {
    report.selection = { only: [...(opts.only ?? [])], skip: [...(opts.skip ?? [])], passed: verdict === 'conformant' }
    report.verdict = 'partial'
  }
  const environment = { node: process.versions.node, ...opts.environment }
  report.environment = environment
  if (run.warnings.length > 0) report.warnings = run.warnings
  return report
}
