// Link check for the documentation and the /spec/ site: every relative link and anchor must land
// on a file that exists and, for a fragment, on an element with that id (or a Markdown heading
// with that GitHub slug). External links (a scheme or //host) are not fetched: nothing here goes
// on the network.
import GithubSlugger from 'github-slugger'
import MarkdownIt from 'markdown-it'
import type Token from 'markdown-it/lib/token.mjs'
import { posix } from 'node:path'

export interface LinkSource { path: string; text: string }
export interface BrokenLink { from: string; href: string; reason: string }

/** What the checker may ask about a target file. */
export interface LinkTargets {
  /** The file's path when it exists (a directory may resolve to its index), else undefined. */
  resolve(path: string): string | undefined
  /** Anchors of a Markdown or HTML file; undefined for files without anchors (JSON, images). */
  anchors(path: string): Set<string> | undefined
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i
const md = new MarkdownIt({ html: false })

function walkTokens(tokens: Token[], visit: (t: Token) => void): void {
  for (const t of tokens) {
    visit(t)
    if (t.children) walkTokens(t.children, visit)
  }
}

export function markdownLinks(source: string): string[] {
  const out: string[] = []
  walkTokens(md.parse(source, {}), (t) => {
    const v = t.type === 'link_open' ? t.attrGet('href') : t.type === 'image' ? t.attrGet('src') : null
    if (v !== null) out.push(v)
  })
  return out
}

export function markdownAnchors(source: string): Set<string> {
  const slugger = new GithubSlugger()
  const out = new Set<string>()
  const tokens = md.parse(source, {})
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return
    const inline = tokens[i + 1]
    const text = (inline?.children ?? []).map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join('')
    out.add(slugger.slug(text))
  })
  for (const m of source.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!)
  return out
}

const attr = /\s(?:href|src)="([^"]*)"/g
export const htmlLinks = (html: string): string[] => [...html.matchAll(attr)].map((m) => m[1]!.replace(/&amp;/g, '&'))
export const htmlAnchors = (html: string): Set<string> => new Set([...html.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"')))

/** Every broken relative link of `sources` (each a Markdown or HTML file, by its extension). */
export function brokenLinks(sources: readonly LinkSource[], targets: LinkTargets): BrokenLink[] {
  const broken: BrokenLink[] = []
  for (const s of sources) {
    const links = s.path.endsWith('.md') ? markdownLinks(s.text) : htmlLinks(s.text)
    for (const href of links) {
      if (EXTERNAL.test(href)) continue
      const [rawPath, rawHash] = href.split('#') as [string, string | undefined]
      let path: string
      let hash: string | undefined
      try {
        path = decodeURI(rawPath)
        hash = rawHash === undefined ? undefined : decodeURIComponent(rawHash)
      } catch {
        broken.push({ from: s.path, href, reason: 'not a valid URI' })
        continue
      }
      const joined = path === '' ? s.path : path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(s.path), path)
      const target = targets.resolve(posix.normalize(joined).replace(/\/$/, '') || '.')
      if (target === undefined) {
        broken.push({ from: s.path, href, reason: `no file ${posix.normalize(joined)}` })
        continue
      }
      if (hash === undefined || hash === '') continue
      const anchors = targets.anchors(target)
      if (anchors && !anchors.has(hash)) broken.push({ from: s.path, href, reason: `${target} has no anchor #${hash}` })
    }
  }
  return broken
}
