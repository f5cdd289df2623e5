// Resolves files of the published specification whether this module runs from source (.ts under
// tap) or compiled (dist/…): both walk up to the package root, and specs/ is never copied. The
// compiled test tree (dist-test/, scripts/test.sh) mirrors the package with symbolic links, its
// package.json among them: the root is where that package.json really is.
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findPackageRoot(from: string): string {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'specs'))) return dirname(realpathSync(join(dir, 'package.json')))
    const up = dirname(dir)
    if (up === dir) throw new Error(`skillgate: cannot find the package root above ${from}`)
    dir = up
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)))
export const specsDir = join(packageRoot, 'specs')
export const specPath = (...parts: string[]): string => join(specsDir, ...parts)
