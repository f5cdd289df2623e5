// JUnit XML for CI dashboards (Jenkins, GitLab, GitHub annotations). One <testsuite> per
// requirement; a check verifying several requirements is listed once, under its first ID, so
// failure counts are not inflated (the other IDs are named in its output). Severity is in the
// failure message: a failed should-check is shown as a failure although the verdict, and therefore
// the exit code, ignores it.
import type { CheckResult, Report } from '../checks/framework.js'
import { xmlAttr, xmlText } from './xml-escape.js'

const seconds = (ms: number): string => (ms / 1000).toFixed(3)

function details(r: CheckResult): string {
  const lines: string[] = []
  if (r.message) lines.push(`zh-CN: ${r.message['zh-CN']}`, ...(r.message.en ? [`en: ${r.message.en}`] : []))
  if (r.requirementIds.length > 1) lines.push(`requirements: ${r.requirementIds.join(', ')}`)
  if (r.measured) lines.push(`measured: ${JSON.stringify(r.measured)}`)
  for (const e of r.evidence) lines.push(`evidence [${e.kind}]: ${e.summary}`)
  if (r.reproduce) lines.push(`reproduce: ${r.reproduce}`)
  return lines.join('\n')
}

function testcase(r: CheckResult, classname: string): string {
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(r.checkId)}" time="${seconds(r.durationMs)}">`
  const message = `[${r.severity}] ${r.message?.en ?? r.message?.['zh-CN'] ?? r.title.en ?? r.title['zh-CN']}`
  const body: string[] = []
  if (r.status === 'fail') body.push(`      <failure message="${xmlAttr(message)}" type="${xmlAttr(r.errorCode ?? 'SG_CHECK_FAILED')}">${xmlText(details(r))}</failure>`)
  if (r.status === 'error') body.push(`      <error message="${xmlAttr(message)}" type="${xmlAttr(r.errorCode ?? 'SG_ERR_INTERNAL')}">${xmlText(details(r))}</error>`)
  if (r.status === 'skip') body.push(`      <skipped message="${xmlAttr(message)}"/>`)
  if (r.status === 'warn' || r.status === 'pass') {
    const out = details(r)
    if (out) body.push(`      <system-out>${xmlText(r.status === 'warn' ? `WARNING ${out}` : out)}</system-out>`)
  }
  return body.length === 0 ? `${open.slice(0, -1)}/>` : `${open}\n${body.join('\n')}\n    </testcase>`
}

export function renderJunit(report: Report): string {
  const suites = new Map<string, CheckResult[]>()
  for (const r of report.results) {
    const key = r.requirementIds[0]
    suites.set(key, [...(suites.get(key) ?? []), r])
  }
  const count = (rs: CheckResult[], s: CheckResult['status']): number => rs.filter((r) => r.status === s).length
  const time = (rs: CheckResult[]): string => seconds(rs.reduce((a, r) => a + r.durationMs, 0))
  const all = report.results
  const subjectName = report.subject.baseUrl ?? report.subject.package?.fileName ?? report.subject.kind
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`skillgate conformance: ${subjectName}`)}" tests="${all.length}" failures="${count(all, 'fail')}" errors="${count(all, 'error')}" skipped="${count(all, 'skip')}" time="${time(all)}" timestamp="${xmlAttr(report.startedAt)}">`,
  ]
  for (const [requirementId, rs] of suites) {
    out.push(
      `  <testsuite name="${xmlAttr(requirementId)}" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'skip')}" time="${time(rs)}" timestamp="${xmlAttr(report.startedAt)}">`,
      '    <properties>',
      `      <property name="verdict" value="${xmlAttr(report.verdict)}"/>`,
      ...(report.selection ? [`      <property name="selection.passed" value="${String(report.selection.passed === true)}"/>`] : []),
      `      <property name="subject.kind" value="${xmlAttr(report.subject.kind)}"/>`,
      `      <property name="tool.version" value="${xmlAttr(report.tool.version)}"/>`,
      ...(report.integrity ? [`      <property name="report.sha256" value="${xmlAttr(report.integrity.sha256)}"/>`] : []),
      '    </properties>',
      ...rs.map((r) => testcase(r, requirementId)),
      '  </testsuite>',
    )
  }
  out.push('</testsuites>', '')
  return out.join('\n')
}
