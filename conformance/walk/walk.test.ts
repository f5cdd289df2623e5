// The walk's building blocks: the compact id set, deterministic bottom-k sampling, the sampling
// statement, and the cross-walk comparison that finds gaps.
import t from 'tap'
import { BottomK } from './bottom-k.js'
import { compareWalks } from './compare-walks.js'
import type { CatalogueWalk } from './catalogue-walk.js'
import { FingerprintSet } from './fingerprint-set.js'
import { detectionProbability, samplingStatement, upperBoundWhenNoneFound } from './sampling.js'

t.test('FingerprintSet: membership, duplicates and growth, in a few bytes per member', async (t) => {
  const s = new FingerprintSet(4)
  let notNew = 0
  for (let i = 0; i < 100_000; i++) if (!s.add(`c-${i}`)) notNew++
  t.equal(notNew, 0, 'every distinct id is new')
  t.equal(s.size, 100_000)
  t.notOk(s.add('c-99999'), 'a repeat is not new')
  t.ok(s.has('c-0'))
  t.notOk(s.has('c-100000'))
  t.ok(s.bytes <= 100_000 * 40, `backing arrays ${s.bytes} bytes for 100k ids`)
})

t.test('BottomK: same seed, same sample, whatever the arrival order; another seed differs', async (t) => {
  const ids = Array.from({ length: 1000 }, (_, i) => `c-${i}`)
  const pick = (order: string[], seed: string): string[] => {
    const b = new BottomK<string>(59, seed)
    for (const id of order) b.offer(id, id)
    return b.values()
  }
  const a = pick(ids, 's')
  t.equal(a.length, 59)
  t.same(pick([...ids].reverse(), 's'), a)
  t.not(pick(ids, 'other').join(), a.join())
  const all = new BottomK<string>(Infinity, 's')
  for (const id of ids) all.offer(id, id)
  t.equal(all.size, 1000)
})

t.test('sampling statement: 59 finds a 5 % defect rate with ≥ 95 % probability', async (t) => {
  t.ok(detectionProbability(59, 0.05) >= 0.95)
  t.ok(detectionProbability(58, 0.05) < 0.95, '59 is the smallest such sample')
  t.ok(upperBoundWhenNoneFound(59) < 0.05)
  const s = samplingStatement(10_000, 59, 'seed')
  t.match(s, { population: 10_000, size: 59, all: false })
  t.match(s.confidence, /59 of 10000 courses.*95\.2 % probability/)
  t.match(samplingStatement(40, 59, 'seed'), { population: 40, size: 40, all: true })
})

const walk = (ids: string[], complete: boolean): CatalogueWalk => ({
  complete,
  distinct: ids.length,
  prefix: ids.map((courseId, i) => ({ courseId, at: i })),
} as unknown as CatalogueWalk)

t.test('compareWalks: agreement, a gap on either side, and a bounded comparison range', async (t) => {
  const ids = Array.from({ length: 10 }, (_, i) => `c-${i}`)
  t.same(compareWalks(walk(ids, true), walk(ids, true)), { compared: { main: 10, crossCheck: 10 }, missingFromMain: [], missingFromCrossCheck: [] })
  t.same(compareWalks(walk(ids, true), walk(ids.filter((x) => x !== 'c-4'), true)).missingFromCrossCheck, ['c-4'])
  t.same(compareWalks(walk(ids.filter((x) => x !== 'c-2'), true), walk(ids, true)).missingFromMain, ['c-2'])
  // The cross-check walk stopped after c-5: only that range is compared.
  const r = compareWalks(walk(ids, true), walk(ids.slice(0, 6), false))
  t.same(r, { compared: { main: 6, crossCheck: 6 }, missingFromMain: [], missingFromCrossCheck: [] })
})
