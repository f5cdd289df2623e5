// Peak RSS of a reference provider (and its client, same process) serving a catalogue of 100 vs
// 100,000 courses. Both runs make the same number of page requests (500 pages of 200: one full walk
// of the large catalogue; the small one is walked again and again), so the only difference is the
// catalogue's size. It is computed per position, so the ratio should stay near 1. Each size runs in
// its own child process so one run's heap does not inflate the other's peak.
// Usage: npm run bench:fixtures-memory   (prints JSON; no assertion)
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { request } from 'undici'
import { signRequest } from '../conformance/signing/index.js'
import { startProvider } from '../fixtures/providers/index.js'

const run = promisify(execFile)
const SIZES = [100, 100_000]
const PAGE_REQUESTS = 500

async function child(courses: number): Promise<void> {
  const p = await startProvider({ kind: 'on-demand', courses })
  const started = process.hrtime.bigint()
  let seen = 0
  let pages = 0
  let cursor: string | null = null
  while (pages < PAGE_REQUESTS) {
    const url = `${p.url}/v1/courses?limit=200${cursor ? `&cursor=${cursor}` : ''}`
    const res = await request(url, { headers: signRequest({ method: 'GET', url, keyId: p.keyId, secret: p.secret }) })
    const page = (await res.body.json()) as { items: unknown[]; nextCursor: string | null }
    seen += page.items.length
    cursor = page.nextCursor
    pages++
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await p.close()
  // maxRSS is in KiB on Linux.
  process.stdout.write(JSON.stringify({ courses, seen, pages, seconds: Math.round(seconds * 100) / 100, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }))
}

async function parent(): Promise<void> {
  const results = []
  for (const courses of SIZES) {
    const { stdout } = await run(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(courses)], { maxBuffer: 1 << 20 })
    results.push(JSON.parse(stdout) as { courses: number; peakRssMiB: number })
  }
  const [small, large] = results
  process.stdout.write(`${JSON.stringify({
    bench: 'fixtures-memory',
    node: process.version,
    results,
    peakRssRatio: small && large ? Math.round((large.peakRssMiB / small.peakRssMiB) * 100) / 100 : null,
  }, null, 2)}\n`)
}

const at = process.argv.indexOf('--child')
if (at >= 0) await child(Number(process.argv[at + 1]))
else await parent()
