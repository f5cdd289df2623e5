// scripts/tap-child-env.js (loaded into every test process, issue #19): children of a test start
// without tap's process-tracking hooks, whether they inherit this process's environment or get one
// of their own, and other NODE_OPTIONS survive. Under `npm run coverage` (NODE_V8_COVERAGE) they
// keep the hooks, so their code is covered.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const childOptions = async (env?: NodeJS.ProcessEnv): Promise<string> =>
  (await run(process.execPath, ['-e', 'process.stdout.write(process.env.NODE_OPTIONS ?? "")'], env ? { env } : {})).stdout

const coverageRun = Boolean(process.env.NODE_V8_COVERAGE)

t.test('coverage run: a child process keeps the @tapjs/processinfo import', { skip: coverageRun ? false : 'not a coverage run' }, async (t) => {
  t.match(await childOptions(), /@tapjs[\\/]processinfo/)
})

t.test('a child process gets no @tapjs/processinfo import; other options stay', { skip: coverageRun ? 'coverage run: children keep the hooks' : false }, async (t) => {
  t.notMatch(await childOptions(), /@tapjs[\\/]processinfo/, 'inherited environment')
  const own = await childOptions({ ...process.env, NODE_OPTIONS: '--max-old-space-size=200' })
  t.notMatch(own, /@tapjs[\\/]processinfo/, 'an environment of its own (tap adds the import again at spawn)')
  t.match(own, /--max-old-space-size=200/, "the child's own option is kept")
  const quoted = await childOptions({ ...process.env, NODE_OPTIONS: '"--import=file:///x y/node_modules/@tapjs/processinfo/dist/esm/import.mjs" --no-warnings' })
  t.notMatch(quoted, /processinfo|x y/, 'a quoted import (a path with a space) goes as a whole')
  t.match(quoted, /--no-warnings/, 'the option after it stays')
})
