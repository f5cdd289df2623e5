// The 1.1 changelog's ambiguity table names, for each rule an outsider had to guess, the file and
// field that now settles it ("`schemas/x.schema.json` → `properties.y.description`"). These helpers
// read those pointers back so a test can prove each one resolves to bilingual text in the file.
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'

export interface SettledIn { row: string; file: string; field: string }

/** Rows of the table under "Where each rule is settled", with their file → field pointers. */
export function settledRules(markdown: string): Array<{ row: string; pointers: SettledIn[]; deferredTo?: string }> {
  const start = markdown.indexOf('**Where each rule is settled')
  if (start < 0) return []
  const rows = markdown.slice(start).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ambiguity') && !l.startsWith('|---'))
  const out: Array<{ row: string; pointers: SettledIn[]; deferredTo?: string }> = []
  for (const line of rows) {
    const cells = line.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim())
    const row = cells[0] ?? ''
    const cell = cells[2] ?? ''
    const deferred = /^see (.+) section$/.exec(cell)
    if (deferred) {
      out.push({ row, pointers: [], deferredTo: deferred[1]! })
      continue
    }
    const pointers: SettledIn[] = []
    for (const part of cell.split(';')) {
      const ticks = [...part.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
      const [file, ...fields] = ticks
      if (file) for (const field of fields) pointers.push({ row, file, field })
    }
    out.push({ row, pointers })
  }
  return out
}

/** The value at a dotted field path; `parameters[name]` picks the parameter with that name. */
export function resolveField(doc: unknown, field: string): unknown {
  let cur: unknown = doc
  for (const step of field.split('.')) {
    const m = /^(.+)\[(.+)\]$/.exec(step)
    if (cur === null || typeof cur !== 'object') return undefined
    if (m) {
      const list = (cur as Record<string, unknown>)[m[1]!]
      cur = Array.isArray(list) ? list.find((x: { name?: unknown }) => x?.name === m[2]) : undefined
    } else {
      cur = (cur as Record<string, unknown>)[step]
    }
  }
  return cur
}

export const readSpecJson = (file: string): unknown => JSON.parse(readFileSync(specPath(file), 'utf8'))
