// One JSON Schema of the specification rendered readably: its descriptions in both languages, a
// table of its fields (nested objects and array items flattened to dotted paths), its shared
// definitions, conditions and examples, with every $ref linked to the page of what it points at.
import { posix } from 'node:path'
import { bi, esc, type Bilingual } from './layout.js'
import { schemaPage } from './markdown.js'

type Schema = Record<string, unknown>

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)
const MAX_DEPTH = 4

/** Link target (relative to the page) of a $ref written in the schema file `file`. */
export function refTarget(ref: string, file: string): { href: string; label: string } {
  const [doc, pointer] = ref.split('#') as [string, string | undefined]
  const def = pointer?.startsWith('/$defs/') ? pointer.slice('/$defs/'.length) : undefined
  const anchor = def ? `#def-${def}` : ''
  if (doc === '') return { href: anchor || '#fields', label: def ?? ref }
  const target = schemaPage(posix.normalize(posix.join(posix.dirname(file), doc)))
  const href = `${posix.relative(posix.dirname(schemaPage(file)), target)}${anchor}`
  return { href, label: `${doc.replace(/\.schema\.json$/, '')}${def ? `#${def}` : ''}` }
}

/** Type and constraints of a subschema, as one short HTML line. */
function typeOf(s: Schema, file: string): string {
  const parts: string[] = []
  if (typeof s.$ref === 'string') {
    const t = refTarget(s.$ref, file)
    parts.push(`<a href="${esc(t.href)}">${esc(t.label)}</a>`)
  }
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (Array.isArray(s[k])) parts.push(`${k}(${(s[k] as Schema[]).map((x) => typeOf(x, file)).join(' | ')})`)
  }
  if (s.type !== undefined) parts.push(`<code>${esc(Array.isArray(s.type) ? s.type.join(' | ') : s.type)}</code>`)
  if (s.type === 'array' && isObject(s.items)) parts.push(`of ${typeOf(s.items, file)}`)
  if (s.const !== undefined) parts.push(`= <code>${esc(JSON.stringify(s.const))}</code>`)
  if (Array.isArray(s.enum)) parts.push(`one of ${s.enum.map((e) => `<code>${esc(JSON.stringify(e))}</code>`).join(', ')}`)
  const limits: Array<[string, string]> = [['format', 'format'], ['pattern', 'pattern'], ['minimum', '≥'], ['maximum', '≤'], ['minLength', 'length ≥'], ['maxLength', 'length ≤'], ['minItems', 'items ≥'], ['maxItems', 'items ≤'], ['default', 'default']]
  for (const [k, label] of limits) if (s[k] !== undefined) parts.push(`${label} <code>${esc(typeof s[k] === 'string' ? s[k] : JSON.stringify(s[k]))}</code>`)
  if (s.uniqueItems === true) parts.push('unique')
  return parts.join(' ') || '<span class="muted">any</span>'
}

interface Row { path: string; required: boolean; schema: Schema }

/** Fields of an object schema, nested objects and array items flattened (`preview.startSeconds`, `lessons[]`). */
function rows(s: Schema, prefix: string, depth: number, out: Row[]): Row[] {
  const props = isObject(s.properties) ? s.properties : {}
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : [])
  for (const [name, raw] of Object.entries(props)) {
    if (!isObject(raw)) continue
    const path = prefix ? `${prefix}.${name}` : name
    out.push({ path, required: required.has(name), schema: raw })
    if (depth >= MAX_DEPTH) continue
    if (isObject(raw.properties)) rows(raw, path, depth + 1, out)
    else if (raw.type === 'array' && isObject(raw.items) && isObject(raw.items.properties)) rows(raw.items, `${path}[]`, depth + 1, out)
  }
  return out
}

const describe = (s: Schema): string => {
  const text = { 'zh-CN': typeof s['x-description-zh'] === 'string' ? s['x-description-zh'] : '', en: typeof s.description === 'string' ? s.description : '' }
  return text['zh-CN'] || text.en ? bi(text) : ''
}

function fieldTable(s: Schema, file: string, id: string): string {
  const list = rows(s, '', 1, [])
  if (list.length === 0) return `<p id="${esc(id)}">${typeOf(s, file)}</p>`
  const head = '<tr><th><span class="zh">字段</span> <span class="en">Field</span></th><th><span class="zh">必填</span> <span class="en">Required</span></th><th><span class="zh">类型与约束</span> <span class="en">Type and constraints</span></th><th><span class="zh">说明</span> <span class="en">Description</span></th></tr>'
  const body = list.map((r) => `<tr id="${esc(`${id}-${r.path}`)}"><td><code>${esc(r.path)}</code></td><td>${r.required ? '✓' : ''}</td><td>${typeOf(r.schema, file)}</td><td>${describe(r.schema)}</td></tr>`).join('\n')
  const extra = s.additionalProperties === false ? '<p class="muted"><span class="zh">不允许其他字段。</span> <span class="en">No other fields are allowed.</span></p>' : ''
  return `<table id="${esc(id)}">${head}\n${body}</table>${extra}`
}

const json = (v: unknown): string => `<pre><code>${esc(JSON.stringify(v, null, 2))}</code></pre>`

export interface SchemaPageContent { title: Bilingual; body: string }

/** The page body for the schema file `file` (a path under specs/). */
export function renderSchemaPage(schema: Schema, file: string): SchemaPageContent {
  const title = typeof schema.title === 'string' ? schema.title : file
  const parts = [`<p><code>$id</code> <code>${esc(schema.$id)}</code></p>`, `<div class="description">${describe(schema)}</div>`]
  parts.push('<h2 id="fields"><span class="zh">字段</span> <span class="en">Fields</span></h2>', fieldTable(schema, file, 'field'))
  for (const k of ['if', 'then', 'else', 'oneOf', 'anyOf', 'allOf'] as const) {
    if (schema[k] !== undefined) parts.push(`<h3 id="rule-${k}"><code>${k}</code></h3>`, json(schema[k]))
  }
  const defs = isObject(schema.$defs) ? schema.$defs : {}
  if (Object.keys(defs).length > 0) {
    parts.push('<h2 id="defs"><span class="zh">公共定义</span> <span class="en">Definitions</span></h2>')
    for (const [name, def] of Object.entries(defs)) {
      if (!isObject(def)) continue
      parts.push(`<h3 id="def-${esc(name)}"><code>${esc(name)}</code></h3>`, `<div class="description">${describe(def)}</div>`, fieldTable(def, file, `def-${name}-field`))
      if (Array.isArray(def.examples)) parts.push(...def.examples.map(json))
    }
  }
  const examples = Array.isArray(schema.examples) ? schema.examples : []
  if (examples.length > 0) {
    parts.push('<h2 id="examples"><span class="zh">示例</span> <span class="en">Examples</span></h2>', ...examples.map(json))
  }
  return { title: { 'zh-CN': `数据结构：${title}`, en: `Schema: ${title}` }, body: parts.join('\n') }
}
