// R5.3-4: the published canaries are well-formed, cover every category, and the reference
// detector blocks each marker in every delivery form while passing the clean controls.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { specPath } from './paths.js'
import { canaryChecksum, findCanaries, loadCanaries, MODERATION_CATEGORIES, parseCanaries, renderCanaryUpload } from './canaries.js'

const raw = (): Record<string, unknown> & { canaries: Array<Record<string, unknown>> } =>
  JSON.parse(readFileSync(specPath('canaries', 'canaries.json'), 'utf8'))

t.test('every category has an ASCII and a Chinese canary; there are clean controls', async (t) => {
  const set = loadCanaries()
  t.equal(set.requirement, 'R5.3-4')
  t.equal(set.alertWithinSeconds, 60)
  for (const cat of MODERATION_CATEGORIES) {
    const langs = set.canaries.filter((c) => c.category === cat).map((c) => c.language).sort()
    t.same(langs, ['en', 'zh-CN'], cat)
  }
  t.equal(set.controls.length, 2)
  t.ok(set.controls.every((c) => c.expect.verdict === 'clean' && c.expect.alert === null))
})

t.test('markers carry their checksum; a tampered marker or checksum is refused', async (t) => {
  t.equal(canaryChecksum('SKILLGATE-MODERATION-CANARY-V1-POLITICAL'), '36DD105936BF')
  t.doesNotThrow(() => parseCanaries(raw()))
  const badMarker = raw()
  badMarker.canaries[0]!.marker = 'SKILLGATE-MODERATION-CANARY-V1-POLITICAL-36DD105936BE'
  t.throws(() => parseCanaries(badMarker), /checksum or marker/)
  const badSum = raw()
  badSum.canaries[0]!.checksum = '000000000000'
  t.throws(() => parseCanaries(badSum), /checksum or marker/)
})

t.test('structural defects are refused', async (t) => {
  const wrongCategory = raw()
  ;(wrongCategory.canaries[0]!.expect as { categories: string[] }).categories = ['violent']
  t.throws(() => parseCanaries(wrongCategory), /must name its category/)
  const noViolent = raw()
  noViolent.canaries = noViolent.canaries.filter((c) => c.category !== 'violent')
  t.throws(() => parseCanaries(noViolent), /no canary for category violent/)
  const noControl = raw()
  noControl.canaries = noControl.canaries.filter((c) => c.category !== null)
  t.throws(() => parseCanaries(noControl), /clean control/)
  const unknownCategory = raw()
  unknownCategory.canaries[0]!.category = 'gambling'
  t.throws(() => parseCanaries(unknownCategory), /schema/)
})

t.test('the reference detector finds each canary in every delivery form and passes the controls', async (t) => {
  const set = loadCanaries()
  for (const d of set.deliveries) {
    for (const c of set.all) {
      const up = renderCanaryUpload(c, d)
      const hits = findCanaries(`${up.title}\n${up.content.toString('utf8')}`)
      if (c.category === null) t.same(hits, [], `${d.id}/${c.id} passes`)
      else t.same(hits.map((h) => h.id), [c.id], `${d.id}/${c.id} is found`)
    }
  }
  t.same(findCanaries('SKILLGATE-MODERATION-CANARY-V1-POLITICAL'), [], 'the stem without its checksum is not a canary')
  t.same(findCanaries('skillgate-moderation-canary-v1-political-36dd105936bf'), [], 'matching is case-sensitive')
})
