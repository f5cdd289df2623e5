// One source of truth: the committed TypeScript types must be exactly what the schemas generate.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { generateTypes } from './gen-types.js'
import { specPath } from './paths.js'

t.test('specs/types.gen.ts matches the schemas (run `npm run gen:types` if this fails)', async (t) => {
  const committed = readFileSync(specPath('types.gen.ts'), 'utf8')
  t.equal(committed, await generateTypes())
})
