// The /spec/ site: every published file of the specification as it is, plus pages rendered from
// them. The gateway serves this list under /spec/ and `skillgate spec export DIR --html` writes it,
// so the two cannot differ. Every link is relative and every asset is a file of the site: it works
// from any static server and opened from disk, and no page asks for anything from another origin.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { errorCodes } from '../errors.js'
import { listSpecFiles, type SpecFile } from '../publish.js'
import { checksBody, errorsTable, requirementsBody, schemaIndexBody, type CheckEntry, type RequirementEntry } from './catalogue-pages.js'
import { SITE_CSS, SITE_JS, bi, esc, renderPage, type Bilingual } from './layout.js'
import { markdownPage, renderMarkdown, schemaPage } from './markdown.js'
import { SWAGGER_INIT_JS, bundledProviderApi, openApiBody, swaggerUiAssets } from './openapi-page.js'
import { renderSchemaPage } from './schema-page.js'

export interface SiteFile { path: string; contentType: string; body: Buffer }

const HTML = 'text/html; charset=utf-8'
const html = (path: string, body: string): SiteFile => ({ path, contentType: HTML, body: Buffer.from(body) })

const MARKDOWN_TITLES: Record<string, Bilingual> = {
  'README.md': { 'zh-CN': '统一技术规范总览', en: 'Specification overview' },
  'CHANGELOG.md': { 'zh-CN': '规范变更记录', en: 'Specification changelog' },
  'signing/README.md': { 'zh-CN': '请求签名', en: 'Request signing' },
  'canaries/README.md': { 'zh-CN': '内容审核测试样本', en: 'Moderation canaries' },
  'categories/README.md': { 'zh-CN': '培训目录分类代码', en: 'Training-catalogue category codes' },
  'package/README.md': { 'zh-CN': '课程包格式', en: 'Course-package format' },
  'errors/README.md': { 'zh-CN': '错误码', en: 'Error codes' },
}

const jsonOf = <T>(f: SpecFile | undefined): T | undefined => (f ? (JSON.parse(f.body().toString('utf8')) as T) : undefined)

/** The index: where to start, every page of the site, then the specification's own README. */
function indexPage(pages: ReadonlyArray<{ path: string; title: Bilingual }>, readme: string): SiteFile {
  const list = pages.filter((p) => p.path !== 'index.html').map((p) => `<li><a href="${esc(p.path)}">${bi(p.title)}</a></li>`).join('\n')
  const body = `<h2 id="pages"><span class="zh">本站页面</span> <span class="en">Pages of this site</span></h2>
<ul class="pages">${list}</ul>
<p class="muted"><span class="zh">机器可读文件具规范效力，页面为其呈现。所有文件列表：</span><span class="en">The machine-readable files are normative; these pages present them. Every file:</span> <a href="index.json">index.json</a></p>
<hr>
${readme}`
  return html('index.html', renderPage({ path: 'index.html', title: { 'zh-CN': 'skillgate 统一技术规范 1.1', en: 'skillgate unified technical specification 1.1' }, body, source: 'README.md' }))
}

/** Every file of the site: the published specification files, then the rendered pages and assets. */
export async function buildSite(): Promise<SiteFile[]> {
  const files = listSpecFiles()
  const byPath = new Map(files.map((f) => [f.path, f]))
  const out: SiteFile[] = files.map((f) => ({ path: f.path, contentType: f.contentType, body: f.body() }))
  out.push({ path: 'index.json', contentType: 'application/json; charset=utf-8', body: Buffer.from(`${JSON.stringify({ title: 'skillgate unified technical specification v1 (1.1) / 统一技术规范', files: files.map((f) => ({ path: f.path, contentType: f.contentType })) }, null, 2)}\n`) })
  const pages: Array<{ path: string; title: Bilingual }> = []
  const add = (path: string, title: Bilingual, body: string, extra: Partial<Parameters<typeof renderPage>[0]> = {}): void => {
    pages.push({ path, title })
    out.push(html(path, renderPage({ path, title, body, ...extra })))
  }

  let readme = ''
  for (const f of files.filter((x) => x.path.endsWith('.md'))) {
    const page = markdownPage(f.path)
    let body = renderMarkdown(f.body().toString('utf8'), f.path, page)
    if (f.path === 'README.md') { readme = body; continue }
    if (f.path === 'errors/README.md') body += errorsTable(errorCodes)
    add(page, MARKDOWN_TITLES[f.path] ?? { 'zh-CN': f.path, en: f.path }, body, { source: f.path })
  }

  const schemaFiles = files.filter((f) => f.path.endsWith('.schema.json'))
  const schemaRows = []
  for (const f of schemaFiles) {
    const schema = jsonOf<Record<string, unknown>>(f)!
    const page = schemaPage(f.path)
    const { title, body } = renderSchemaPage(schema, f.path)
    add(page, title, body, { source: f.path })
    schemaRows.push({ page: posix.relative('schemas', page), file: f.path, title: String(schema.title ?? f.path), description: { 'zh-CN': String(schema['x-description-zh'] ?? ''), en: String(schema.description ?? '') } })
  }
  add('schemas/index.html', { 'zh-CN': '数据结构', en: 'Schemas' }, schemaIndexBody(schemaRows))

  const checks = jsonOf<{ checks: CheckEntry[] }>(byPath.get('checks/checks.json'))?.checks ?? []
  add('checks.html', { 'zh-CN': '检查项目录', en: 'Check catalogue' }, checksBody(checks), { source: 'checks/checks.json' })
  const requirements = jsonOf<{ requirements: RequirementEntry[] }>(byPath.get('requirements/requirements.json'))?.requirements ?? []
  add('requirements.html', { 'zh-CN': '需求目录', en: 'Requirement catalogue' }, requirementsBody(requirements, checks), { source: 'requirements/requirements.json' })

  add('openapi/index.html', { 'zh-CN': '服务方接口（OpenAPI 3.1）', en: 'Provider API (OpenAPI 3.1)' }, openApiBody(), {
    source: 'openapi/provider-api.openapi.json',
    styles: ['assets/swagger-ui/swagger-ui.css'],
    scripts: ['assets/swagger-ui/swagger-ui-bundle.js', 'openapi/provider-api.bundle.js', 'openapi/swagger-init.js'],
  })
  out.push({ path: 'openapi/provider-api.bundle.js', contentType: 'text/javascript; charset=utf-8', body: Buffer.from(await bundledProviderApi()) })
  out.push({ path: 'openapi/swagger-init.js', contentType: 'text/javascript; charset=utf-8', body: Buffer.from(SWAGGER_INIT_JS) })
  for (const a of swaggerUiAssets()) out.push({ path: a.path, contentType: a.path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', body: a.body })
  out.push({ path: 'assets/site.css', contentType: 'text/css; charset=utf-8', body: Buffer.from(SITE_CSS) })
  out.push({ path: 'assets/site.js', contentType: 'text/javascript; charset=utf-8', body: Buffer.from(SITE_JS) })

  out.push(indexPage(pages, readme))
  return out.sort((a, b) => a.path.localeCompare(b.path))
}

/** Write the site under `outDir`; returns the paths written. */
export async function exportSite(outDir: string): Promise<string[]> {
  const site = await buildSite()
  for (const f of site) {
    const target = join(outDir, f.path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, f.body)
  }
  return site.map((f) => f.path)
}

