// R7: the published specification is machine-checked: every schema compiles under strict Ajv,
// every $ref resolves, and every example validates.
import t from 'tap'
import { SchemaRegistry, SCHEMA_BASE } from './schemas.js'

const registry = new SchemaRegistry()

t.test('every schema has a $id under the spec base, a 2020-12 $schema and bilingual descriptions', async (t) => {
  t.ok(registry.files.length >= 15, `${registry.files.length} schemas`)
  for (const f of registry.files) {
    t.ok(f.id.startsWith(SCHEMA_BASE), `${f.name} $id`)
    t.ok(f.id.endsWith(`${f.name}.schema.json`), `${f.name} $id matches its file name`)
    t.equal(f.schema.$schema, 'https://json-schema.org/draft/2020-12/schema', `${f.name} dialect`)
    t.type(f.schema.description, 'string', `${f.name} description (en)`)
    t.type(f.schema['x-description-zh'], 'string', `${f.name} description (zh)`)
  }
})

t.test('every schema compiles in strict mode (all $refs resolve)', async (t) => {
  for (const name of registry.names()) {
    t.doesNotThrow(() => registry.validator(name), name)
  }
})

t.test('a registry adds only what a validator needs: the schema and the files its $refs reach', async (t) => {
  const fresh = new SchemaRegistry({ precompiled: false })
  const id = (name: string): string => fresh.file(name)!.id
  t.equal(fresh.ajv.getSchema(id('catalogue-page')), undefined, 'nothing is added before first use')
  fresh.validate('catalogue-page', { items: [] })
  for (const reached of ['catalogue-page', 'course-summary', 'common']) t.ok(fresh.ajv.getSchema(id(reached)), `${reached} added`)
  t.equal(fresh.ajv.getSchema(id('conformance-report')), undefined, 'an unrelated schema is not added')
  t.equal(fresh.validator('catalogue-page'), fresh.validator('catalogue-page'), 'compiled once')
})

t.test('every example validates against its schema', async (t) => {
  let examples = 0
  for (const f of registry.files) {
    const ex = (f.schema.examples ?? []) as unknown[]
    for (const [i, example] of ex.entries()) {
      examples++
      const r = registry.validate(f.name, example)
      t.ok(r.ok, `${f.name} example ${i}`, { errors: r.errors })
    }
  }
  t.ok(examples >= 15, `${examples} examples`)
})

t.test('readable errors name the path, what was expected and what was found', async (t) => {
  const r = registry.validate('preview', { courseId: 'c-1', format: 'avi', url: 'ftp://x', startSeconds: -1 })
  t.notOk(r.ok)
  const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e]))
  t.match(byPath['/format'], { expected: /one of \["mp4","hls"\]/, found: /string "avi"/ })
  t.match(byPath['/durationSeconds'], { expected: 'a required property', found: 'nothing' })
  t.ok(byPath['/url'], 'url pattern')
  t.ok(byPath['/startSeconds'], 'minimum')
})

t.test('a learning record never carries an ID-card number as the learner account', async (t) => {
  const base = {
    id: '6f1c0c7e-3f0a-4b8e-9d7a-2c1b0a9f8e71',
    actor: { objectType: 'Agent', account: { homePage: 'https://api.example-edu.cn', name: 'lrn_7Qk2xP9aZ' } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', courseId: 'c-1' },
    result: { completion: true, effectiveSeconds: 60 },
    timestamp: '2026-11-27T09:30:00+08:00',
  }
  t.ok(registry.validate('learning-record', base).ok)
  const idCard = structuredClone(base)
  idCard.actor.account.name = '11010519491231002X'
  t.notOk(registry.validate('learning-record', idCard).ok, 'an 18-character ID-card number is refused')
  const noOffset = { ...base, timestamp: '2026-11-27T09:30:00' }
  t.notOk(registry.validate('learning-record', noOffset).ok, 'a timestamp without offset is refused')
  const { result: _r, ...noResult } = base
  t.notOk(registry.validate('learning-record', noResult).ok, 'a non-voiding statement needs a result')
})

t.test('fee: free is explicit and a paid course states its price', async (t) => {
  const course = (fee: unknown) => ({ courseId: 'c-1', title: { 'zh-CN': '课' }, category: '6-31', fee, durationSeconds: 60, lessonCount: 1, previewSeconds: 600, updatedAt: '2026-11-27T09:30:00+08:00' })
  t.ok(registry.validate('course-summary', course({ free: true })).ok)
  t.notOk(registry.validate('course-summary', course({ free: false })).ok, 'paid without price')
  t.notOk(registry.validate('course-summary', course({ price: { amountFen: 0, currency: 'CNY' } })).ok, 'free not inferred from price 0')
})
