// Markdown of the specification rendered for the /spec/ site with markdown-it: raw HTML in the
// source is escaped (html: false), headings get GitHub's anchors (github-slugger), so a link written
// for GitHub (README.md#conventions--约定) resolves here too, and links between the specification's
// Markdown files are pointed at the pages they became.
import GithubSlugger from 'github-slugger'
import MarkdownIt, { type Options } from 'markdown-it'
import type Token from 'markdown-it/lib/token.mjs'
import { posix } from 'node:path'

/** The site page a Markdown file of specs/ becomes: X/README.md → X/index.html, CHANGELOG.md → changelog.html. */
export function markdownPage(specPath: string): string {
  const dir = posix.dirname(specPath)
  const base = posix.basename(specPath)
  const page = base === 'README.md' ? 'index.html' : `${base.replace(/\.md$/, '').toLowerCase()}.html`
  return dir === '.' ? page : `${dir}/${page}`
}

/** The page a schema file becomes: schemas/preview.schema.json → schemas/preview.schema.html. */
export const schemaPage = (specPath: string): string => specPath.replace(/\.json$/, '.html')

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i

/**
 * Where a relative link written in the specification file `fromFile` points on the site, relative
 * to the page `fromPage` it is rendered into. External links and plain anchors are left alone.
 */
export function siteLink(href: string, fromFile: string, fromPage: string): string {
  if (EXTERNAL.test(href) || href.startsWith('#') || href === '') return href
  const [path, hash] = href.split('#') as [string, string | undefined]
  let target = posix.normalize(posix.join(posix.dirname(fromFile), path))
  if (target.endsWith('.md')) target = markdownPage(target)
  else if (target.endsWith('.schema.json')) target = schemaPage(target)
  else if (href.endsWith('/')) target = `${target}/index.html`
  const relative = posix.relative(posix.dirname(fromPage), target) || posix.basename(target)
  return hash === undefined ? relative : `${relative}#${hash}`
}

/** Plain text of an inline token (what GitHub slugs a heading from). */
function inlineText(token: Token | undefined): string {
  if (!token) return ''
  if (!token.children) return token.content
  return token.children.map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join('')
}

/** Render `source` (the file `fromFile` of specs/) as the body of the page `fromPage`. */
export function renderMarkdown(source: string, fromFile: string, fromPage: string): string {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false })
  const slugger = new GithubSlugger()
  md.renderer.rules.heading_open = (tokens, idx, options, _env, self) => {
    tokens[idx]!.attrSet('id', slugger.slug(inlineText(tokens[idx + 1])))
    return self.renderToken(tokens, idx, options)
  }
  const rewrite = (attr: string) => (tokens: Token[], idx: number, options: Options, _env: unknown, self: { renderToken: (t: Token[], i: number, o: Options) => string }): string => {
    const value = tokens[idx]!.attrGet(attr)
    if (value !== null) tokens[idx]!.attrSet(attr, siteLink(value, fromFile, fromPage))
    return self.renderToken(tokens, idx, options)
  }
  md.renderer.rules.link_open = rewrite('href')
  const image = md.renderer.rules.image!
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const src = tokens[idx]!.attrGet('src')
    if (src !== null) tokens[idx]!.attrSet('src', siteLink(src, fromFile, fromPage))
    return image(tokens, idx, options, env, self)
  }
  return md.render(source)
}
