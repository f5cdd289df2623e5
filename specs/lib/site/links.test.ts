// R7: the published documentation holds together. Every relative link and anchor in README.md,
// docs/*.md, specs/**/*.md and every page of the /spec/ site lands on a file and an element that
// exist; the checker is shown failing on deliberately broken links of each kind.
import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { packageRoot } from '../paths.js'
import { brokenLinks, htmlAnchors, markdownAnchors, type LinkSource, type LinkTargets } from './links.js'
import { buildSite } from './site.js'

function markdownUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e)
    if (statSync(full).isDirectory()) return e === 'lib' || e === 'node_modules' ? [] : markdownUnder(full)
    return e.endsWith('.md') ? [full] : []
  })
}

const repoTargets: LinkTargets = {
  resolve: (p) => (existsSync(join(packageRoot, p)) ? p : undefined),
  anchors: (p) => {
    if (statSync(join(packageRoot, p)).isDirectory()) return undefined
    const text = readFileSync(join(packageRoot, p), 'utf8')
    return p.endsWith('.md') ? markdownAnchors(text) : p.endsWith('.html') ? htmlAnchors(text) : undefined
  },
}

const repoSources = (): LinkSource[] => [join(packageRoot, 'README.md'), ...markdownUnder(join(packageRoot, 'docs')), ...markdownUnder(join(packageRoot, 'specs'))]
  .map((full) => ({ path: relative(packageRoot, full), text: readFileSync(full, 'utf8') }))

t.test('README.md, docs/ and specs/ Markdown: every relative link and anchor resolves', async (t) => {
  const sources = repoSources()
  t.ok(sources.some((s) => s.path === 'docs/walkthrough.md') && sources.some((s) => s.path === 'specs/CHANGELOG.md'), `${sources.length} files`)
  t.same(brokenLinks(sources, repoTargets), [])
})

t.test('every page of the /spec/ site: every link, asset and anchor resolves within the site', async (t) => {
  const site = await buildSite()
  const byPath = new Map(site.map((f) => [f.path, f]))
  const targets: LinkTargets = {
    resolve: (p) => (byPath.has(p) ? p : byPath.has(`${p === '.' ? '' : `${p}/`}index.html`) ? `${p === '.' ? '' : `${p}/`}index.html` : undefined),
    anchors: (p) => (p.endsWith('.html') ? htmlAnchors(byPath.get(p)!.body.toString('utf8')) : undefined),
  }
  const pages = site.filter((f) => f.path.endsWith('.html')).map((f) => ({ path: f.path, text: f.body.toString('utf8') }))
  t.ok(pages.length >= 30, `${pages.length} pages`)
  for (const must of ['index.html', 'signing/index.html', 'openapi/index.html', 'checks.html', 'requirements.html', 'schemas/preview.schema.html', 'changelog.html']) t.ok(byPath.has(must), must)
  t.same(brokenLinks(pages, targets), [])
})

t.test('the checker fails on broken links: a missing file, a missing anchor, a broken site asset', async (t) => {
  const broken = brokenLinks([
    { path: 'docs/broken.md', text: 'See [gone](../specs/no-such.md), [anchor](../specs/README.md#no-such-heading) and [fine](../specs/README.md#conventions--约定).' },
    { path: 'index.html', text: '<a href="schemas/missing.schema.html">x</a><script src="assets/none.js"></script><a href="index.html#nowhere">y</a><a href="#here" id="here">z</a>' },
  ], {
    resolve: (p) => (repoTargets.resolve(p) ?? (p === 'index.html' ? p : undefined)),
    anchors: (p) => (p === 'index.html' ? new Set(['here']) : repoTargets.anchors(p)),
  })
  t.same(broken.map((b) => `${b.from} ${b.href}`).sort(), [
    'docs/broken.md ../specs/README.md#no-such-heading',
    'docs/broken.md ../specs/no-such.md',
    'index.html assets/none.js',
    'index.html index.html#nowhere',
    'index.html schemas/missing.schema.html',
  ])
})
