// The gateway's start-up (gateway/main.ts): the embedded SQLite serves one process, so a second
// gateway on the same data directory stops at once with one readable line naming
// SG_ERR_STORE_LOCKED, and starts normally once the first has gone.
import t from 'tap'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { childNodeArgs } from './loader-args.test-support.js'

const gatewayArgs = childNodeArgs(import.meta.url, './main')

function startGateway(dataDir: string): { child: ChildProcess; output: () => string; listening: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, gatewayArgs, {
    env: { ...process.env, SKILLGATE_DATA_DIR: dataDir, PORT: '0', SKILLGATE_MASTER_KEY: 'cd'.repeat(32), SKILLGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  let onListen: () => void = () => {}
  const listening = new Promise<void>((resolve) => { onListen = resolve })
  const take = (chunk: Buffer): void => {
    text += chunk.toString('utf8')
    if (text.includes('Server listening')) onListen()
  }
  child.stdout!.on('data', take)
  child.stderr!.on('data', take)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => text, listening, exited }
}

t.test('a second gateway on the same SQLite data directory exits 1 with SG_ERR_STORE_LOCKED (one line, no stack)', async (t) => {
  const dataDir = t.testdir({})
  const first = startGateway(dataDir)
  t.teardown(() => { if (first.child.exitCode === null) first.child.kill('SIGKILL') })
  await Promise.race([first.listening, first.exited.then(() => { throw new Error(`the first gateway exited: ${first.output()}`) })])

  const second = startGateway(dataDir)
  t.equal(await second.exited, 1, 'the second gateway stops')
  t.match(second.output(), /^skillgate gateway cannot start: SG_ERR_STORE_LOCKED: .*SKILLGATE_DATA_DIR/m)
  t.notMatch(second.output(), /\n\s+at /, 'no stack trace')

  first.child.kill('SIGTERM')
  await first.exited
  const third = startGateway(dataDir)
  t.teardown(() => { if (third.child.exitCode === null) third.child.kill('SIGKILL') })
  await Promise.race([third.listening, third.exited.then(() => { throw new Error(`the third gateway exited: ${third.output()}`) })])
  t.pass('once the first has gone, the file opens again')
  third.child.kill('SIGTERM')
  await third.exited
})
