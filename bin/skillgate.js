#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm install` (the prepare script).
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { missingFlags } from '../dist/bin/node-flags.js'

const argv = process.argv.slice(2)
// `probe` runs with its Node flags (bin/node-flags.ts); when Node was started without them, it is
// started again with them, and the second process's exit code is this one's.
const missing = argv[0] === 'probe' ? missingFlags(process.execArgv) : []
if (missing.length > 0) {
  const child = spawn(process.execPath, [...process.execArgv, ...missing, fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit' })
  // Ctrl-C reaches both processes from the terminal: the probe decides how to stop.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('error', (err) => {
    process.stderr.write(`skillgate: cannot start ${process.execPath}: ${err.message}\n`)
    process.exitCode = 3
  })
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0)
  })
} else {
  const { main } = await import('../dist/bin/cli.js')
  process.exitCode = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  })
}
