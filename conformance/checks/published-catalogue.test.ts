// R7: the published check catalogue (specs/checks/checks.json) is exactly what the kit's check list
// generates, validates against its schema, and the drift test is shown failing on a broken case.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { schemas } from '../../specs/lib/schemas.js'
import { allChecks } from './catalogue.js'
import { defineCheck, pass, type CheckCatalogue } from './framework.js'
import { CHECKS_FILE, catalogueDrift, publishedCatalogue, renderPublishedCatalogue, type PublishedCatalogue } from './published-catalogue.js'

const committedText = readFileSync(CHECKS_FILE, 'utf8')
const committed = JSON.parse(committedText) as PublishedCatalogue

t.test('specs/checks/checks.json matches the code (run `npm run gen:checks` if this fails)', async (t) => {
  const generated = publishedCatalogue()
  t.same(catalogueDrift(committed, generated), [])
  t.equal(committedText, renderPublishedCatalogue(generated))
  t.equal(committed.checks.length, allChecks.length, `${allChecks.length} checks`)
})

t.test('the catalogue validates against checks.schema.json, in both languages', async (t) => {
  const r = schemas().validate('checks', committed)
  t.ok(r.ok, 'valid', { errors: r.errors })
  for (const c of committed.checks) {
    for (const k of ['title', 'does', 'failureMeans'] as const) t.match(c[k]['zh-CN'], /[\u4e00-\u9fff]/, `${c.id} ${k} zh-CN is Chinese`)
  }
})

t.test('drift is caught: a changed severity, a new check, a removed check, a missing text', async (t) => {
  const changed = allChecks.map((c) => (c.id === 'catalogue.count' ? { ...c, severity: 'should' as const } : c)) as CheckCatalogue<never>
  t.same(catalogueDrift(committed, publishedCatalogue(changed)), ['catalogue.count: severity differs'])
  const extra = defineCheck({ id: 'catalogue.extra', requirementIds: ['R5.1-2'], severity: 'should', kinds: ['on-demand'], subject: 'platform', title: { 'zh-CN': '额外', en: 'Extra' }, does: { 'zh-CN': '无', en: 'Nothing' }, failureMeans: { 'zh-CN': '无', en: 'Nothing' }, run: async () => pass() })
  t.same(catalogueDrift(committed, publishedCatalogue([...allChecks, extra] as CheckCatalogue<never>)), ['catalogue.extra: in the code, missing from checks.json'])
  t.same(catalogueDrift(committed, publishedCatalogue(allChecks.slice(1))), [`${allChecks[0]!.id}: in checks.json, no longer in the code`])
  const { does: _does, ...bare } = { ...extra, id: 'catalogue.bare' }
  t.throws(() => publishedCatalogue([bare] as unknown as CheckCatalogue<never>), /needs does and failureMeans/)
})
