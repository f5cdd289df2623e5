import { writeFileSync } from 'node:fs'
import { generateTypes } from '../specs/lib/gen-types.js'
import { specPath } from '../specs/lib/paths.js'

writeFileSync(specPath('types.gen.ts'), await generateTypes())
