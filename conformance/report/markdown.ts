// A Markdown summary for pull requests, tickets and chat: verdict, counts, and what to fix.
// Provider text is untrusted, so table cells escape the Markdown and HTML that renderers act on.
import type { CheckResult, Report } from '../checks/framework.js'
import { errorCodes } from '../../specs/lib/errors.js'

const VERDICT = {
  conformant: '✅ 符合规范 / Conformant',
  'not-conformant': '❌ 不符合规范 / Not conformant',
  error: '⚠️ 无法判定（检查执行出错）/ Error: could not decide',
  partial: '◐ 部分检测 / PARTIAL (--only/--skip: not an admission verdict)',
} as const

/** Inline text: no line breaks, and nothing a renderer would turn into markup, links or a table cell break. */
export function mdInline(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[\\`*_{}[\]()#+!|<>&~]/g, (c) => `\\${c}`)
}

function fixText(r: CheckResult): string {
  const entry = r.errorCode ? errorCodes[r.errorCode] : undefined
  const message = r.message ? `${r.message['zh-CN']}${r.message.en ? ` / ${r.message.en}` : ''}` : ''
  const fix = entry ? ` — ${entry.fix['zh-CN']} / ${entry.fix.en}` : ''
  return mdInline(`${message}${fix}`) || '—'
}

export function renderMarkdown(report: Report): string {
  const s = report.summary
  const subject = report.subject.baseUrl ?? report.subject.package?.fileName ?? ''
  const lines = [
    '# skillgate 合规检查报告 / Conformance report',
    '',
    `**${VERDICT[report.verdict]}**`,
    '',
    `- 对象 / Subject: ${mdInline(`${report.subject.type} · ${report.subject.kind}${subject ? ` · ${subject}` : ''}`)}`,
    `- 模式 / Mode: ${report.mode} · skillgate ${mdInline(report.tool.version)} · spec ${mdInline(report.tool.specVersion)}`,
    `- 时间 / Time: ${report.startedAt} → ${report.finishedAt}`,
    '',
    '| 通过 pass | 失败 fail | 警告 warn | 跳过 skip | 出错 error |',
    '|---:|---:|---:|---:|---:|',
    `| ${s.pass} | ${s.fail} | ${s.warn} | ${s.skip} | ${s.error} |`,
    '',
  ]
  if (report.selection) {
    const outcome = report.selection.passed === true ? '所选检查项全部通过 / the selected checks passed' : '所选检查项未全部通过 / the selected checks did not all pass'
    lines.push(`> **部分检测 / Partial run**: --only ${mdInline(report.selection.only.join(',') || '-')} --skip ${mdInline(report.selection.skip.join(',') || '-')}; ${outcome}; not an admission verdict.`, '')
  }
  const problems = report.results.filter((r) => r.status === 'fail' || r.status === 'error')
  if (problems.length > 0) {
    lines.push('## 需要修复 / To fix', '', '| 要求 Requirement | 检查项 Check | 级别 Severity | 结果 Status | 说明与修复 / What to fix |', '|---|---|---|---|---|')
    for (const r of problems) {
      lines.push(`| ${r.requirementIds.map(mdInline).join(', ')} | \`${r.checkId}\` ${mdInline(r.title['zh-CN'])} | ${r.severity} | ${r.status}${r.errorCode ? ` \`${r.errorCode}\`` : ''} | ${fixText(r)} |`)
    }
    lines.push('')
    const repro = problems.filter((r) => r.reproduce)
    if (repro.length > 0) {
      lines.push('### 复现命令 / Reproduce', '')
      for (const r of repro) lines.push(`- \`${r.checkId}\``, '', '  ```sh', `  ${(r.reproduce ?? '').replace(/`{3,}/g, '` ` `').replace(/\n/g, ' ')}`, '  ```', '')
    }
  }
  const warnings = report.results.filter((r) => r.status === 'warn')
  if (warnings.length > 0) {
    lines.push('## 警告 / Warnings', '')
    for (const r of warnings) lines.push(`- \`${r.checkId}\` (${r.requirementIds.map(mdInline).join(', ')}): ${fixText(r)}`)
    lines.push('')
  }
  for (const w of report.warnings ?? []) lines.push(`> ${mdInline(w)}`, '')
  if (report.sampling) {
    const sm = report.sampling
    lines.push(`抽样 / Sampling: ${sm.size} / ${sm.population}${sm.all ? '（全量 / all）' : ''} — ${mdInline(sm.confidence)}`, '')
  }
  if (report.integrity) {
    lines.push(`SHA-256: \`${report.integrity.sha256}\`${report.integrity.signature ? ` · Ed25519 keyId ${mdInline(report.integrity.signature.keyId)}` : ''}`, '')
  }
  return lines.join('\n')
}
