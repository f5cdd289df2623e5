// bin/skillgate.js is what `npx skillgate` runs. `probe` must run with its Node flags
// (bin/node-flags.ts): the launcher starts Node again with them when they are missing. Each test runs
// the launcher as an executable, as npm's bin link does, against the CLI compiled by `npm ci`, with a
// preload (NODE_OPTIONS, inherited by the second process) that records every process's execArgv.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { packageRoot } from '../specs/lib/paths.js'
import { missingFlags, PROBE_NODE_FLAGS } from './node-flags.js'

const launcher = join(packageRoot, 'bin', 'skillgate.js')

async function launch(t: Test, args: string[], nodeFlags?: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; processes: string[][] }> {
  const dir = t.testdir({})
  const log = join(dir, 'execargv.log')
  const preload = join(dir, 'record.mjs')
  writeFileSync(log, '')
  writeFileSync(preload, `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(process.execArgv) + '\\n')\n`)
  const env = { ...process.env, NODE_OPTIONS: `--import=${preload}` }
  // As npm's bin link runs it (the shebang), or as `node FLAGS bin/skillgate.js`.
  const [file, argv] = nodeFlags ? [process.execPath, [...nodeFlags, launcher, ...args]] : [launcher, args]
  const r = await promisify(execFile)(file, argv, { env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  )
  const processes = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[])
  return { ...r, processes }
}

t.test('missingFlags lists only the flags a process lacks', async (t) => {
  t.same(missingFlags([], ['--a=1', '--b']), ['--a=1', '--b'])
  t.same(missingFlags(['--b', '--c'], ['--a=1', '--b']), ['--a=1'])
  t.same(missingFlags(PROBE_NODE_FLAGS), [], 'nothing missing when every flag is there')
})

t.test('probe runs in a Node started with the probe flags, and its exit code comes back', async (t) => {
  const r = await launch(t, ['probe', '--help'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /skillgate probe BASE_URL/)
  t.equal(r.processes.length, 2, 'the launcher, then Node again')
  t.same(missingFlags(r.processes[0]!), PROBE_NODE_FLAGS, 'the first had no flags')
  t.same(missingFlags(r.processes[1]!), [], `the second ran with ${PROBE_NODE_FLAGS.join(' ')}`)
  const usage = await launch(t, ['probe'])
  t.equal(usage.code, 2, 'a usage error in the second process exits 2 through the launcher')
  t.match(usage.stderr, /BASE_URL/)
})

t.test('a Node already started with the flags is not started again; other commands run in place', async (t) => {
  const version = await launch(t, ['--version'])
  t.equal(version.code, 0, version.stderr)
  t.match(version.stdout, /^\d+\.\d+\.\d+/)
  t.equal(version.processes.length, 1, '--version: one process')
  const unknown = await launch(t, ['no-such-command'])
  t.equal(unknown.code, 2, 'exit code 2: usage error')
  t.equal(unknown.processes.length, 1)
  const direct = await launch(t, ['probe', '--help'], PROBE_NODE_FLAGS)
  t.equal(direct.code, 0, direct.stderr)
  t.match(direct.stdout, /skillgate probe BASE_URL/)
  t.equal(direct.processes.length, 1, 'node started with the flags runs probe itself')
})
