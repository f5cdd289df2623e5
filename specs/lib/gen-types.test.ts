// One source of truth: the committed TypeScript types must be exactly what the schemas generate.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { CONFIG_TYPES_FILE, generateConfigTypes, generateTypes } from './gen-types.js'
import { specPath } from './paths.js'

t.test('specs/types.gen.ts matches the schemas (run `npm run gen:types` if this fails)', async (t) => {
  const committed = readFileSync(specPath('types.gen.ts'), 'utf8')
  t.equal(committed, await generateTypes())
})

t.test('gateway/config.gen.ts matches gateway/config.schema.json (run `npm run gen:types` if this fails)', async (t) => {
  const generated = await generateConfigTypes()
  t.equal(readFileSync(CONFIG_TYPES_FILE, 'utf8'), generated)
  // Typed as read after defaults: a defaulted property is required, one without a default is not.
  t.match(generated, /^port: number$/m, 'port has a default: required')
  t.match(generated, /^databaseUrl\?: string$/m, 'databaseUrl has none: optional')
  t.match(generated, /^sample\?: number$/m, 'dataInterface.assessment.sample has none: optional')
})
