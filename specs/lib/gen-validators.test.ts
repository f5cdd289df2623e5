// One source of truth: the ahead-of-time validators (specs/lib/validators.gen.cjs) must be exactly
// what the schemas generate, must be the ones the registry uses, and must judge like run-time Ajv.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateValidators } from './gen-validators.js'
import { PRECOMPILED_FILE, SchemaRegistry, exportName, loadSchemaFiles, schemaDigest } from './schemas.js'

t.test('specs/lib/validators.gen.cjs matches the schemas (run `npm run gen:validators` if this fails)', async (t) => {
  t.equal(readFileSync(PRECOMPILED_FILE, 'utf8'), generateValidators())
})

t.test('the registry uses the precompiled validators, and they judge exactly as run-time Ajv does', async (t) => {
  const ahead = new SchemaRegistry()
  const runtime = new SchemaRegistry({ precompiled: false })
  t.ok(ahead.precompiled, 'precompiled module loaded')
  t.equal(runtime.precompiled, undefined)
  let cases = 0
  for (const f of ahead.files) {
    t.equal(ahead.validator(f.name), ahead.precompiled![exportName(f.name)], `${f.name}: the precompiled function`)
    const examples = (f.schema.examples ?? []) as unknown[]
    // Each example as published, and broken in a few ordinary ways: both engines must agree on the
    // verdict and on every readable error.
    const variants = examples.flatMap((ex) => [ex, null, [], 'text', mutate(ex)])
    for (const v of variants) {
      cases++
      t.same(ahead.validate(f.name, v), runtime.validate(f.name, v), `${f.name}: ${JSON.stringify(v)?.slice(0, 60)}`)
    }
  }
  t.ok(cases >= 50, `${cases} cases compared`)
})

t.test('a module built from other schema files is not used: the registry compiles at run time and warns', async (t) => {
  const dir = t.testdir({})
  const stale = join(dir, 'stale.gen.cjs')
  writeFileSync(stale, readFileSync(PRECOMPILED_FILE, 'utf8').replace(/exports\.schemaDigest = "[0-9a-f]+";/, 'exports.schemaDigest = "0000";'))
  const warnings: string[] = []
  const onWarning = (w: Error & { code?: string }): void => { warnings.push(String(w.code)) }
  process.on('warning', onWarning)
  const registry = new SchemaRegistry({ precompiledFile: stale })
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', onWarning)
  t.equal(registry.precompiled, undefined, 'stale module ignored')
  t.ok(warnings.includes('SG_STALE_VALIDATORS'), 'a warning names the problem')
  const example = (registry.file('preview')!.schema.examples as unknown[])[0]
  t.ok(registry.validate('preview', example).ok, 'validation still works (run-time compile): the example passes')
  t.notOk(registry.validate('preview', { ...(example as object), format: 'avi' }).ok, 'and its broken twin fails')
})

t.test('the digest changes when any schema text changes', async (t) => {
  const files = loadSchemaFiles()
  const before = schemaDigest(files)
  const edited = files.map((f, i) => (i === 0 ? { ...f, text: `${f.text} ` } : f))
  t.not(schemaDigest(edited), before)
  t.equal(schemaDigest(loadSchemaFiles()), before, 'stable for the same files')
})

/** Drop the first required property, or change the first property's type. */
function mutate(example: unknown): unknown {
  if (example === null || typeof example !== 'object' || Array.isArray(example)) return { unexpected: true }
  const copy = { ...(example as Record<string, unknown>) }
  const first = Object.keys(copy)[0]
  if (first !== undefined) copy[first] = typeof copy[first] === 'number' ? 'not a number' : 12345
  return copy
}
