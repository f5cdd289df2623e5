// R7: every ambiguity the 1.1 changelog lists names the file and field that settles it, and that
// field exists with English and Chinese text (rows another workstream settles say which section).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { readSpecJson, resolveField, settledRules } from './changelog.js'
import { specPath } from './paths.js'

const changelog = readFileSync(specPath('CHANGELOG.md'), 'utf8')
const CJK = /[\u4e00-\u9fff]/

t.test('each settled rule points at a field that exists, in both languages', async (t) => {
  const rows = settledRules(changelog)
  t.ok(rows.length >= 20, `${rows.length} rows`)
  for (const r of rows) {
    if (r.deferredTo) {
      t.match(r.deferredTo, /^(Verdict integrity|Gateway)$/, `${r.row}: settled by the ${r.deferredTo} section`)
      continue
    }
    t.ok(r.pointers.length > 0, `${r.row}: names a file and field`)
    for (const p of r.pointers) {
      const doc = readSpecJson(p.file)
      const value = resolveField(doc, p.field)
      t.type(value, 'string', `${p.file} → ${p.field}`)
      if (!p.field.endsWith('.description')) continue
      const zh = resolveField(doc, p.field.replace(/description$/, 'x-description-zh'))
      // info and security-scheme descriptions carry both languages inline.
      t.ok(CJK.test(typeof zh === 'string' ? zh : String(value)), `${p.file} → ${p.field} has Chinese text`)
    }
  }
})

t.test('the pointer reader is not a rubber stamp: a wrong field does not resolve', async (t) => {
  const broken = changelog.replace('properties.tombstones.description', 'properties.tombstone.description')
  const pointer = settledRules(broken).flatMap((r) => r.pointers).find((p) => p.field === 'properties.tombstone.description')!
  t.equal(resolveField(readSpecJson(pointer.file), pointer.field), undefined)
})
