// The Node flags `skillgate probe` runs with. bin/skillgate.js starts Node again with any that are
// missing (a portable shebang cannot carry flags: BusyBox and BSD `env` have no -S), and
// bench/probe runs its children with them, so the benchmark measures the CLI as it runs.
//
// --max-semi-space-size=4: a young generation of at most 4 MB per semi-space. The probe reads the
// catalogue page by page and almost everything it allocates dies young; V8's default lets the
// young generation grow to 16 MB per semi-space, which only raised the peak RSS (a 100,000-course
// walk: ~137-153 -> ~124 MiB) and cost a little CPU.
export const PROBE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4']

/** The flags of `wanted` that a process started with `execArgv` lacks. */
export const missingFlags = (execArgv: readonly string[], wanted: readonly string[] = PROBE_NODE_FLAGS): string[] =>
  wanted.filter((flag) => !execArgv.includes(flag))
