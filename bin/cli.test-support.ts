// In-process CLI runs for tests: capture stdout/stderr and the exit code.
import { PassThrough } from 'node:stream'
import { main } from './cli.js'

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const out = new PassThrough()
  const err = new PassThrough()
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] }
  out.on('data', (c: Buffer) => chunks.out.push(c))
  err.on('data', (c: Buffer) => chunks.err.push(c))
  const code = await main(args, { stdout: out, stderr: err, env: opts.env ?? { ...process.env }, cwd: opts.cwd ?? process.cwd() })
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') }
}
