#!/usr/bin/env -S node --max-semi-space-size=4
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm install` (the prepare script).
// A young generation of at most 4 MB per semi-space: the probe streams catalogue pages, whose
// garbage dies young, and V8's default (growing to 16 MB) only raised its peak RSS (a 100,000-course
// walk: ~140 -> ~124 MiB) and cost a little CPU. bench/probe reads these flags from this line.
import { main } from '../dist/bin/cli.js'

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
})
