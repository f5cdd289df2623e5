// The page shell of the /spec/ site: one stylesheet and one small script, both files of the site
// (no inline script, no CDN), so every page works under `default-src 'self'`, from any static
// server and opened from disk. Chinese comes first; a toggle shows both languages, or one.
import { posix } from 'node:path'

export interface Bilingual { 'zh-CN': string; en: string }

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!)

/** Both languages, Chinese first; each half can be hidden by the language toggle. */
export function bi(text: Bilingual | { 'zh-CN'?: string; en?: string }, tag = 'span'): string {
  const zh = text['zh-CN'] ? `<${tag} class="zh" lang="zh-CN">${esc(text['zh-CN'])}</${tag}>` : ''
  const en = text.en ? `<${tag} class="en" lang="en">${esc(text.en)}</${tag}>` : ''
  return [zh, en].filter(Boolean).join(tag === 'span' ? ' <span class="sep">/</span> ' : '')
}

/** Relative link from one site page to another site path (both relative to the site root). */
export function rel(fromPage: string, target: string): string {
  const [path, hash] = target.split('#') as [string, string | undefined]
  let r = posix.relative(posix.dirname(fromPage), path) || posix.basename(path)
  if (path.endsWith('/')) r = `${r.replace(/\/?$/, '/')}`
  return hash === undefined ? r : `${r}#${hash}`
}

export const NAV: ReadonlyArray<{ path: string; label: Bilingual }> = [
  { path: 'index.html', label: { 'zh-CN': '总览', en: 'Overview' } },
  { path: 'openapi/index.html', label: { 'zh-CN': '服务方接口', en: 'Provider API' } },
  { path: 'schemas/index.html', label: { 'zh-CN': '数据结构', en: 'Schemas' } },
  { path: 'checks.html', label: { 'zh-CN': '检查项', en: 'Checks' } },
  { path: 'requirements.html', label: { 'zh-CN': '需求目录', en: 'Requirements' } },
  { path: 'errors/index.html', label: { 'zh-CN': '错误码', en: 'Errors' } },
  { path: 'signing/index.html', label: { 'zh-CN': '请求签名', en: 'Signing' } },
  { path: 'changelog.html', label: { 'zh-CN': '变更记录', en: 'Changelog' } },
]

export interface PageOptions {
  /** Where the page sits, relative to the site root (`schemas/preview.schema.html`). */
  path: string
  title: Bilingual
  body: string
  /** Extra stylesheets and scripts, site-root relative. */
  styles?: string[]
  scripts?: string[]
  /** The raw file this page renders, site-root relative. */
  source?: string
}

export function renderPage(o: PageOptions): string {
  const link = (p: string): string => esc(rel(o.path, p))
  const nav = NAV.map((n) => `<a href="${link(n.path)}"${n.path === o.path ? ' aria-current="page"' : ''}>${bi(n.label)}</a>`).join('\n')
  const styles = ['assets/site.css', ...(o.styles ?? [])].map((s) => `<link rel="stylesheet" href="${link(s)}">`).join('\n')
  const scripts = ['assets/site.js', ...(o.scripts ?? [])].map((s) => `<script src="${link(s)}" defer></script>`).join('\n')
  const source = o.source ? `<p class="source"><span class="zh" lang="zh-CN">原始文件</span><span class="sep"> / </span><span class="en" lang="en">Source file</span>: <a href="${link(o.source)}">${esc(o.source)}</a></p>` : ''
  return `<!doctype html>
<html lang="zh-CN" data-show="both">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title['zh-CN'])} / ${esc(o.title.en)} · skillgate 统一技术规范</title>
${styles}
${scripts}
</head>
<body>
<header class="site">
<a class="brand" href="${link('index.html')}">skillgate 统一技术规范 <span class="en" lang="en">Unified technical specification</span> 1.1</a>
<nav>${nav}</nav>
<div class="langs" role="group" aria-label="语言 / Language">
<button type="button" data-lang="both">中文 + English</button><button type="button" data-lang="zh-CN">中文</button><button type="button" data-lang="en">English</button>
</div>
</header>
<main>
<h1>${bi(o.title)}</h1>
${source}
${o.body}
</main>
</body>
</html>
`
}

export const SITE_CSS = `:root{color-scheme:light;--fg:#1d2433;--muted:#5b6478;--line:#d9dee8;--accent:#b4232c;--bg:#fff;--code:#f4f6fa}
*{box-sizing:border-box}body{margin:0;font:15px/1.6 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header.site{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1.5rem;border-bottom:3px solid var(--accent);background:#fafbfd}
header.site .brand{font-weight:700;color:var(--fg);text-decoration:none}header.site nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem}
header.site nav a{color:var(--fg);text-decoration:none}header.site nav a[aria-current]{color:var(--accent);font-weight:600}
.langs{margin-left:auto}.langs button{font:inherit;font-size:13px;border:1px solid var(--line);background:#fff;padding:.15rem .5rem;cursor:pointer}
.langs button[aria-pressed=true]{background:var(--accent);color:#fff;border-color:var(--accent)}
main{max-width:78rem;margin:0 auto;padding:1rem 1.5rem 3rem}h1{font-size:1.6rem}h1 .sep{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:.8rem 0}th,td{border:1px solid var(--line);padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f0f3f8}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}code{background:var(--code);padding:0 .2em}
pre{background:var(--code);padding:.8rem;overflow:auto;border:1px solid var(--line)}pre code{background:none;padding:0}
.source,.muted{color:var(--muted);font-size:13px}.sep{color:var(--muted)}td .zh,td .en{display:block}td .sep{display:none}
.badge{display:inline-block;border:1px solid var(--line);border-radius:3px;padding:0 .35em;font-size:12px;margin:0 .2em .2em 0}
.must{border-color:var(--accent);color:var(--accent)}
html[data-show=zh-CN] .en{display:none!important}html[data-show=en] .zh{display:none!important}
html[data-show=zh-CN] .sep,html[data-show=en] .sep{display:none}
`

export const SITE_JS = `// Language toggle: both (default), Chinese only or English only; remembered when storage is allowed.
(function () {
  var root = document.documentElement
  var saved = null
  try { saved = window.localStorage.getItem('sg-spec-lang') } catch (e) { /* storage may be off */ }
  if (saved) root.setAttribute('data-show', saved)
  document.addEventListener('DOMContentLoaded', function () {
    var buttons = document.querySelectorAll('.langs button')
    function mark() { buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === root.getAttribute('data-show'))) }) }
    buttons.forEach(function (b) {
      b.addEventListener('click', function () {
        root.setAttribute('data-show', b.getAttribute('data-lang'))
        try { window.localStorage.setItem('sg-spec-lang', b.getAttribute('data-lang')) } catch (e) { /* ignore */ }
        mark()
      })
    })
    mark()
  })
})()
`
