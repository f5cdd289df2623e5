// The Node flags `skillgate probe` runs with. bin/skillgate.js starts Node again with any that are
// missing (a portable shebang cannot carry flags: BusyBox and BSD `env` have no -S), and
// bench/probe runs its children with them, so the benchmark measures the CLI as it runs.
//
// --max-semi-space-size=4: a young generation of at most 4 MB per semi-space. The probe reads the
// catalogue page by page and almost everything it allocates dies young; V8's default lets the
// young generation grow to 16 MB per semi-space, which only raised the peak RSS (a 100,000-course
// walk: ~137-153 -> ~124 MiB) and cost a little CPU.
// --heap-growing-percent=50: the old generation may grow by half what the last full GC kept before
// the next one. Left to itself V8 picks up to 4x for a process that allocates as fast as the probe
// measuring every preview, and garbage filled the difference: 1,000 realistic previews peaked at
// 233 MiB, 181 MiB at 100 and 171 MiB at 50, for the same CPU within the run-to-run noise (17.8,
// 18.5 and 18.8 s; bench:media).
export const PROBE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50']

/** The flags of `wanted` that a process started with `execArgv` lacks. */
export const missingFlags = (execArgv: readonly string[], wanted: readonly string[] = PROBE_NODE_FLAGS): string[] =>
  wanted.filter((flag) => !execArgv.includes(flag))
