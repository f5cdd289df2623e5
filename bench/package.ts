// skillgate check-package on large packages (prints JSON; no assertion):
//  1. time: checking a ~1 GB package vs `sha256sum` of the same file; goal ratio ≤ 1.5. Reported
//     twice: the full check (ffprobe on every media file) and the archive path alone (media checks
//     skipped), because ffprobe's cost depends on the media, not on the package's size;
//  2. memory: peak RSS of the check at ~100 MB and ~1 GB; goal flat, ≤ 150 MB;
//  3. the gateway's event-loop delay p99 (perf_hooks.monitorEventLoopDelay) while one ingest
//     (streamed upload into the blob store + the ingest job) runs in its process; goal < 50 ms.
// Packages: the 4-course generated package's media and manifest, with each copyright proof replaced
// by a large incompressible file (random bytes, stored uncompressed) so the zip reaches the size.
// Every measurement runs in its own child process, which reports its own peak RSS.
// Usage: node --import @tapjs/typescript/import bench/package.ts [--quick]
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import yazl from 'yazl'
import { checkPackage } from '../conformance/package/package-check.js'
import { openPackage } from '../conformance/package/zip-reader.js'
import { generatePackage } from '../fixtures/packages/generate.js'
import { DiskBlobStore } from '../gateway/blobs/disk-blob-store.js'
import { JobQueue } from '../gateway/jobs/job-queue.js'
import { PackageIngest } from '../gateway/ingest/package-ingest.js'
import { openStore } from '../gateway/store/open-store.js'
import { schemas } from '../specs/lib/schemas.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const SKIP_MEDIA = ['package.media', 'package.preview']
const peakMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)

/** Random bytes in 1 MiB chunks: never more than one chunk in memory. */
function randomStream(bytes: number): Readable {
  let left = bytes
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null)
      const n = Math.min(MiB, left)
      left -= n
      this.push(randomBytes(n))
    },
  })
}

async function buildPackage(dir: string, targetBytes: number): Promise<string> {
  const base = await generatePackage({ courses: 4 })
  const pkg = await openPackage(base.path, { sandboxDir: join(dir, 'sandbox') })
  try {
    const manifest = pkg.manifest as { courses: Array<{ copyright: { proofFile: string } }> }
    const mediaBytes = pkg.entries.reduce((a, e) => a + e.size, 0)
    const proofBytes = Math.max(MiB, Math.floor((targetBytes - mediaBytes) / manifest.courses.length))
    const proofs = new Set(manifest.courses.map((c) => c.copyright.proofFile))
    const zip = new yazl.ZipFile()
    zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json')
    for (const e of pkg.entries) if (e.name !== 'manifest.json' && !proofs.has(e.name)) zip.addFile(e.path, e.name, { compress: false })
    for (const p of proofs) zip.addReadStream(randomStream(proofBytes), p, { compress: false, size: proofBytes })
    zip.end()
    const out = join(dir, `package-${Math.round(targetBytes / MiB)}MiB.zip`)
    await pipeline(zip.outputStream, createWriteStream(out))
    return out
  } finally {
    await pkg.close()
  }
}

async function childCheck(zip: string, skipMedia: boolean): Promise<void> {
  const started = performance.now()
  const report = await checkPackage(zip, skipMedia ? { skip: SKIP_MEDIA } : {})
  const ms = performance.now() - started
  const statuses = Object.fromEntries(report.results.map((r) => [r.checkId, r.status]))
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), verdict: report.verdict, statuses, peakRssMiB: peakMiB() }))
}

async function childIngest(zip: string, dir: string): Promise<void> {
  const store = openStore({ sqlitePath: join(dir, 'bench.db') })
  await store.migrate()
  const ingest = new PackageIngest({ store, queue: new JobQueue(store), blobs: new DiskBlobStore(join(dir, 'blobs')), sandboxDir: join(dir, 'sandbox'), uploadLimitBytes: 4 * 1024 ** 3 })
  const { sha256 } = JSON.parse(process.env.BENCH_ZIP_SHA256 ?? '{}') as { sha256: string }
  // A running gateway has compiled its schemas long before an upload arrives.
  schemas().validator('package-manifest')
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const started = performance.now()
  const { pkg } = await ingest.accept({ providerId: 'prv_bench', fileName: 'bench.zip', sha256, body: createReadStream(zip), actor: 'bench' })
  const uploadMs = performance.now() - started
  await ingest.run(pkg.id)
  delay.disable()
  await store.close()
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100
  process.stdout.write(JSON.stringify({ uploadMs: Math.round(uploadMs), totalMs: Math.round(performance.now() - started), eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }, peakRssMiB: peakMiB() }))
}

async function spawnChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { maxBuffer: 1 << 22, env: { ...process.env, ...env }, timeout: 20 * 60_000 })
  return JSON.parse(stdout) as Record<string, unknown>
}

async function sha256sum(file: string): Promise<{ ms: number; sha256: string }> {
  const started = performance.now()
  const { stdout } = await run('sha256sum', [file], { maxBuffer: 1 << 16 })
  return { ms: Math.round(performance.now() - started), sha256: stdout.split(' ')[0] ?? '' }
}

async function parent(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const sizes = quick ? [20 * MiB, 100 * MiB] : [100 * MiB, 1024 * MiB]
  const dir = await mkdtemp(join(tmpdir(), 'bench-package-'))
  const out: Record<string, unknown> = { node: process.versions.node }
  try {
    const zips: string[] = []
    for (const size of sizes) zips.push(await buildPackage(dir, size))
    const big = zips.at(-1)!
    const bigBytes = (await stat(big)).size
    // Warm the page cache once for both sides, so neither pays the first read alone.
    await sha256sum(big)
    const sum = await sha256sum(big)
    const full = await spawnChild(['--child-check', big])
    const archive = await spawnChild(['--child-check', big, '--skip-media'])
    out.time = {
      packageBytes: bigBytes, sha256sumMs: sum.ms, check: full, archiveOnly: archive,
      ratioFull: Math.round((Number(full.ms) / sum.ms) * 100) / 100,
      ratioArchiveOnly: Math.round((Number(archive.ms) / sum.ms) * 100) / 100,
      goal: '≤ 1.5',
    }
    const memory = []
    for (const zip of zips) memory.push({ packageBytes: (await stat(zip)).size, ...(await spawnChild(['--child-check', zip])) })
    // The same child with everything imported and nothing run: what the runtime (and, under the
    // TypeScript loader, the compiler) costs before a byte of the package is read.
    out.memory = { runs: memory, baselineRssMiB: (await spawnChild(['--child-baseline'])).peakRssMiB, goal: 'flat, ≤ 150 MB' }
    const ingestDir = join(dir, 'gateway')
    out.gatewayIngest = { packageBytes: bigBytes, ...(await spawnChild(['--child-ingest', big, ingestDir], { BENCH_ZIP_SHA256: JSON.stringify({ sha256: sum.sha256 }) })), goal: 'event-loop delay p99 < 50 ms' }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const argv = process.argv.slice(2)
if (argv[0] === '--child-check') await childCheck(argv[1]!, argv.includes('--skip-media'))
else if (argv[0] === '--child-baseline') process.stdout.write(JSON.stringify({ peakRssMiB: peakMiB() }))
else if (argv[0] === '--child-ingest') await childIngest(argv[1]!, argv[2]!)
else await parent()
