// Every `zh-CN` text a user can read is Chinese (issue 17): error titles and fixes, check titles and
// messages, fix texts, report labels, the published schemas' Chinese descriptions. English in a
// zh-CN field is how a Chinese reviewer ends up reading an untranslated report.
//
// Two sweeps, each shown failing on a planted case:
//  - every JSON file under specs/ (errors, schemas, OpenAPI, catalogues): each `zh-CN`,
//    `x-description-zh` and `x-summary-zh` string;
//  - every product TypeScript file: each `'zh-CN':` property and each `bi(zh, en)` call whose
//    Chinese side is a literal or a template (its literal parts are what a reader sees; a text made
//    wholly from variables is checked where the variables come from).
// A text passes when it holds a CJK character or is on ALLOW, the short list of codes and units that
// read the same in both languages (at most 20, asserted below).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'
import ts from 'typescript'

const ROOT = join(import.meta.dirname, '..', '..')
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/u

/** Texts that are the same in both languages: codes, units, symbols. */
const ALLOW = new Set<string>(['', '-', '—', 'HLS', 'MP4', 'URL', 'JSON', 'CSV', 'ID', 'API', 's', '%', 'OK', 'USCC'])

const isChinese = (text: string): boolean => CJK.test(text) || ALLOW.has(text.trim())

function walkFiles(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walkFiles(path, keep, out)
    else if (keep(path)) out.push(path)
  }
  return out
}

const ZH_KEYS = new Set(['zh-CN', 'x-description-zh', 'x-summary-zh'])

/** `zh-CN` strings in a parsed JSON document that are not Chinese, as `pointer: text`. */
export function englishInJson(doc: unknown, at = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => englishInJson(v, `${at}/${i}`))
  if (doc === null || typeof doc !== 'object') return []
  return Object.entries(doc).flatMap(([k, v]) =>
    ZH_KEYS.has(k) && typeof v === 'string' ? (isChinese(v) ? [] : [`${at}/${k}: ${v}`]) : englishInJson(v, `${at}/${k}`))
}

/** The literal text of a string or template expression (substitutions dropped); undefined when it is computed. */
function literalText(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => s.literal.text).join('')
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression)
  if (ts.isConditionalExpression(node)) {
    const a = literalText(node.whenTrue)
    const b = literalText(node.whenFalse)
    // Both branches are read by someone: report the one that is not Chinese.
    if (a !== undefined && !isChinese(a)) return a
    return b ?? a
  }
  return undefined
}

/** `zh-CN` texts in TypeScript source that are not Chinese, as `line: text`. */
export function englishInSource(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const check = (node: ts.Expression): void => {
    const text = literalText(node)
    if (text !== undefined && !isChinese(text)) {
      found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${text.slice(0, 100)}`)
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isStringLiteral(node.name) && ZH_KEYS.has(node.name.text)) check(node.initializer)
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'bi' && node.arguments.length === 2) {
      check(node.arguments[0]!)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

t.test('every zh-CN text in the published specification files is Chinese', async (t) => {
  const files = walkFiles(join(ROOT, 'specs'), (p) => p.endsWith('.json'))
  t.ok(files.length > 30, `${files.length} JSON files under specs/`)
  const bad = files.flatMap((f) => englishInJson(JSON.parse(readFileSync(f, 'utf8'))).map((e) => `${relative(ROOT, f)}${e}`))
  t.same(bad, [], 'no English in a zh-CN field of specs/**/*.json')
})

t.test('every zh-CN text written in the product source is Chinese', async (t) => {
  const product = (p: string): boolean => /\.ts$/.test(p) && !/\.(test|test-support|gen)\.ts$/.test(p)
  const files = ['bin', 'conformance', 'gateway', 'specs', 'fixtures'].flatMap((d) => walkFiles(join(ROOT, d), product))
  t.ok(files.length > 100, `${files.length} product source files`)
  const bad = files.flatMap((f) => englishInSource(f, readFileSync(f, 'utf8')).map((e) => `${relative(ROOT, f)}:${e}`))
  t.same(bad, [], 'no English in a zh-CN property or bi() call')
})

t.test('the sweeps catch English planted in a zh-CN field (the test can fail)', async (t) => {
  t.same(englishInJson({ a: { title: { 'zh-CN': 'Not translated', en: 'Not translated' } } }), ['/a/title/zh-CN: Not translated'])
  t.same(englishInJson({ description: 'x', 'x-description-zh': 'English only' }), ['/x-description-zh: English only'])
  t.same(englishInJson({ title: { 'zh-CN': '已翻译', en: 'Translated' } }), [])
  const src = [
    "fail({ 'zh-CN': `${n} courses, fewer than 100`, en: `${n} courses` })",
    "pass({ 'zh-CN': `${n} 门课程`, en: `${n} courses` })",
    "const x = bi('The package opens', 'The package opens')",
    "const y = { 'zh-CN': ok ? '通过' : 'failed', en: 'x' }",
  ].join('\n')
  t.same(englishInSource('planted.ts', src), ['1:  courses, fewer than 100', "3: The package opens", '4: failed'])
})

t.test('the allow-list stays a short list of codes and units', async (t) => {
  t.ok(ALLOW.size <= 20, `${ALLOW.size} allowed texts`)
  for (const a of ALLOW) t.notOk(/\s/.test(a.trim()) && a.trim().split(/\s+/).length > 1, `"${a}" is one token`)
})

t.test('a real report of a failing platform and of a wrong secret carries Chinese in every zh-CN field', async (t) => {
  // Imported here so the static sweeps above stay cheap when run alone.
  const { withProvider, probeProvider } = await import('../../conformance/checks/probe-harness.test-support.js')
  const defects = ['free-share-40', 'preview-declared-600-media-300', 'accepts-unsigned', 'schema-drift', 'pagination-repeats'] as const
  await withProvider({ kind: 'on-demand', courses: 30, defects }, async (p) => {
    const failing = await probeProvider(p, { sample: 10 })
    t.ok(failing.results.filter((r) => r.status === 'fail').length >= defects.length, 'the defects fail their checks')
    t.same(englishInJson(failing), [], 'failing platform: every zh-CN field is Chinese')
    const wrongSecret = await probeProvider(p, { secret: 'not-the-secret', sample: 10 })
    t.ok(wrongSecret.results.some((r) => r.status !== 'pass'), 'a wrong secret does not pass')
    t.same(englishInJson(wrongSecret), [], 'wrong secret: every zh-CN field is Chinese')
  })
})
