// Pages built from the specification's catalogues: the kit's checks (checks/checks.json), the
// requirements with their clause text (requirements/requirements.json), every error code
// (errors.json) and the list of schemas. Each row has an anchor, so other pages link to it.
import { bi, esc, type Bilingual } from './layout.js'

export interface CheckEntry {
  id: string
  requirementIds: string[]
  severity: 'must' | 'should'
  kinds: string[]
  subject: string
  dependsOn: string[]
  title: Bilingual
  does?: Bilingual
  failureMeans?: Bilingual
}

export interface RequirementEntry { id: string; clause: string; clauseZh: string; summary: string; kinds: string[]; verifiedBy: string[] }
export interface ErrorEntry { status: number; title: Bilingual; fix: Bilingual }

const th = (zh: string, en: string): string => `<th><span class="zh">${esc(zh)}</span> <span class="en">${esc(en)}</span></th>`
const badges = (xs: readonly string[], cls = ''): string => xs.map((x) => `<span class="badge ${cls}">${esc(x)}</span>`).join('')
const reqLink = (id: string, toRequirements: string): string => `<a href="${esc(`${toRequirements}#${id}`)}">${esc(id)}</a>`

export function checksBody(checks: readonly CheckEntry[]): string {
  const intro = `${bi({
    'zh-CN': `检测工具共 ${checks.length} 个检查项，由其代码中的检查清单生成（checks/checks.json）。检查项标识可用于 skillgate probe / check-package 的 --only 与 --skip，以及检测配置文件（schemas/probe-config.schema.json）的 only 与 skip。must 项不通过即判定不合规；should 项只给出提示。`,
    en: `The kit's ${checks.length} checks, generated from its own check list (checks/checks.json). A check ID may be given to --only and --skip of skillgate probe / check-package, and to only and skip in the probe config (schemas/probe-config.schema.json). A failed must-check makes the subject not conformant; a should-check only warns.`,
  }, 'p')}<p><a href="checks/checks.json">checks/checks.json</a></p>`
  const head = `<tr>${th('检查项', 'Check')}${th('要求', 'Requirements')}${th('类型与级别', 'Kinds, severity')}${th('检查内容', 'What it does')}${th('不通过意味着', 'What a failure means')}</tr>`
  const body = checks.map((c) => `<tr id="${esc(c.id)}">
<td><code>${esc(c.id)}</code><br>${bi(c.title)}${c.dependsOn.length ? `<br><span class="muted"><span class="zh">前置</span><span class="en">after</span>: ${c.dependsOn.map((d) => `<a href="#${esc(d)}">${esc(d)}</a>`).join(', ')}</span>` : ''}</td>
<td>${c.requirementIds.map((r) => reqLink(r, 'requirements.html')).join(', ')}</td>
<td>${badges(c.kinds)}<br>${badges([c.severity], c.severity === 'must' ? 'must' : '')} ${badges([c.subject])}</td>
<td>${c.does ? bi(c.does) : ''}</td>
<td>${c.failureMeans ? bi(c.failureMeans) : ''}</td></tr>`).join('\n')
  return `${intro}<table>${head}\n${body}</table>`
}

export function requirementsBody(requirements: readonly RequirementEntry[], checks: readonly CheckEntry[]): string {
  const byReq = new Map<string, string[]>()
  for (const c of checks) for (const r of c.requirementIds) byReq.set(r, [...(byReq.get(r) ?? []), c.id])
  const intro = `${bi({
    'zh-CN': '依据《“互联网+职业技能培训”平台及课程资源方征集指引（试行）》逐条整理的需求目录：条款原文、英文摘要、约束的服务方类型、核验方式（probe 线上检测、package 课程包检测、evidence 材料审核、workflow 准入与管理流程）以及核验它的检查项。',
    en: 'Every enforceable clause of the solicitation guideline as a requirement: the clause in Chinese, an English summary, the provider kinds it binds, how it is verified (probe over the wire, package on an uploaded package, evidence by a reviewer, workflow by the gateway) and the checks that verify it.',
  }, 'p')}<p><a href="requirements/requirements.json">requirements/requirements.json</a></p>`
  const head = `<tr>${th('编号', 'ID')}${th('条款', 'Clause')}${th('条款原文与摘要', 'Clause text and summary')}${th('类型', 'Kinds')}${th('核验方式与检查项', 'Verified by, checks')}</tr>`
  const body = requirements.map((r) => `<tr id="${esc(r.id)}"><td><code>${esc(r.id)}</code></td><td>${esc(r.clause)}</td><td>${bi({ 'zh-CN': r.clauseZh, en: r.summary })}</td><td>${badges(r.kinds)}</td>
<td>${badges(r.verifiedBy)}${(byReq.get(r.id) ?? []).map((c) => `<br><a href="checks.html#${esc(c)}"><code>${esc(c)}</code></a>`).join('')}</td></tr>`).join('\n')
  return `${intro}<table>${head}\n${body}</table>`
}

export function errorsTable(codes: Readonly<Record<string, ErrorEntry>>): string {
  const head = `<tr>${th('错误码', 'Code')}${th('HTTP 状态', 'HTTP status')}${th('标题', 'Title')}${th('修正方法', 'How to fix it')}</tr>`
  const body = Object.entries(codes).sort(([a], [b]) => a.localeCompare(b)).map(([code, e]) => `<tr id="${esc(code)}"><td><code>${esc(code)}</code></td><td>${e.status}</td><td>${bi(e.title)}</td><td>${bi(e.fix)}</td></tr>`).join('\n')
  return `<h2 id="codes"><span class="zh">全部错误码</span> <span class="en">Every code</span></h2><p><a href="../errors.json">errors.json</a></p><table>${head}\n${body}</table>`
}

export function schemaIndexBody(schemas: ReadonlyArray<{ page: string; file: string; title: string; description: Bilingual }>): string {
  const head = `<tr>${th('数据结构', 'Schema')}${th('说明', 'Description')}</tr>`
  const body = schemas.map((s) => `<tr><td><a href="${esc(s.page)}">${esc(s.title)}</a><br><span class="muted">${esc(s.file)}</span></td><td>${bi(s.description)}</td></tr>`).join('\n')
  return `${bi({ 'zh-CN': '全部 JSON Schema（2020-12），各带 $id、中英文说明与示例；每个示例都经过校验。', en: 'Every JSON Schema (2020-12), each with an $id, descriptions in both languages and examples; every example is validated.' }, 'p')}<table>${head}\n${body}</table>`
}
