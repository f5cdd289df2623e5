// skillgate check-package on generated course packages (prints JSON; no assertion). The packages are
// what `skillgate fixtures package` writes: a realistic one (`--media-profile realistic --courses
// 20`: 640×360 H.264/AAC, a 660 s preview and 1-3 short lessons per course, ~1.9 GB) and the tiny
// 150-course one of issue #14 (~100 MB, 450+ media files). Each is timed against `sha256sum` of the
// same file in the same run (the hashing a check must do anyway is the floor), through the CLI's
// own main() in a child process, on three paths, each named in the output:
//  - archiveOnly: `check-package --skip package.media,package.preview`: zip read, hashes, manifest,
//    files; no media measured;
//  - full: every check, every lesson and preview measured, with the default media method;
//  - fullFfprobe: the same with `--media-method ffprobe` (today's path), when the CLI has the option
//    (without it, `full` is that path).
// Timed path: from the child's call of the CLI's main() to its return (the CLI process start-up
// excluded; sha256sum is a whole process). cpuRatio compares CPU ms, which neighbours do not move.
// Goals (issue #14, #19): the realistic package's full check ≤ 1.5× sha256sum; the 150-course
// package's full check a small fraction of today's; peak RSS flat, ≤ 150 MB. Also the gateway's
// event-loop delay p99 while one ingest (streamed upload + the ingest job) runs: < 50 ms.
// Peak RSS is each child's own; baselineRssMiB is a child that imports the CLI and runs nothing.
// Flags: --realistic-courses N (20) --tiny-courses N (150) --skip-realistic --skip-ingest
// Usage: npm run bench:package
import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { PassThrough } from 'node:stream'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs, promisify } from 'node:util'
import { forkMeasurement, inWindow, type Run } from './measured-child.js'
import { markRound, othersShareSince, ownCpu } from './process-cpu.js'

const run = promisify(execFile)
const SKIP_MEDIA = 'package.media,package.preview'
const round2 = (x: number): number => Math.round(x * 100) / 100

/** In a child: one `skillgate check-package` run, with its verdict and per-check statuses. */
async function childCheck(zip: string, outDir: string, extra: string[]): Promise<void> {
  const { main } = await import('../bin/cli.js')
  const sink = new PassThrough().resume()
  let stderr = ''
  const errors = new PassThrough().on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-2000) })
  const args = ['check-package', zip, '--out', outDir, '--format', 'json', ...extra]
  const { result: exitCode, ...cost } = await inWindow(() => main(args, { stdout: sink, stderr: errors, env: process.env, cwd: process.cwd() }))
  const report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as { verdict: string; results: Array<{ checkId: string; status: string }> }
  process.stdout.write(JSON.stringify({
    exitCode, ...cost, verdict: report.verdict,
    statuses: Object.fromEntries(report.results.map((r) => [r.checkId, r.status])),
    ...(exitCode !== 0 && exitCode !== 1 ? { stderrTail: stderr } : {}),
  }))
}

async function childIngest(zip: string, dir: string, sha256: string): Promise<void> {
  const { DiskBlobStore } = await import('../gateway/blobs/disk-blob-store.js')
  const { JobQueue } = await import('../gateway/jobs/job-queue.js')
  const { PackageIngest } = await import('../gateway/ingest/package-ingest.js')
  const { openStore } = await import('../gateway/store/open-store.js')
  const { schemas } = await import('../specs/lib/schemas.js')
  const store = openStore({ sqlitePath: join(dir, 'bench.db') })
  await store.migrate()
  const ingest = new PackageIngest({ store, queue: new JobQueue(store), blobs: new DiskBlobStore(join(dir, 'blobs')), sandboxDir: join(dir, 'sandbox'), uploadLimitBytes: 4 * 1024 ** 3 })
  // A running gateway has compiled its schemas long before an upload arrives.
  schemas().validator('package-manifest')
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const { result: uploadMs, ...cost } = await inWindow(async () => {
    const started = performance.now()
    const { pkg } = await ingest.accept({ providerId: 'prv_bench', fileName: 'bench.zip', sha256, body: createReadStream(zip), actor: 'bench' })
    const upload = Math.round(performance.now() - started)
    await ingest.run(pkg.id)
    return upload
  })
  delay.disable()
  await store.close()
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100
  process.stdout.write(JSON.stringify({ uploadMs, totalMs: cost.ms, eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }, peakRssMiB: cost.peakRssMiB, ...(cost.cpuMs ? { cpuMs: cost.cpuMs } : {}) }))
}

/** sha256sum of the file: wall ms, its CPU ms (a reaped child's, from /proc), and the share of the cores others took meanwhile. */
async function sha256sum(file: string): Promise<{ ms: number; cpuMs: number | undefined; othersShare: number | undefined; sha256: string }> {
  const cpu = ownCpu()
  const round = markRound()
  const started = performance.now()
  const { stdout } = await run('sha256sum', [file], { maxBuffer: 1 << 16 })
  const ms = Math.round(performance.now() - started)
  const after = ownCpu()
  return { ms, cpuMs: cpu && after ? after.childrenMs - cpu.childrenMs : undefined, othersShare: othersShareSince(round), sha256: stdout.split(' ')[0] ?? '' }
}

/** Every path over one package, each against sha256sum of the same file measured just before it. */
async function timePackage(zip: string, scratch: string, hasMethod: boolean): Promise<Run> {
  await sha256sum(zip) // warm the page cache once, so neither side pays the first read alone
  const paths: Array<[string, string[]]> = [
    ['archiveOnly', ['--skip', SKIP_MEDIA]],
    ['full', hasMethod ? ['--media-method', 'index'] : []],
    ...(hasMethod ? [['fullFfprobe', ['--media-method', 'ffprobe']] as [string, string[]]] : []),
  ]
  const out: Run = { file: basename(zip), packageBytes: (await stat(zip)).size }
  for (const [name, extra] of paths) {
    const sum = await sha256sum(zip)
    const r = await forkMeasurement(import.meta.url, ['--child-check', zip, join(scratch, `${basename(zip)}-${name}`), ...extra])
    const cpu = r.cpuMs as { self: number; children: number } | undefined
    out[name] = {
      command: `skillgate check-package PKG.zip ${extra.join(' ')}`.trim(),
      sha256sumMs: sum.ms, ratio: round2(Number(r.ms) / sum.ms),
      // On a loaded machine wall time swings with the neighbours; CPU does not: the same ratio in CPU.
      ...(sum.cpuMs && cpu ? { sha256sumCpuMs: sum.cpuMs, cpuRatio: round2((cpu.self + cpu.children) / sum.cpuMs) } : {}),
      ...(sum.othersShare === undefined ? {} : { sha256sumOthersShare: sum.othersShare }),
      ...r,
    }
  }
  return out
}

async function parent(): Promise<void> {
  const { values } = parseArgs({ options: { 'realistic-courses': { type: 'string' }, 'tiny-courses': { type: 'string' }, 'skip-realistic': { type: 'boolean' }, 'skip-ingest': { type: 'boolean' } } })
  const { generatePackage } = await import('../fixtures/packages/generate.js')
  const { checkPackageCommand } = await import('../bin/commands/check-package.js')
  const hasMethod = checkPackageCommand.usage.includes('--media-method')
  const scratch = await mkdtemp(join(tmpdir(), 'bench-package-'))
  const out: Run = { node: process.versions.node, mediaMethodOption: hasMethod, loadAverageAtStart: loadavg().map(round2) }
  try {
    const tiny = await generatePackage({ courses: Number(values['tiny-courses'] ?? 150) })
    out.tiny = { courses: tiny.manifest.courses.length, mediaFiles: tiny.entries.filter((e) => e.endsWith('.mp4')).length, ...(await timePackage(tiny.path, scratch, hasMethod)), goal: 'full: a small fraction of the 50 s measured before the index reader (issue #14)' }
    // The same child with the CLI imported and nothing run: what the runtime costs before a byte is read.
    out.baselineRssMiB = (await forkMeasurement(import.meta.url, ['--child-baseline'])).peakRssMiB
    if (!values['skip-realistic']) {
      const started = performance.now()
      const real = await generatePackage({ courses: Number(values['realistic-courses'] ?? 20), profile: 'realistic' })
      const preparedSeconds = Math.round((performance.now() - started) / 100) / 10
      out.realistic = { courses: real.manifest.courses.length, preparedSeconds, ...(await timePackage(real.path, scratch, hasMethod)), goal: 'full ≤ 1.5 × sha256sum; peak RSS ≤ 150 MB' }
      if (!values['skip-ingest']) {
        const { sha256 } = await sha256sum(real.path)
        out.gatewayIngest = { file: basename(real.path), ...(await forkMeasurement(import.meta.url, ['--child-ingest', real.path, join(scratch, 'gateway'), sha256])), goal: 'event-loop delay p99 < 50 ms' }
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  out.loadAverageAtEnd = loadavg().map(round2)
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const argv = process.argv.slice(2)
if (argv[0] === '--child-check') await childCheck(argv[1]!, argv[2]!, argv.slice(3))
else if (argv[0] === '--child-ingest') await childIngest(argv[1]!, argv[2]!, argv[3]!)
else if (argv[0] === '--child-baseline') {
  await import('../bin/cli.js')
  process.stdout.write(JSON.stringify({ peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }))
}
else await parent()
