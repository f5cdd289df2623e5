// The public shortlist page (R11: 入围公示 5 个工作日) in Chinese and English, with the objection form
// (issue 18): self-contained (no script, no external asset), readable on a 390 px phone (one card
// per provider, no wide table), and a plain HTML form that works without JavaScript. The objector
// gives a name and a contact, which a reviewer confirms before the objection pauses publicity.
import type { PublicityEntry } from '../workflow/publicity.js'
import type { ProviderKind } from '../workflow/requirements-by-kind.js'

export type Lang = 'zh-CN' | 'en'
export const langOf = (q: unknown): Lang => (q === 'en' ? 'en' : 'zh-CN')

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const KIND_TITLE: Readonly<Record<ProviderKind, { 'zh-CN': string; en: string }>> = {
  'on-demand': { 'zh-CN': '北京市职业技能提升行动点播培训平台方', en: 'On-demand training platform (Beijing Vocational Skills Upgrading Action)' },
  resource: { 'zh-CN': '北京市职业技能提升行动数字课程资源方', en: 'Digital course resource provider (Beijing Vocational Skills Upgrading Action)' },
  'self-hosted': { 'zh-CN': '北京市职业技能提升行动自有课培训平台方', en: 'Self-hosted course training platform (Beijing Vocational Skills Upgrading Action)' },
}

const T = {
  'zh-CN': {
    title: '入围名单公示', site: '北京市“互联网+职业技能培训”', other: 'English', otherLang: 'en',
    intro: '根据征集遴选办法第十一条，以下入围单位在平台公示 5 个工作日（按国家法定节假日及调休安排计算）。公示期内对公示单位有异议的，可通过本页下方的表格提交书面异议。',
    how: '异议须署真实姓名并留下联系方式（手机、座机或电子邮箱）。评审人员会先与您联系核实身份，核实后公示暂停，异议处理完毕后公示顺延。无法核实的异议不予受理。',
    none: '当前无公示中的单位。', uscc: '统一社会信用代码', kind: '拟准入类别', start: '公示开始', end: '公示截止', endNote: '（当日 24:00）', status: '状态', appId: '申请编号',
    state: { publicity: '公示中', paused: '因异议暂停' },
    formTitle: '提交异议', target: '异议对象', name: '姓名', contact: '联系方式', contactHint: '手机、座机或电子邮箱，用于核实身份，不会公开。', text: '异议内容', textHint: '请写明事实和理由，可附证据说明。',
    submit: '提交异议', noForm: '当前无公示中的单位，无需提交异议。', errorsTitle: '请修改以下内容后重新提交：',
    received: (id: string) => `已收到您的异议（编号 ${id}）。评审人员将通过您留下的联系方式与您核实，核实后公示暂停。`,
    limited: (s: number) => `此联系方式提交的异议过多，请 ${Math.ceil(s / 60)} 分钟后再试。`,
    err: { applicationId: '请选择异议对象（公示中的单位）。', name: '请填写姓名（1–100 个字）。', contact: '请填写有效的手机、座机号码或电子邮箱。', text: '请填写异议内容（1–20000 个字）。' },
    generated: '生成时间', tz: '北京时间',
  },
  en: {
    title: 'Shortlist under publicity', site: 'Beijing "Internet + Vocational Skills Training"', other: '中文', otherLang: 'zh-CN',
    intro: 'Under Article 11 of the selection rules, the shortlisted providers below are shown for 5 working days (counted with the national holidays and make-up working days). Anyone who objects to a provider during that time can file a written objection with the form below.',
    how: 'An objection must give your real name and a contact (mobile, landline or e-mail). A reviewer first contacts you to confirm who you are; once confirmed, publicity pauses and resumes, extended, when the objection is decided. Objections that cannot be confirmed are not considered.',
    none: 'No provider is under publicity at the moment.', uscc: 'Unified social credit code', kind: 'Admission sought', start: 'Publicity starts', end: 'Publicity ends', endNote: ' (24:00 that day)', status: 'Status', appId: 'Application number',
    state: { publicity: 'Under publicity', paused: 'Paused by an objection' },
    formTitle: 'File an objection', target: 'Provider objected to', name: 'Your name', contact: 'Your contact', contactHint: 'Mobile, landline or e-mail, used only to confirm who you are; never published.', text: 'Your objection', textHint: 'State the facts and your reasons; describe any evidence.',
    submit: 'File the objection', noForm: 'No provider is under publicity, so there is nothing to object to.', errorsTitle: 'Please correct the following and send again:',
    received: (id: string) => `Your objection was received (number ${id}). A reviewer will contact you to confirm it; publicity pauses once it is confirmed.`,
    limited: (s: number) => `Too many objections from this contact; try again in ${Math.ceil(s / 60)} minutes.`,
    err: { applicationId: 'Choose the provider you object to (one under publicity).', name: 'Give your name (1–100 characters).', contact: 'Give a valid mobile or landline number or e-mail address.', text: 'Write your objection (1–20,000 characters).' },
    generated: 'Generated', tz: 'Beijing time',
  },
} as const

export type ObjectionField = 'applicationId' | 'name' | 'contact' | 'text'
export type ObjectionForm = Record<ObjectionField, string>

/** Phone (digits with spaces, dashes, brackets, optional +) or e-mail: the gateway API uses the same pattern. */
export const CONTACT_PATTERN = '^(?:\\+?[0-9][0-9 ()\\-]{5,30}[0-9]|[^\\s@]{1,64}@[^\\s@]{1,190}\\.[^\\s@]{2,63})$'
const contactRe = new RegExp(CONTACT_PATTERN, 'u')
// Control characters (NUL included) are never valid in a form field.
// eslint-disable-next-line no-control-regex
const controlRe = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u

/** Field errors of a submitted form (none: valid), in the page's language. */
export function validateObjectionForm(f: ObjectionForm, lang: Lang, underPublicity: readonly string[]): Partial<Record<ObjectionField, string>> {
  const e: Partial<Record<ObjectionField, string>> = {}
  const m = T[lang].err
  const bad = (s: string, max: number) => s.trim() === '' || [...s].length > max || controlRe.test(s)
  if (!underPublicity.includes(f.applicationId)) e.applicationId = m.applicationId
  if (bad(f.name, 100)) e.name = m.name
  if (bad(f.contact, 200) || !contactRe.test(f.contact.trim())) e.contact = m.contact
  if (bad(f.text, 20000)) e.text = m.text
  return e
}

export interface PageOptions {
  lang: Lang
  now: number
  form?: ObjectionForm
  errors?: Partial<Record<ObjectionField, string>>
  received?: string
  retryAfterSeconds?: number
}

function card(i: PublicityEntry, lang: Lang): string {
  const t = T[lang]
  const paused = i.state === 'publicity-paused'
  const row = (k: string, v: string) => `<div><dt>${k}</dt><dd>${v}</dd></div>`
  return `<li class="card"><h3>${escapeHtml(i.organisation)}</h3><dl>
${row(t.status, `<span class="badge${paused ? ' paused' : ''}">${paused ? t.state.paused : t.state.publicity}</span>`)}
${row(t.kind, escapeHtml(KIND_TITLE[i.kind]?.[lang] ?? i.titleZh))}
${row(t.uscc, `<span class="mono">${escapeHtml(i.uscc)}</span>`)}
${row(t.start, escapeHtml(i.startDate))}
${row(t.end, `${escapeHtml(i.endDate)}${t.endNote}`)}
${row(t.appId, `<span class="mono small">${escapeHtml(i.applicationId)}</span>`)}
</dl></li>`
}

function objectionForm(items: readonly PublicityEntry[], o: PageOptions): string {
  const t = T[o.lang]
  if (items.length === 0) return `<p>${t.noForm}</p>`
  const v = o.form ?? { applicationId: '', name: '', contact: '', text: '' }
  const err = o.errors ?? {}
  const invalid = (f: ObjectionField) => (err[f] ? ` aria-invalid="true" aria-describedby="${f}-error"` : '')
  const msg = (f: ObjectionField) => (err[f] ? `<p class="error" id="${f}-error">${escapeHtml(err[f])}</p>` : '')
  const summary = Object.keys(err).length === 0 ? '' : `<div class="alert" role="alert"><p>${t.errorsTitle}</p><ul>${Object.values(err).map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
  const options = items.map((i) => `<option value="${escapeHtml(i.applicationId)}"${i.applicationId === v.applicationId ? ' selected' : ''}>${escapeHtml(i.organisation)}</option>`).join('')
  return `${summary}<form method="post" action="/publicity/objections" novalidate>
<input type="hidden" name="lang" value="${o.lang}">
<label for="applicationId">${t.target}</label>
<select id="applicationId" name="applicationId" required${invalid('applicationId')}>${items.length > 1 ? `<option value=""></option>` : ''}${options}</select>${msg('applicationId')}
<label for="name">${t.name}</label>
<input id="name" name="name" autocomplete="name" required maxlength="100" value="${escapeHtml(v.name)}"${invalid('name')}>${msg('name')}
<label for="contact">${t.contact}</label>
<p class="hint" id="contact-hint">${t.contactHint}</p>
<input id="contact" name="contact" autocomplete="tel" required maxlength="200" value="${escapeHtml(v.contact)}" aria-describedby="contact-hint${err.contact ? ' contact-error' : ''}"${err.contact ? ' aria-invalid="true"' : ''}>${msg('contact')}
<label for="text">${t.text}</label>
<p class="hint" id="text-hint">${t.textHint}</p>
<textarea id="text" name="text" rows="6" required maxlength="20000" aria-describedby="text-hint${err.text ? ' text-error' : ''}"${err.text ? ' aria-invalid="true"' : ''}>${escapeHtml(v.text)}</textarea>${msg('text')}
<button type="submit">${t.submit}</button>
</form>`
}

const STYLE = `*{box-sizing:border-box}
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:64rem;padding:1rem;color:#1a1a1a;line-height:1.6;overflow-wrap:break-word}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .6rem}h3{font-size:1.05rem;margin:0 0 .4rem}
.site{color:#444;margin:0}a{color:#0b57a4}
.cards{list-style:none;padding:0;margin:0;display:grid;gap:.8rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,19rem),1fr))}
.card{border:1px solid #bbb;border-radius:.4rem;padding:.8rem 1rem;background:#fff}
dl{margin:0}dl div{display:flex;flex-wrap:wrap;gap:0 .5rem;padding:.15rem 0}dt{color:#444;min-width:7.5rem}dd{margin:0}
.mono{font-family:ui-monospace,Consolas,monospace}.small{font-size:.85rem}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;background:#e3f1e6;color:#14532d}.badge.paused{background:#fde8d7;color:#7a2e00}
form{display:grid;gap:.3rem;max-width:40rem}label{font-weight:600;margin-top:.6rem}
input,select,textarea{font:inherit;padding:.45rem .5rem;border:1px solid #767676;border-radius:.3rem;width:100%}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#0b57a4;color:#fff;cursor:pointer;justify-self:start}
.hint{margin:0;color:#444;font-size:.9rem}.error{margin:0;color:#a4000f}[aria-invalid=true]{border-color:#a4000f}
.alert{border:2px solid #a4000f;padding:.5rem 1rem;border-radius:.3rem}.ok{border:2px solid #14532d;padding:.5rem 1rem;border-radius:.3rem}
.note{color:#444;font-size:.9rem}`

export function renderPublicityPage(items: readonly PublicityEntry[], o: PageOptions): string {
  const t = T[o.lang]
  const generatedAt = new Date(o.now).toLocaleString(o.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
  const status = o.received ? `<p class="ok" role="status">${escapeHtml(t.received(o.received))}</p>`
    : o.retryAfterSeconds !== undefined ? `<p class="alert" role="alert">${escapeHtml(t.limited(o.retryAfterSeconds))}</p>` : ''
  return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title} — ${t.site}</title>
<style>
${STYLE}
</style>
</head>
<body>
<header><div><p class="site">${t.site}</p><h1>${t.title}</h1></div><a href="/publicity?lang=${t.otherLang === 'en' ? 'en' : 'zh-CN'}" lang="${t.otherLang}" hreflang="${t.otherLang}">${t.other}</a></header>
<main>
${status}
<p>${t.intro}</p>
<p>${t.how}</p>
${items.length ? `<ul class="cards">\n${items.map((i) => card(i, o.lang)).join('\n')}\n</ul>` : `<p>${t.none}</p>`}
<h2 id="objection">${t.formTitle}</h2>
${objectionForm(items, o)}
<p class="note">${t.generated}: ${escapeHtml(generatedAt)} (${t.tz})</p>
</main>
</body>
</html>
`
}
