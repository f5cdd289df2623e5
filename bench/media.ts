// skillgate probe measuring EVERY preview of a reference catalogue (prints JSON; no assertion):
//   the path timed is `skillgate probe URL --kind on-demand --only preview.media-duration
//   --all-media` (the CLI's own main(), in Node with the flags the CLI runs with), once with the
//   default media method and once, on a subset, with today's full-download ffprobe path
//   (`--media-method ffprobe`). When the CLI has no --media-method, both runs are that one path.
// Issue #14's goal for the default run: 10,000 courses, realistic previews (640×360, 25 fps,
// ~1 Mbit/s, 11 minutes; 10 % HLS in 6 s segments) behind 20 ms media latency: ≤ 5 minutes,
// fetchedRatio ≤ 0.02, peak RSS ≤ 200 MB, with spot-checks and the referee on.
// Bytes and requests are counted at the server (fixtures/providers/media-host.ts): what the media
// host really sent. `mediaBytes` is what the measured previews weigh in full, so fetchedRatio =
// bytes sent / mediaBytes (1.0 for a client that downloads everything once).
// The reference platform runs in this process, on the same cores; each measurement runs in its own
// child process, which reports its own peak RSS and CPU (its ffprobe children's CPU apart).
// Flags: --courses N (10000) --baseline-courses M (50) --hls-percent P (10) --latency-ms L (20)
//   --bandwidth-mbit B (unlimited) --profile realistic|tiny (realistic) --concurrency C (probe default)
//   --skip-baseline --force (run today's path on more than 1,000 courses)
// Usage: npm run bench:media [-- --courses 200]
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { parseArgs } from 'node:util'
import { PROBE_NODE_FLAGS } from '../bin/node-flags.js'
import type { MediaTraffic } from '../fixtures/providers/media-host.js'
import { forkMeasurement, inWindow, type Run } from './measured-child.js'

const CHECK = 'preview.media-duration'
const SECRET_ENV = 'BENCH_MEDIA_SECRET'
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

/** In a child: run the CLI once, then report time, CPU, peak RSS and what the check measured. */
async function child(args: string[], outDir: string): Promise<void> {
  const { main } = await import('../bin/cli.js')
  const stdout = new PassThrough().resume()
  let stderr = ''
  const errors = new PassThrough().on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-2000) })
  const { result: exitCode, ...cost } = await inWindow(() => main(args, { stdout, stderr: errors, env: process.env, cwd: process.cwd() }))
  const out: Run = { exitCode, ...cost }
  try {
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as { verdict: string; results: Array<Record<string, unknown> & { checkId: string }> }
    const r = report.results.find((x) => x.checkId === CHECK)
    const measured = (r?.measured ?? {}) as Record<string, unknown>
    const { perCourse, ...summary } = measured
    out.verdict = report.verdict
    out.check = { status: r?.status, errorCode: r?.errorCode, message: (r?.message as { en?: string } | undefined)?.en?.slice(0, 400), measured: summary }
    out.previewsMeasured = typeof measured.sampled === 'number' ? measured.sampled : Array.isArray(perCourse) ? perCourse.length : null
    // The index reader's referee and spot-check figures, under whatever names it reports them.
    out.referee = Object.fromEntries(Object.entries(summary).filter(([k]) => /referee|spot/i.test(k)))
  } catch (err) {
    out.reportError = (err as Error).message
  }
  if (exitCode !== 0) out.stderrTail = stderr
  process.stdout.write(JSON.stringify(out))
}

interface Target { url: string; keyId: string; secret: string }

/** One probe run in its own child; the parent's CPU over the child's window is the platform's share. */
async function measure(target: Target, extra: string[], scratch: string, name: string): Promise<Run> {
  const outDir = join(scratch, name)
  const args = ['probe', target.url, '--kind', 'on-demand', '--key-id', target.keyId, '--secret-env', SECRET_ENV,
    '--only', CHECK, '--out', outDir, '--format', 'json', ...extra]
  const { parentCpuMs, ...run } = await forkMeasurement(import.meta.url, ['--child', outDir, ...args], { execArgv: PROBE_NODE_FLAGS, env: { [SECRET_ENV]: target.secret } })
  return { command: `skillgate probe URL --kind on-demand --only ${CHECK} ${extra.join(' ')}`.trim(), ...run, platformCpuMs: parentCpuMs }
}

interface Options {
  courses: number; baselineCourses: number; hlsShare: number; latencyMs: number; bandwidthMbit: number
  profile: 'tiny' | 'realistic'; concurrency?: number; skipBaseline: boolean; force: boolean
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      courses: { type: 'string' }, 'baseline-courses': { type: 'string' }, 'hls-percent': { type: 'string' }, 'latency-ms': { type: 'string' },
      'bandwidth-mbit': { type: 'string' }, profile: { type: 'string' }, concurrency: { type: 'string' }, 'skip-baseline': { type: 'boolean' }, force: { type: 'boolean' },
    },
  })
  const num = (name: string, raw: string | undefined, fallback: number): number => {
    const n = raw === undefined ? fallback : Number(raw)
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`)
    return n
  }
  const profile = values.profile ?? 'realistic'
  if (profile !== 'tiny' && profile !== 'realistic') throw new Error('--profile must be tiny or realistic')
  return {
    courses: num('courses', values.courses, 10_000),
    baselineCourses: num('baseline-courses', values['baseline-courses'], 50),
    hlsShare: num('hls-percent', values['hls-percent'], 10) / 100,
    latencyMs: num('latency-ms', values['latency-ms'], 20),
    bandwidthMbit: num('bandwidth-mbit', values['bandwidth-mbit'], 0),
    profile,
    ...(values.concurrency !== undefined ? { concurrency: num('concurrency', values.concurrency, 8) } : {}),
    skipBaseline: values['skip-baseline'] ?? false,
    force: values.force ?? false,
  }
}

/** What a run moved at the server, against what its previews weigh in full. */
function traffic(run: Run, t: MediaTraffic, mediaBytes: number, previews: number): Run {
  const seconds = Number(run.ms) / 1000
  return {
    ...run,
    wallSeconds: round(seconds, 1),
    // From the first media request to the last media answer: the part that grows with the previews.
    mediaSeconds: round(t.activeMs / 1000, 1),
    previewsPerSecond: round(previews / seconds),
    requests: t.requests, rangeRequests: t.rangeRequests, statuses: t.statuses,
    bytesFetched: t.bytes, mediaBytes,
    fetchedRatio: round(t.bytes / mediaBytes, 4),
  }
}

async function parent(o: Options): Promise<void> {
  const { probeCommand } = await import('../bin/commands/probe.js')
  const { startProvider } = await import('../fixtures/providers/index.js')
  const hasMethod = probeCommand.usage.includes('--media-method')
  const allMedia = probeCommand.usage.includes('--all-media') ? ['--all-media'] : []
  const common = [...allMedia, ...(o.concurrency !== undefined ? ['--concurrency', String(o.concurrency)] : [])]
  if (!hasMethod && o.courses > 1_000 && !o.force) {
    throw new Error(`this build has no --media-method: the main run would download all ${o.courses} previews with today's ffprobe path; pass --courses ≤ 1000 or --force`)
  }
  const scratch = await mkdtemp(join(tmpdir(), 'bench-media-'))
  const out: Run = { node: process.versions.node, nodeFlags: PROBE_NODE_FLAGS, loadAverageAtStart: loadavg().map((x) => round(x)) }
  const shaping = { mediaProfile: o.profile, hlsShare: o.hlsShare, mediaLatencyMs: o.latencyMs, ...(o.bandwidthMbit > 0 ? { mediaBandwidthMbit: o.bandwidthMbit } : {}) }
  try {
    const prepared = performance.now()
    const main = await startProvider({ kind: 'on-demand', courses: o.courses, seed: 'bench-media', ...shaping })
    const m = main.media
    const count = (courses: number): { mp4: number; hls: number } => {
      let hls = 0
      for (let i = 0; i < courses; i++) if (main.isHlsPreview(i)) hls++
      return { mp4: courses - hls, hls }
    }
    const weigh = (c: { mp4: number; hls: number }): number => c.mp4 * m.fullBytes.mp4 + c.hls * m.fullBytes.hls
    out.setup = {
      profile: m.profile, mediaPreparedSeconds: round((performance.now() - prepared) / 1000, 1), previewSeconds: m.declaredSeconds,
      previewBytes: m.fullBytes, hlsSegmentSeconds: m.hlsSegmentSeconds, hlsShare: o.hlsShare, latencyMs: o.latencyMs,
      bandwidthMbit: o.bandwidthMbit > 0 ? o.bandwidthMbit : 'unlimited', mediaMethodOption: hasMethod,
    }
    const target = { url: main.url, keyId: main.keyId, secret: main.secret }
    const mainCount = count(o.courses)
    main.resetMediaTraffic()
    const defaultRun = await measure(target, [...common, ...(hasMethod ? ['--media-method', 'index'] : [])], scratch, 'default')
    // Previews per second only over previews really measured (none when the check was cut off).
    const previews = Number(defaultRun.previewsMeasured ?? 0)
    out.default = {
      path: hasMethod ? 'index (the default media method), spot-checks and referee at their defaults' : "today's full download + ffprobe (this build has no other method)",
      courses: o.courses, ...mainCount,
      ...traffic(defaultRun, main.mediaTraffic(), weigh(mainCount), previews),
      goal: { wallSeconds: '≤ 300 for 10,000 courses', fetchedRatio: '≤ 0.02', peakRssMiB: '≤ 200' },
    }
    await main.close()
    if (!o.skipBaseline && o.baselineCourses > 0) {
      const sub = await startProvider({ kind: 'on-demand', courses: o.baselineCourses, seed: 'bench-media', ...shaping })
      const subCount = count(o.baselineCourses)
      const runs: Run = {}
      for (const method of hasMethod ? ['ffprobe', 'index'] : ['ffprobe']) {
        sub.resetMediaTraffic()
        const r = await measure({ url: sub.url, keyId: sub.keyId, secret: sub.secret }, [...common, ...(hasMethod ? ['--media-method', method] : [])], scratch, `subset-${method}`)
        runs[method] = traffic(r, sub.mediaTraffic(), weigh(subCount), Number(r.previewsMeasured ?? o.baselineCourses))
      }
      await sub.close()
      const ffprobe = runs.ffprobe as Run
      const scale = o.courses / o.baselineCourses
      // The run's fixed part (start-up, catalogue walk, report) once, its media part scaled.
      const extrapolated = Number(ffprobe.wallSeconds) - Number(ffprobe.mediaSeconds) + Number(ffprobe.mediaSeconds) * scale
      out.baseline = {
        path: "today's full download + ffprobe (--media-method ffprobe when the option exists)",
        courses: o.baselineCourses, ...subCount, ffprobe,
        ...(runs.index ? { index: runs.index, subsetWallRatio: round(Number((runs.index as Run).ms) / Number(ffprobe.ms), 3) } : {}),
        extrapolatedTo: {
          courses: o.courses, method: 'fixed part (wallSeconds − mediaSeconds) once + mediaSeconds × courses/subset: linear in previews at a fixed concurrency',
          wallSeconds: round(extrapolated, 0), bytesFetched: Math.round(Number(ffprobe.bytesFetched) * scale),
        },
      }
      out.ratioToBaseline = round(Number((out.default as Run).wallSeconds) / extrapolated, 4)
    }
    const d = out.default as Run
    const to100k = 100_000 / o.courses
    // A run that did not measure every preview (cut off, failed) says nothing linear about more.
    const finished = d.previewsMeasured === o.courses
    if (!finished) {
      out.extrapolatedTo100k = { void: `the default run measured ${String(d.previewsMeasured ?? 'no')} of ${o.courses} previews (check ${String((d.check as Run | undefined)?.status)}): no extrapolation` }
      delete out.ratioToBaseline
    } else out.extrapolatedTo100k = {
      method: 'fixed part once + mediaSeconds × 100,000/courses',
      defaultWallSeconds: round(Number(d.wallSeconds) - Number(d.mediaSeconds) + Number(d.mediaSeconds) * to100k, 0),
      defaultBytesFetched: Math.round(Number(d.bytesFetched) * to100k),
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  out.loadAverageAtEnd = loadavg().map((x) => round(x))
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') await child(argv.slice(2), argv[1]!)
else await parent(options(argv))
