// Child processes started by tests run TypeScript the way the test itself runs: tap starts each test
// file with `--import=tsx` (package.json "tap"."node-arg"); the child gets that flag and source maps,
// none of tap's own instrumentation (mock, processinfo).
export const typeScriptLoaderArgs = (execArgv: readonly string[] = process.execArgv): string[] =>
  execArgv.filter((a) => a === '--import=tsx' || a === '--enable-source-maps')
