// What `skillgate probe` prints: the verdict line, then each failure, then each root cause once
// (the checks it stopped listed by id), and the exit code that goes with them. An unreachable
// target is one line and exit 3; a run stopped by a missing key or tenant config (the caller's to
// fix) exits 2; a partial run (--only/--skip) prints PARTIAL, never CONFORMANT, and exits 0 only
// when every selected check passed.
import { exitCodeFor, type CheckResult, type Report } from '../checks/framework.js'
import { CONFIG_ROOT_CAUSES } from '../probe-preconditions.js'

export const UNREACHABLE_CODE = 'SG_ERR_PROBE_TARGET_UNREACHABLE'

export interface TerminalSummary { lines: string[]; exitCode: number; unreachable: boolean }

export function terminalSummary(report: Report): TerminalSummary {
  const s = report.summary
  const errors = report.results.filter((r) => r.status === 'error')
  const unreachable = errors.find((r) => r.errorCode === UNREACHABLE_CODE)
  if (unreachable) {
    return { lines: [`UNREACHABLE [${UNREACHABLE_CODE}]: ${oneLine(unreachable.message?.en ?? '')}`], exitCode: 3, unreachable: true }
  }
  const partial = report.verdict === 'partial'
  const head = partial ? `PARTIAL (${report.selection?.passed === true ? 'the selected checks passed' : 'the selected checks did not all pass'}; not an admission verdict)` : report.verdict.toUpperCase()
  const lines = [`${head}: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.error} error (${report.subject.kind} ${report.subject.baseUrl ?? ''})`]
  for (const r of report.results.filter((x) => x.status === 'fail')) lines.push(`  FAIL ${r.checkId} [${r.requirementIds.join(', ')}]${r.errorCode ? ` ${r.errorCode}` : ''}: ${oneLine(r.message?.en ?? '').slice(0, 300)}`)
  // One line per root cause, not one per check it stopped.
  const byCause = new Map<string, CheckResult[]>()
  for (const r of errors) {
    const key = `${r.errorCode ?? ''}\u0000${r.message?.en ?? ''}`
    byCause.set(key, [...(byCause.get(key) ?? []), r])
  }
  for (const rs of byCause.values()) {
    const r = rs[0]!
    const who = rs.length === 1 ? `${r.checkId} [${r.requirementIds.join(', ')}]` : `${rs.length} checks (${rs.map((x) => x.checkId).join(', ')})`
    lines.push(`  ERROR ${who}${r.errorCode ? ` ${r.errorCode}` : ''}: ${oneLine(r.message?.en ?? '').slice(0, 300)}`)
  }
  if (report.sampling) lines.push(`sampling: ${report.sampling.confidence}`)
  const configOnly = s.fail === 0 && errors.length > 0 && errors.every((r) => r.errorCode !== undefined && CONFIG_ROOT_CAUSES.has(r.errorCode))
  return { lines, exitCode: configOnly ? 2 : exitCodeFor(report), unreachable: false }
}

const oneLine = (t: string): string => t.replace(/\s+/g, ' ').trim()
