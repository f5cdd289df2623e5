// One self-contained bilingual HTML page for reviewers: no external requests (a CSP forbids them),
// every provider-supplied string escaped, readable without JavaScript (zh-CN by default; the script
// only switches language and copies commands). Labels exist in both languages as sibling spans and
// a class on <html> hides one of them, so the toggle never rewrites text.
import type { CheckResult, Report } from '../checks/framework.js'
import { loadRequirements, type RequirementEntry } from '../checks/framework.js'
import { errorCodes } from '../../specs/lib/errors.js'
import { verifyReport } from './json.js'

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

const h = escapeHtml
/** A label in both languages. */
const t = (zh: string, en: string): string => `<span class="zh" lang="zh-CN">${h(zh)}</span><span class="en" lang="en">${h(en)}</span>`

const STATUS: Record<CheckResult['status'], [string, string, string]> = {
  pass: ['通过', 'Pass', '✓'],
  fail: ['未通过', 'Fail', '✗'],
  warn: ['警告', 'Warning', '!'],
  skip: ['跳过', 'Skipped', '–'],
  error: ['出错', 'Error', '⚠'],
}
const badge = (s: CheckResult['status']): string => `<span class="badge s-${s}"><span aria-hidden="true">${STATUS[s][2]}</span> ${t(STATUS[s][0], STATUS[s][1])}</span>`

const VERDICT: Record<Report['verdict'], [string, string, string, string, string]> = {
  conformant: ['符合规范', 'Conformant', '✓', '所有“必须”检查项均通过。', 'Every must-check passed.'],
  'not-conformant': ['不符合规范', 'Not conformant', '✗', '至少一项“必须”检查项未通过，请按下列说明修复后重新检查。', 'At least one must-check failed; fix what is listed below and run the checks again.'],
  error: ['无法判定', 'Could not decide', '⚠', '没有检查项失败，但至少一项“必须”检查项无法执行（目标不可达或工具故障）。', 'No check failed, but at least one must-check could not run (target unreachable or tool failure).'],
  partial: ['部分检测', 'PARTIAL', '◐', '本次运行使用 --only/--skip，仅覆盖部分检查项，不是入驻结论。', 'This run was limited with --only/--skip: it covers part of the catalogue and is not an admission verdict.'],
}

const rank: Record<CheckResult['status'], number> = { fail: 4, error: 3, warn: 2, skip: 1, pass: 0 }
const worst = (rs: CheckResult[]): CheckResult['status'] => rs.reduce<CheckResult['status']>((w, r) => (rank[r.status] > rank[w] ? r.status : w), 'pass')

const SUBJECT_TYPE: Record<Report['subject']['type'], [string, string]> = { platform: ['平台', 'Platform'], package: ['课程包', 'Course package'] }
const KIND: Record<Report['subject']['kind'], [string, string]> = { 'on-demand': ['点播培训平台', 'On-demand platform'], resource: ['数字课程资源', 'Course resources'], 'self-hosted': ['自有课培训平台', 'Self-hosted platform'] }
const MODE: Record<Report['mode'], [string, string]> = { local: ['本地运行（服务方工程师）', 'Local run (provider engineer)'], gateway: ['平台运行（网关）', 'Run by the gateway'] }
const EVIDENCE: Record<CheckResult['evidence'][number]['kind'], [string, string]> = { http: ['HTTP 交互', 'HTTP exchange'], media: ['媒体', 'Media'], dns: ['域名解析', 'DNS'], geo: ['地理位置', 'Location'], file: ['文件', 'File'], note: ['说明', 'Note'] }
/** An enum value in both languages (never the raw value; unknown values fall back to it). */
const tr = (table: Record<string, [string, string]>, v: string): string => { const pair = table[v]; return pair ? t(pair[0], pair[1]) : h(v) }

const anchor = (checkId: string): string => `check-${checkId.replace(/[^a-z0-9-]/g, '-')}`

function measuredTable(m: Record<string, unknown>): string {
  const rows = Object.entries(m).map(([k, v]) => `<tr><th scope="row"><code>${h(k)}</code></th><td><code>${h(typeof v === 'string' ? v : JSON.stringify(v))}</code></td></tr>`)
  return `<table class="kv"><caption>${t('实测值', 'Measured values')}</caption>${rows.join('')}</table>`
}

function checkDetails(r: CheckResult): string {
  const parts: string[] = []
  if (r.message) parts.push(`<p class="message">${t(r.message['zh-CN'], r.message.en ?? r.message['zh-CN'])}</p>`)
  const entry = r.errorCode ? errorCodes[r.errorCode] : undefined
  if (r.errorCode) parts.push(`<p><code>${h(r.errorCode)}</code>${entry ? ` — ${t(entry.fix['zh-CN'], entry.fix.en)}` : ''}</p>`)
  parts.push(`<p class="meta">${t('级别', 'Severity')}: ${r.severity === 'must' ? t('必须', 'must') : t('建议', 'should')} · ${t('要求', 'Requirements')}: ${r.requirementIds.map(h).join(', ')} · ${t('耗时', 'Duration')}: ${h(String(Math.round(r.durationMs)))} ms</p>`)
  if (r.measured && Object.keys(r.measured).length > 0) parts.push(measuredTable(r.measured))
  if (r.reproduce) {
    parts.push(`<div class="repro"><p>${t('复现命令（密钥已替换为占位符）', 'Reproduce (secrets replaced by placeholders)')}</p><pre><code>${h(r.reproduce)}</code></pre><button type="button" class="copy">${t('复制命令', 'Copy command')}</button></div>`)
  }
  if (r.evidence.length > 0) {
    const items = r.evidence.map((e) => `<li><span class="kind">${tr(EVIDENCE, e.kind)}</span> ${h(e.summary)}${e.data ? `<pre class="data"><code>${h(JSON.stringify(e.data, null, 2))}</code></pre>` : ''}</li>`)
    parts.push(`<div class="evidence"><p>${t('证据', 'Evidence')}</p><ol>${items.join('')}</ol></div>`)
  }
  return `<details class="check st-${r.status}" id="${anchor(r.checkId)}" data-check-id="${h(r.checkId)}"><summary>${badge(r.status)} <code>${h(r.checkId)}</code> ${t(r.title['zh-CN'], r.title.en ?? r.title['zh-CN'])}</summary><div class="body">${parts.join('')}</div></details>`
}

function requirementSection(id: string, req: RequirementEntry | undefined, own: CheckResult[], elsewhere: CheckResult[]): string {
  const all = [...own, ...elsewhere]
  const head = `<table class="req"><tbody>
<tr><th scope="row">${t('要求编号', 'Requirement')}</th><td><strong>${h(id)}</strong> ${req ? h(req.clause) : ''} ${all.length > 0 ? badge(worst(all)) : ''}</td></tr>
<tr><th scope="row">${t('条款原文', 'Clause (zh)')}</th><td lang="zh-CN">${h(req?.clauseZh ?? '—')}</td></tr>
<tr><th scope="row">${t('要求摘要', 'Summary (en)')}</th><td lang="en">${h(req?.summary ?? '—')}</td></tr>
<tr><th scope="row">${t('检查项', 'Checks')}</th><td>${all.map((r) => `<a href="#${anchor(r.checkId)}">${h(r.checkId)}</a> ${badge(r.status)}`).join('<br>')}</td></tr>
</tbody></table>`
  return `<section class="requirement" aria-labelledby="req-${h(id)}"><h3 id="req-${h(id)}">${h(id)}</h3>${head}${own.map(checkDetails).join('\n')}</section>`
}

const CSS = `
:root{--pass:#1b7a35;--fail:#b3261e;--warn:#8a5a00;--skip:#5f6368;--error:#8e24aa;font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;line-height:1.5;color:#1f1f1f}
body{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
.lang-zh .en,.lang-en .zh{display:none}
header.top{display:flex;justify-content:space-between;align-items:flex-start;gap:1rem}
.verdict{border:4px solid;border-radius:.5rem;padding:1rem 1.5rem;margin:1rem 0;font-size:1.1rem}
.verdict .big{font-size:2.4rem;font-weight:700;display:block}
.v-conformant{border-color:var(--pass);background:#e8f5e9}.v-not-conformant{border-color:var(--fail);background:#fdecea}.v-error{border-color:var(--error);background:#f3e5f5}.v-partial{border-color:var(--warn);background:#fff8e1}
.counts{display:flex;gap:.75rem;flex-wrap:wrap;padding:0;list-style:none}
.counts li{border:1px solid #ccc;border-radius:.4rem;padding:.3rem .8rem}
.badge{display:inline-block;border-radius:.3rem;padding:0 .4rem;color:#fff;font-size:.85rem;font-weight:600;white-space:nowrap}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-warn{background:var(--warn)}.s-skip{background:var(--skip)}.s-error{background:var(--error)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
table.req th{width:9rem;background:#f6f6f6}
details.check{border:1px solid #ccc;border-left:6px solid var(--skip);border-radius:.3rem;margin:.4rem 0;padding:.2rem .6rem}
details.st-pass{border-left-color:var(--pass)}details.st-fail{border-left-color:var(--fail)}details.st-warn{border-left-color:var(--warn)}details.st-error{border-left-color:var(--error)}
summary{cursor:pointer;padding:.3rem 0}summary:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
pre{background:#f6f8fa;border:1px solid #ddd;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-height:30rem}
button{font:inherit;padding:.3rem .8rem;border:1px solid #888;border-radius:.3rem;background:#fff;cursor:pointer}
.kind{font-family:monospace;background:#eee;padding:0 .3rem;border-radius:.2rem}
.meta{color:#444;font-size:.9rem}
@media print{button{display:none}details.check{break-inside:avoid}details:not([open])>.body{display:block}body{max-width:none}a{color:inherit;text-decoration:none}pre{max-height:none}}
`

const SCRIPT = `
(function(){var root=document.documentElement;var btn=document.getElementById('lang-toggle');
function set(l){root.classList.toggle('lang-en',l==='en');root.classList.toggle('lang-zh',l!=='en');root.lang=l==='en'?'en':'zh-CN';btn.setAttribute('aria-pressed',l==='en'?'true':'false');}
if(btn)btn.addEventListener('click',function(){set(root.classList.contains('lang-en')?'zh':'en');});
document.querySelectorAll('button.copy').forEach(function(b){b.addEventListener('click',function(){var code=b.parentNode.querySelector('pre code');var text=code.textContent;
function pick(){var r=document.createRange();r.selectNodeContents(code);var s=getSelection();s.removeAllRanges();s.addRange(r);}
if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).catch(pick);}else{pick();}});});
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.dataset.wasOpen=d.open;d.open=true;});});
window.addEventListener('afterprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=d.dataset.wasOpen==='true';});});
})();
`

export interface HtmlOptions {
  /** Language shown first (the other stays in the page for the toggle and for print). Default zh-CN. */
  lang?: 'zh-CN' | 'en'
  /** Framed by the reviewer console: no language toggle of its own, the console's language rules. */
  embedded?: boolean
}

export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const en = opts.lang === 'en'
  const requirements = new Map(loadRequirements().map((r) => [r.id, r]))
  const byReq = new Map<string, { own: CheckResult[]; elsewhere: CheckResult[] }>()
  for (const r of report.results) {
    r.requirementIds.forEach((id, i) => {
      const slot = byReq.get(id) ?? { own: [], elsewhere: [] }
      ;(i === 0 ? slot.own : slot.elsewhere).push(r)
      byReq.set(id, slot)
    })
  }
  const order = [...requirements.keys()]
  const reqIds = [...byReq.keys()].sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9))
  const [vzh, ven, vicon, vdzh, vden] = VERDICT[report.verdict]
  const s = report.summary
  const subject = report.subject.baseUrl ?? report.subject.package?.fileName ?? ''
  const integrity = report.integrity ? verifyReport(report) : undefined
  const env = report.environment ?? {}
  const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'error')

  const body = `
<header class="top"><div><h1>${t('skillgate 合规检查报告', 'skillgate conformance report')}</h1>
<p>${t('对象', 'Subject')}: <strong>${tr(SUBJECT_TYPE, report.subject.type)} · ${tr(KIND, report.subject.kind)}</strong>${subject ? ` · <code>${h(subject)}</code>` : ''}${report.subject.package ? ` · sha256 <code>${h(report.subject.package.sha256)}</code>` : ''}</p>
<p>${t('模式', 'Mode')}: ${tr(MODE, report.mode)} · skillgate ${h(report.tool.version)} · ${t('规范版本', 'spec')} ${h(report.tool.specVersion)} · ${h(report.startedAt)} → ${h(report.finishedAt)}</p></div>
${opts.embedded ? '' : `<button type="button" id="lang-toggle" aria-pressed="${en}" title="切换语言 / Switch language"><span class="zh">English</span><span class="en">中文</span></button>`}</header>
<main>
<section class="verdict v-${report.verdict}" role="status" aria-live="polite" id="verdict"><span class="big"><span aria-hidden="true">${vicon}</span> ${t(vzh, ven)}</span>${t(vdzh, vden)}</section>
${report.selection ? `<section class="partial" role="note"><strong>${t('部分检测', 'Partial run')}</strong>: ${t('本次运行使用了 --only/--skip，仅覆盖部分检查项，不能作为入驻结论。', 'this run was limited with --only/--skip; it covers part of the catalogue and is not an admission verdict.')}${report.selection.only.length ? ` only: <code>${h(report.selection.only.join(','))}</code>` : ''}${report.selection.skip.length ? ` skip: <code>${h(report.selection.skip.join(','))}</code>` : ''}</section>` : ''}
<ul class="counts" aria-label="${en ? 'Summary' : '统计'}">
<li>${badge('pass')} <strong>${s.pass}</strong></li><li>${badge('fail')} <strong>${s.fail}</strong></li><li>${badge('warn')} <strong>${s.warn}</strong></li><li>${badge('skip')} <strong>${s.skip}</strong></li><li>${badge('error')} <strong>${s.error}</strong></li></ul>
${failed.length > 0 ? `<nav aria-label="${en ? 'Failures' : '未通过项'}"><h2>${t('需要修复', 'To fix')}</h2><ul>${failed.map((r) => `<li><a href="#${anchor(r.checkId)}">${h(r.checkId)}</a> ${badge(r.status)} ${h(r.requirementIds.join(', '))} — ${t(r.title['zh-CN'], r.title.en ?? r.title['zh-CN'])}</li>`).join('')}</ul></nav>` : ''}
${(report.warnings ?? []).length > 0 ? `<section><h2>${t('运行提示', 'Run warnings')}</h2><ul>${(report.warnings ?? []).map((w) => `<li lang="en">${h(w)}</li>`).join('')}</ul></section>` : ''}
<h2>${t('按要求列出的检查结果', 'Results by requirement')}</h2>
${reqIds.map((id) => { const slot = byReq.get(id) ?? { own: [], elsewhere: [] }; return requirementSection(id, requirements.get(id), slot.own, slot.elsewhere) }).join('\n')}
<section><h2>${t('抽样说明', 'Sampling')}</h2>${report.sampling
    ? `<p>${t(`实测 ${report.sampling.size} / ${report.sampling.population} 门课程的媒体${report.sampling.all ? '（全量）' : ''}。`, `Media measured for ${report.sampling.size} of ${report.sampling.population} courses${report.sampling.all ? ' (all)' : ''}.`)} ${h(report.sampling.confidence)}</p>`
    : `<p>${t('本次运行未做媒体抽样。', 'No media sampling in this run.')}</p>`}</section>
<section><h2>${t('运行环境', 'Environment')}</h2><table class="kv"><tbody>
<tr><th scope="row">ffprobe</th><td>${h(env.ffprobe ?? '—')}</td></tr>
<tr><th scope="row">${t('地理位置库', 'Geo database')}</th><td>${env.geoDatabase ? `${h(env.geoDatabase.name)} (${h(env.geoDatabase.buildDate)})` : '—'}</td></tr>
<tr><th scope="row">Node.js</th><td>${h(env.node ?? '—')}</td></tr></tbody></table></section>
<section id="integrity"><h2>${t('完整性', 'Integrity')}</h2>${report.integrity
    ? `<p>SHA-256: <code>${h(report.integrity.sha256)}</code></p><p>${integrity ? `${badge(integrity.ok ? 'pass' : 'fail')} ${t(integrity.message['zh-CN'], integrity.message.en)}` : ''}</p>${report.integrity.signature ? `<p>Ed25519 keyId <code>${h(report.integrity.signature.keyId)}</code></p>` : ''}<p>${t('用 skillgate report verify report.json --public-key 签发方公钥.pem 核验原始 JSON 报告。', 'Verify the original JSON with: skillgate report verify report.json --public-key signer.pem')}</p>`
    : `<p>${t('此报告未封存（无摘要）。', 'This report is not sealed (no digest).')}</p>`}</section>
</main>`

  return `<!DOCTYPE html>
<html lang="${en ? 'en' : 'zh-CN'}" class="${en ? 'lang-en' : 'lang-zh'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>skillgate · ${h(VERDICT[report.verdict][0])} / ${h(VERDICT[report.verdict][1])}${subject ? ` · ${h(subject)}` : ''}</title>
<style>${CSS}</style>
</head>
<body>${body}
<script>${SCRIPT}</script>
</body>
</html>
`
}
