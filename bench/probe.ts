// skillgate probe against reference catalogues on loopback (prints JSON; no assertion):
//  1. time: probing a 10,000-course on-demand catalogue (contract, auth and catalogue checks, media
//     sampled) vs a bare undici loop fetching the same URLs at the same concurrency; goal ratio ≤ 1.25;
//  2. memory: peak RSS of the probe at 1,000 and 100,000 courses (contract + counts); goal flat, ≤ 150 MB.
// The provider runs in this process; every measurement runs in its own child process, which reports
// its own peak (process.resourceUsage().maxRSS), so one run's heap never inflates another's.
// The bare loop replays the probe's exchanges exactly (signed when the probe signed, the probe's own
// headers otherwise: 64 KiB media ranges, the auth checks' crafted headers), so both sides move the
// same bytes. Each side also reports its CPU ms: on a busy machine the wall-time ratio swings with
// background load, and CPU ms says what each side costs (the probe's floor on a core of its own).
// Flags: --quick (1,000 courses), --time-only (skip the media run and the memory runs), --rounds=N,
// --warm (also time each side 4 times in one process: the first cycle is a CLI run, the last is warm code),
// --floor (two more replays per round, each in its own cold process like the others: the bare loop
// plus JSON.parse of every JSON answer, and plus validating each against its published schema with
// the kit's own validators: what any probe that reads every answer must at least spend).
// time.cpu: each child's CPU and the provider's CPU over the same window, and how busy they kept the
// cores (coreUse): when both sides keep the cores busy, the wall-time ratio follows the CPU ratio.
// Every child runs with the Node flags `skillgate probe` runs with (bin/node-flags.ts).
// Timed paths: probe = runProbe() in the child (contract, auth, catalogue checks; media sampled),
// bare = the undici replay loop in the child; both from the child's window start to its end.
// Quiet rounds: othersShare, the share of the cores processes outside this bench's tree took.
// Usage: compiled, so the children's peak RSS is the probe's and not the TypeScript loader's:
//   npx tsc -p tsconfig.build.json --outDir dist/bench-build && node dist/bench-build/bench/probe.js [--quick]
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { runProbe } from '../conformance/probe.js'
import { specPath } from '../specs/lib/paths.js'
import { PROBE_NODE_FLAGS } from '../bin/node-flags.js'
import { schemas } from '../specs/lib/schemas.js'
import { signRequest } from '../conformance/signing/index.js'
import { cpuTicks, median, stealPercent } from './support.js'
import { markRound, othersShareSince } from './process-cpu.js'

const CONCURRENCY = 8
const TIME_COURSES = 10_000
const MEMORY_SIZES = [1_000, 100_000]
/** Contract + counts: the checks whose cost grows with the catalogue (no media download). */
const MEMORY_CHECKS = ['contract.catalogue-pages', 'contract.pagination', 'contract.incremental', 'contract.course-detail', 'catalogue.count', 'catalogue.free-share', 'catalogue.category-codes']
/** location.hosts needs real DNS; preview.media-duration is ffprobe work the bare loop cannot mirror (timed separately). */
const TIME_SKIP = ['location.hosts', 'preview.media-duration']
/**
 * The probe now checks every course by default; this bench keeps its historical 59-course sample
 * so its figures stay comparable (every preview measured is bench:media's subject).
 */
const BENCH_SAMPLE = 59
const MEDIA_SKIP = ['location.hosts']
/** A page of the main walk (limit 200, no updatedSince). */
const MAIN_WALK_PAGE = /\/v1\/courses\?limit=200(&cursor=[^&]*)?$/

interface Target { url: string; keyId: string; secret: string }
interface Replay { url: string; signed: boolean; headers: Record<string, string> }
/** CPU time of this process (user + system) since `from`, in ms: less noisy than wall time on a busy machine. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from)
  return Math.round((d.user + d.system) / 1000)
}
const peakMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)

async function childProbe(target: Target, only: string[] | undefined, urlFile: string | undefined, skip: string[] = TIME_SKIP): Promise<void> {
  const urls: Replay[] = []
  let requests = 0
  let lastMainPage = Number.NaN
  windowMark('window-start')
  const cpu = process.cpuUsage()
  const started = performance.now()
  const report = await runProbe({
    baseUrl: target.url, kind: 'on-demand', keyId: target.keyId, secret: target.secret, mode: 'local', concurrency: CONCURRENCY, sample: BENCH_SAMPLE,
    ...(only ? { only } : { skip }),
    onRequest: (r) => {
      requests++
      if (urlFile) urls.push({ url: r.url, signed: r.signed, headers: r.headers })
      if (MAIN_WALK_PAGE.test(r.url)) lastMainPage = performance.now()
    },
  })
  const ms = performance.now() - started
  const cpuMs = cpuMsSince(cpu)
  windowMark('window-end')
  if (urlFile) await writeFile(urlFile, urls.map((u) => JSON.stringify(u)).join('\n'))
  const statuses = Object.fromEntries(report.results.map((r) => [r.checkId, r.status]))
  // What follows the main walk is the part of the run that nothing can overlap with the walk.
  const tailMs = Math.round(ms - (lastMainPage - started))
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), cpuMs, tailMs, requests, verdict: report.verdict, statuses, peakRssMiB: peakMiB() }))
}

/**
 * The same exchanges the probe made, with nothing that depends on an answer: each request as the
 * probe sent it (signed afresh when the probe signed it, otherwise with the probe's own headers, so
 * media byte ranges and the auth checks' crafted headers are the same), CONCURRENCY at a time.
 */
async function childBare(target: Target, urlFile: string, work: FloorWork = 'none'): Promise<void> {
  const replays = await readReplays(urlFile)
  windowMark('window-start')
  const cpu = process.cpuUsage()
  const started = performance.now()
  const bytes = await replayAll(target, replays, work)
  const ms = performance.now() - started
  const cpuMs = cpuMsSince(cpu)
  windowMark('window-end')
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), cpuMs, requests: replays.length, bytes, peakRssMiB: peakMiB() }))
}

const readReplays = async (urlFile: string): Promise<Replay[]> =>
  (await readFile(urlFile, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Replay)

/**
 * --floor: what the replay does with each answer. 'parse' reads every JSON answer with JSON.parse;
 * 'validate' also checks it against the schema the probe holds that endpoint to (specs/lib/schemas).
 */
type FloorWork = 'none' | 'parse' | 'validate'
/**
 * Each GET endpoint of the provider API and the schema of its 200 answer, read from the published
 * OpenAPI document (specs/openapi), so the floor validates exactly what the specification says.
 */
function endpointSchemas(): Array<{ path: RegExp; schema: string }> {
  const doc = JSON.parse(readFileSync(specPath('openapi', 'provider-api.openapi.json'), 'utf8')) as {
    paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> } }>
  }
  return Object.entries(doc.paths).flatMap(([template, ops]) => {
    const ref = ops.get?.responses?.['200']?.content?.['application/json']?.schema?.$ref
    const schema = ref?.replace(/^.*\//, '').replace(/\.schema\.json$/, '')
    return schema ? [{ path: new RegExp(`${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), schema }] : []
  })
}

/** The published schema for an answer (media, playlists and answers without a JSON schema have none). */
function schemaFor(endpoints: ReadonlyArray<{ path: RegExp; schema: string }>, url: string, status: number, contentType: string): string | undefined {
  if (/application\/problem\+json/i.test(contentType)) return 'problem'
  if (status !== 200) return undefined
  const path = new URL(url).pathname
  return endpoints.find((e) => e.path.test(path))?.schema
}

async function replayAll(target: Target, replays: readonly Replay[], work: FloorWork = 'none'): Promise<number> {
  const agent = new Agent()
  let next = 0
  let bytes = 0
  let invalid = 0
  const endpoints = work === 'validate' ? endpointSchemas() : []
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < replays.length; i = next++) {
      const { url, signed, headers } = replays[i]!
      const sent = signed ? { ...headers, ...signRequest({ method: 'GET', url, keyId: target.keyId, secret: target.secret }) } : headers
      const res = await request(url, { dispatcher: agent, headers: sent })
      const contentType = String(res.headers['content-type'] ?? '')
      if (work === 'none' || !/[/+]json\b/i.test(contentType)) {
        bytes += (await res.body.arrayBuffer()).byteLength
        continue
      }
      const text = await res.body.text()
      bytes += Buffer.byteLength(text)
      const doc: unknown = JSON.parse(text)
      const schema = work === 'validate' ? schemaFor(endpoints, url, res.statusCode, contentType) : undefined
      if (schema !== undefined && !schemas().validator(schema)(doc)) invalid++
    }
  }))
  // The reference provider is compliant: an invalid answer means the floor measured the wrong thing.
  if (invalid > 0) throw new Error(`${invalid} answer(s) failed their schema in the --floor replay`)
  await agent.close()
  return bytes
}

/**
 * --warm: the same work WARM_CYCLES times in one process, each cycle timed. A CLI run is always
 * the first cycle (V8 has compiled nothing yet); the later ones show what the work itself costs
 * once the code is warm, as in the gateway's long-lived process.
 */
const WARM_CYCLES = 4
async function childWarm(target: Target, side: 'probe' | 'bare', urlFile: string): Promise<void> {
  const replays = side === 'bare' ? await readReplays(urlFile) : []
  const cycles: number[] = []
  for (let i = 0; i < WARM_CYCLES; i++) {
    const started = performance.now()
    if (side === 'bare') await replayAll(target, replays)
    else await runProbe({ baseUrl: target.url, kind: 'on-demand', keyId: target.keyId, secret: target.secret, mode: 'local', concurrency: CONCURRENCY, sample: BENCH_SAMPLE, skip: TIME_SKIP })
    cycles.push(Math.round(performance.now() - started))
  }
  process.stdout.write(JSON.stringify({ cycles }))
}

type Run = Record<string, unknown>
const round2 = (x: number): number => Math.round(x * 100) / 100
/**
 * A round in which other processes (anything outside this bench's process tree: /proc/stat's busy
 * CPU minus the tree's own, bench/process-cpu.ts) took at least this share of the cores is not quiet.
 */
const QUIET_OTHERS_SHARE = 0.1

/**
 * Runs one measurement in a child process. The child says when its measured window starts and ends
 * (`windowMark`); this process only serves the catalogue meanwhile, so its CPU between the two
 * marks is the provider's work for exactly the exchanges the child's own CPU figure covers.
 */
async function spawnChild(args: string[], target: Target): Promise<Run> {
  const ticks = cpuTicks()
  const round = markRound()
  const child = fork(fileURLToPath(import.meta.url), args, {
    // The Node flags `skillgate probe` runs with, for every child: the bare loop runs in the same runtime.
    execArgv: [...process.execArgv, ...PROBE_NODE_FLAGS],
    env: { ...process.env, BENCH_TARGET: JSON.stringify(target) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  let windowStart: NodeJS.CpuUsage | undefined
  let providerCpuMs: number | undefined
  child.on('message', (m) => {
    if (m === 'window-start') windowStart = process.cpuUsage()
    else if (m === 'window-end' && windowStart) providerCpuMs = cpuMsSince(windowStart)
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  }).finally(() => clearTimeout(timer))
  if (code !== 0) throw new Error(`bench child ${args.join(' ')} exited with ${String(code)}`)
  const stealPct = stealPercent(ticks)
  const othersShare = othersShareSince(round)
  return { ...(JSON.parse(stdout) as Run), ...(providerCpuMs === undefined ? {} : { providerCpuMs }), ...(stealPct === undefined ? {} : { stealPct }), ...(othersShare === undefined ? {} : { othersShare }) }
}

/** In a child: the measured window starts or ends now (see spawnChild). */
const windowMark = (mark: 'window-start' | 'window-end'): void => {
  process.send?.(mark)
}

async function parent(): Promise<void> {
  // Only the parent serves the catalogue: the children measure the probe's own peak RSS, so they
  // never load the reference provider (Fastify and the fixture generators).
  const { startProvider } = await import('../fixtures/providers/index.js')
  const quick = process.argv.includes('--quick')
  const timeOnly = process.argv.includes('--time-only')
  const warm = process.argv.includes('--warm')
  const floor = process.argv.includes('--floor')
  const roundsArg = process.argv.find((a) => a.startsWith('--rounds='))
  const rounds = roundsArg ? Math.max(1, Number(roundsArg.slice('--rounds='.length)) | 0) : 3
  const dir = await mkdtemp(join(tmpdir(), 'bench-probe-'))
  const out: Record<string, unknown> = { concurrency: CONCURRENCY, node: process.versions.node, nodeFlags: PROBE_NODE_FLAGS }
  try {
    const timeCourses = quick ? 1_000 : TIME_COURSES
    const p = await startProvider({ kind: 'on-demand', courses: timeCourses, seed: 'bench' })
    const target = { url: p.url, keyId: p.keyId, secret: p.secret }
    const urlFile = join(dir, 'urls.txt')
    // Alternate the sides round by round and keep medians: the provider warms up (JIT) on the first
    // round, and neither side should pay for that alone. Each pair runs back to back, so its ratio
    // sees one background load; a round in which other processes took a share of the cores
    // (othersShare ≥ QUIET_OTHERS_SHARE) is left out of the quiet-round ratios when enough quiet
    // rounds remain.
    const probes: Run[] = []
    const bares: Run[] = []
    const parses: Run[] = []
    const validates: Run[] = []
    for (let round = 0; round < rounds; round++) {
      probes.push(await spawnChild(['--child-probe', urlFile], target))
      bares.push(await spawnChild(['--child-bare', urlFile], target))
      if (floor) {
        parses.push(await spawnChild(['--child-bare', urlFile, 'parse'], target))
        validates.push(await spawnChild(['--child-bare', urlFile, 'validate'], target))
      }
    }
    const medianRun = (runs: Run[]): Run => [...runs].sort((a, b) => Number(a.ms) - Number(b.ms))[Math.floor(runs.length / 2)]!
    const probe: Run = { ...medianRun(probes), allMs: probes.map((r) => r.ms), allCpuMs: probes.map((r) => r.cpuMs), allTailMs: probes.map((r) => r.tailMs), allStealPct: probes.map((r) => r.stealPct), allOthersShare: probes.map((r) => r.othersShare) }
    const bare: Run = { ...medianRun(bares), allMs: bares.map((r) => r.ms), allCpuMs: bares.map((r) => r.cpuMs), allStealPct: bares.map((r) => r.stealPct), allOthersShare: bares.map((r) => r.othersShare) }
    const quiet = (r: Run): boolean => typeof r.othersShare === 'number' && r.othersShare < QUIET_OTHERS_SHARE
    /** Median over rounds of (side / bare) in the same round; quiet rounds only when at least half are quiet. */
    const pairRatio = (runs: Run[], of: (r: Run) => number = (r) => Number(r.ms)): { medianPairRatio: number; quietRounds: number } => {
      const pairs = runs.map((r, i) => ({ ratio: of(r) / of(bares[i]!), quiet: quiet(r) && quiet(bares[i]!) }))
      const quietPairs = pairs.filter((x) => x.quiet)
      const used = quietPairs.length >= Math.ceil(runs.length / 2) ? quietPairs : pairs
      return { medianPairRatio: round2(median(used.map((x) => x.ratio))), quietRounds: quietPairs.length }
    }
    // Both sides share the machine's cores with the provider, and on this machine each keeps them
    // busy: the CPU a side and the provider spend together, over the cores, bounds its wall time
    // from below, so the wall-time ratio follows the ratio of that CPU. The budget is the probe CPU
    // at which that ratio would meet the goal, given what the bare side and the provider spent.
    const machineCpu = (r: Run): number => Number(r.cpuMs) + Number(r.providerCpuMs)
    const cores = availableParallelism()
    const cpuShare = (runs: Run[]): Run => ({
      sideCpuMs: Math.round(median(runs.map((r) => Number(r.cpuMs)))),
      providerCpuMs: Math.round(median(runs.map((r) => Number(r.providerCpuMs)))),
      /** How busy the side and the provider kept the cores: (side + provider CPU) / (wall × cores). */
      coreUse: round2(median(runs.map((r) => machineCpu(r) / (Number(r.ms) * cores)))),
      ...pairRatio(runs, machineCpu),
    })
    const cpu = {
      cores,
      probe: cpuShare(probes),
      bare: cpuShare(bares),
      ...(floor ? { bareParse: cpuShare(parses), bareParseValidate: cpuShare(validates) } : {}),
      probeBudgetMs: Math.round(median(probes.map((r, i) => 1.25 * machineCpu(bares[i]!) - Number(r.providerCpuMs)))),
    }
    const stage = (runs: Run[]): Run => {
      const m = medianRun(runs)
      return { ms: m.ms, cpuMs: m.cpuMs, allMs: runs.map((r) => r.ms), allStealPct: runs.map((r) => r.stealPct), allOthersShare: runs.map((r) => r.othersShare), ...pairRatio(runs) }
    }
    const warmRuns = warm
      ? { probe: (await spawnChild(['--child-warm', 'probe', urlFile], target)).cycles as number[], bare: (await spawnChild(['--child-warm', 'bare', urlFile], target)).cycles as number[] }
      : undefined
    const withMedia = timeOnly ? undefined : await spawnChild(['--child-probe-media'], target)
    await p.close()
    out.time = {
      courses: timeCourses, probe, bare,
      ratio: round2(Number(probe.ms) / Number(bare.ms)),
      ...pairRatio(probes),
      goal: '≤ 1.25',
      cpu,
      ...(floor ? { floor: { bareParse: stage(parses), bareParseValidate: stage(validates) } } : {}),
      ...(warmRuns ? { warm: { cycles: WARM_CYCLES, probeMs: warmRuns.probe, bareMs: warmRuns.bare, lastCycleRatio: round2(warmRuns.probe.at(-1)! / warmRuns.bare.at(-1)!) } } : {}),
      ...(withMedia ? { withMediaMeasurement: withMedia } : {}),
    }
    if (timeOnly) {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
      return
    }
    const memory = []
    for (const courses of quick ? [1_000, 10_000] : MEMORY_SIZES) {
      const m = await startProvider({ kind: 'on-demand', courses, seed: 'bench' })
      const r = await spawnChild(['--child-memory'], { url: m.url, keyId: m.keyId, secret: m.secret })
      await m.close()
      memory.push({ courses, ...r })
    }
    out.memory = { runs: memory, goal: 'flat, ≤ 150 MB' }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const argv = process.argv.slice(2)
const target = (): Target => JSON.parse(process.env.BENCH_TARGET ?? '{}') as Target
if (argv[0] === '--child-probe') await childProbe(target(), undefined, argv[1])
else if (argv[0] === '--child-probe-media') await childProbe(target(), undefined, undefined, MEDIA_SKIP)
else if (argv[0] === '--child-bare') await childBare(target(), argv[1]!, argv[2] === 'parse' || argv[2] === 'validate' ? argv[2] : 'none')
else if (argv[0] === '--child-warm') await childWarm(target(), argv[1] === 'bare' ? 'bare' : 'probe', argv[2]!)
else if (argv[0] === '--child-memory') await childProbe(target(), MEMORY_CHECKS, undefined)
else await parent()
