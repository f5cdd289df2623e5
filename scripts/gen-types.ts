import { writeFileSync } from 'node:fs'
import { CONFIG_TYPES_FILE, generateConfigTypes, generateTypes } from '../specs/lib/gen-types.js'
import { specPath } from '../specs/lib/paths.js'

writeFileSync(specPath('types.gen.ts'), await generateTypes())
writeFileSync(CONFIG_TYPES_FILE, await generateConfigTypes())
