// Completes the compiled test tree for `npm test` (scripts/test.sh): tsc has written every module's
// JavaScript into dist-test/; this links everything else beside it, so that the compiled tests see
// the package exactly as the TypeScript ones do. Each file of the package that tsc did not write
// (the .ts sources themselves, JSON schemas, console assets, fixtures, package.json…) becomes a
// symbolic link at the same relative path; node_modules and dist become links to the real folders.
// Folders of output, data and caches are left out. Usage: node --import tsx scripts/test-tree.ts
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join, relative } from 'node:path'
import { packageRoot } from '../specs/lib/paths.js'

const TEST_TREE = 'dist-test'
/** Top-level folders linked whole (resolved by Node and by tests through the tree). */
const LINKED_WHOLE = ['node_modules', 'dist']
/** Never mirrored: version control, output, local data and caches. */
const SKIPPED = new Set(['.git', TEST_TREE, '.tap', 'coverage', 'data', 'artifacts', '.cache'])

function mirror(dir: string, out: string): number {
  let linked = 0
  mkdirSync(out, { recursive: true })
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || (dir === packageRoot && LINKED_WHOLE.includes(entry.name))) continue
    const from = join(dir, entry.name)
    const to = join(out, entry.name)
    if (entry.isDirectory()) linked += mirror(from, to)
    else if (!existsSync(to)) {
      symlinkSync(from, to)
      linked++
    }
  }
  return linked
}

const tree = join(packageRoot, TEST_TREE)
if (!existsSync(tree)) throw new Error(`skillgate: ${TEST_TREE}/ is missing: run tsc -p tsconfig.test.json first`)
for (const name of LINKED_WHOLE) {
  if (existsSync(join(packageRoot, name)) && !existsSync(join(tree, name))) symlinkSync(join(packageRoot, name), join(tree, name), 'dir')
}
const linked = mirror(packageRoot, tree)
process.stdout.write(`test-tree: ${linked} files linked into ${relative(process.cwd(), tree) || '.'}/\n`)
