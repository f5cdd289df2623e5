// Child processes started by tests run a module the way the test itself runs:
// - from source (`npx tap some.test.ts`): tap starts the test with `--import=tsx` (package.json
//   "tap"."node-arg"), and the child runs the `.ts` module with that flag and source maps;
// - compiled (`npm test`, scripts/test.sh): the test is dist-test/…/some.test.js, and the child
//   runs the compiled `.js` module beside it, with source maps and no loader.
// Neither gets tap's own instrumentation (mock, processinfo).
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const typeScriptLoaderArgs = (execArgv: readonly string[] = process.execArgv): string[] =>
  execArgv.filter((a) => a === '--import=tsx' || a === '--enable-source-maps')

/** True when the calling test runs compiled (dist-test/), false under tsx. */
export const runsCompiled = (callerUrl: string): boolean => extname(fileURLToPath(callerUrl)) === '.js'

/**
 * Node arguments that run `modulePath` (relative to the caller, without extension) the way the
 * caller runs: `childNodeArgs(import.meta.url, './main')`.
 */
export function childNodeArgs(callerUrl: string, modulePath: string): string[] {
  const ext = runsCompiled(callerUrl) ? '.js' : '.ts'
  return [...typeScriptLoaderArgs(), fileURLToPath(new URL(modulePath + ext, callerUrl))]
}
