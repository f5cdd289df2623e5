// What a command may touch: streams, env and cwd are passed in so tests run commands in-process.
import type { Writable } from 'node:stream'
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliIo {
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
  cwd: string
}

/** Exit codes shared by every command (documented in the README). */
export const EXIT = { ok: 0, notConformant: 1, usage: 2, unreachable: 3 } as const

export interface Command {
  name: string
  summary: string
  usage: string
  run(args: string[], io: CliIo): Promise<number>
}

export class UsageError extends Error {}

/** parseArgs with the house defaults: strict (unknown flags are usage errors), positionals allowed. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  return parseArgs({ args, options, strict: true as const, allowPositionals: true as const })
}
