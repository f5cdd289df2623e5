import { writeFileSync } from 'node:fs'
import { generateValidators } from '../specs/lib/gen-validators.js'
import { PRECOMPILED_FILE } from '../specs/lib/schemas.js'

writeFileSync(PRECOMPILED_FILE, generateValidators())
