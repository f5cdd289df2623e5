// Loaded into every test process with --import (package.json "tap"."node-arg", scripts/test.sh).
// tap starts each test file with its process-tracking hooks (@tapjs/processinfo) and hands them to
// every child process: through NODE_OPTIONS, and again at each spawn through a spawn listener
// (the package process-on-spawn). On Node 20 those hooks run on a thread of their own, and each
// child pays about 1.3 CPU-seconds more to start; the suite starts hundreds of children (gateways,
// CLI runs, workers) and needs none of that tracking while coverage is off. So the children start
// without it: the hooks leave NODE_OPTIONS here, and a spawn listener that runs after tap's takes
// them out of each child's environment again. `npm run coverage` (NODE_V8_COVERAGE set) changes
// nothing, so child processes are still covered there.
const PROCESSINFO = /"[^"]*@tapjs[\\/]processinfo[^"]*"|\S*@tapjs[\\/]processinfo\S*/g

/** Removes tap's process-tracking import from a NODE_OPTIONS value of `env`. */
function untrack(env) {
  const options = env.NODE_OPTIONS
  if (!options) return
  const kept = options.replace(PROCESSINFO, '').trim()
  if (kept) env.NODE_OPTIONS = kept
  else delete env.NODE_OPTIONS
}

if (!process.env.NODE_V8_COVERAGE) {
  untrack(process.env)
  // process-on-spawn keeps its listeners in a global that every copy of it shares.
  const spawnHooks = globalThis[Symbol.for('process-on-spawn@*:singletonId')]
  if (spawnHooks && Array.isArray(spawnHooks.listeners)) spawnHooks.listeners.push((child) => untrack(child.env))
}
