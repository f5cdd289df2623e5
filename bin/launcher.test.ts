// bin/skillgate.js is what `npx skillgate` runs: its shebang passes Node flags (env -S), and a flag
// Node does not accept would stop every command before it starts. Runs the launcher as an
// executable, as npm's bin link does, against the CLI compiled by `npm ci` (the prepare script).
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { packageRoot } from '../specs/lib/paths.js'

const launcher = join(packageRoot, 'bin', 'skillgate.js')

t.test('the launcher runs as an executable with the Node flags of its shebang', async (t) => {
  const shebang = readFileSync(launcher, 'utf8').split('\n', 1)[0]!
  t.match(shebang, /^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+$/, 'a small young generation for the probe\'s page-by-page garbage')
  const { stdout } = await promisify(execFile)(launcher, ['--version'], { timeout: 30_000 })
  t.match(stdout, /^\d+\.\d+\.\d+/, 'the CLI answers: env -S split the line and Node accepted every flag')
})

t.test('a usage error still exits 2 through the launcher', async (t) => {
  const err = await promisify(execFile)(launcher, ['no-such-command'], { timeout: 30_000 }).then(() => undefined, (e: unknown) => e as { code?: number; stderr?: string })
  t.equal(err?.code, 2, 'exit code 2: usage error')
  t.match(err?.stderr ?? '', /no-such-command/)
})
