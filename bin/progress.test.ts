// Progress on stderr (issue 18): in CI (stderr not a terminal) a probe prints plain progress lines
// while it runs, not only at the end; on a terminal the bar carries the running check's own count.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { startProvider } from '../fixtures/providers/index.js'
import { createProgress, progressIntervalMs } from './progress.js'

const ROOT = join(import.meta.dirname, '..')

function sink(isTTY: boolean): { io: Parameters<typeof createProgress>[0]; text: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY })
  const chunks: string[] = []
  stderr.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  return { io: { stdout: new PassThrough(), stderr, env: {}, cwd: ROOT }, text: () => chunks.join('') }
}

t.test('plain lines when stderr is not a terminal: at most one per interval, with phase, n/N and elapsed', async (t) => {
  let clock = 0
  const s = sink(false)
  const p = createProgress(s.io, { intervalMs: 10_000, now: () => clock })
  p.onProgress({ type: 'start', checkId: 'preview.media-duration', done: 3, total: 17 })
  clock = 4_000
  p.onProgress({ type: 'step', checkId: 'preview.media-duration', step: { done: 40, total: 120, unit: 'previews' }, done: 3, total: 17 })
  clock = 12_500
  p.onProgress({ type: 'step', checkId: 'preview.media-duration', step: { done: 90, total: 120, unit: 'previews' }, done: 3, total: 17 })
  clock = 13_000
  p.onProgress({ type: 'finish', checkId: 'preview.media-duration', result: {} as never, done: 4, total: 17 })
  p.end()
  const lines = s.text().split('\n').filter(Boolean)
  t.same(lines, [
    'progress: 12.5 s · 3/17 checks · running preview.media-duration 90/120 previews',
    'progress: 13.0 s · 4/17 checks done',
  ], 'nothing before the first interval; the 4 s step is folded into the next line; no carriage returns')
  const quick = sink(false)
  const q = createProgress(quick.io, { intervalMs: 10_000, now: () => 0 })
  q.onProgress({ type: 'start', checkId: 'contract.service-info', done: 0, total: 17 })
  q.end()
  t.equal(quick.text(), '', 'a run shorter than one interval prints no progress (an unreachable target stays one line)')
  t.notMatch(s.text(), /\r/)
})

t.test('on a terminal the bar is redrawn in place and shows the running check\'s count', async (t) => {
  const s = sink(true)
  const p = createProgress(s.io, { now: () => 0 })
  p.onProgress({ type: 'step', checkId: 'preview.media-duration', step: { done: 7, total: 120, unit: 'previews' }, done: 0, total: 2 })
  p.end()
  t.match(s.text(), /^\r\[-{24}\] 0\/2 checks · running preview\.media-duration 7\/120 previews/)
  t.ok(s.text().endsWith('\n'))
})

t.test('--progress-interval takes seconds ≥ 0', async (t) => {
  t.equal(progressIntervalMs('2.5'), 2500)
  t.equal(progressIntervalMs('0'), 0)
  t.equal(progressIntervalMs(undefined), undefined)
  t.throws(() => progressIntervalMs('-1'), /--progress-interval takes seconds/)
  t.throws(() => progressIntervalMs('soon'), /--progress-interval takes seconds/)
})

t.test('a real probe with stderr piped prints progress lines before the run ends', async (t) => {
  const provider = await startProvider({ kind: 'on-demand', courses: 40, seed: 5 })
  const out = await mkdtemp(join(tmpdir(), 'sg-progress-'))
  t.teardown(async () => { await provider.close(); await rm(out, { recursive: true, force: true }) })
  // The launcher (bin/skillgate.js) runs the built CLI: the probe in its own process, stdout and
  // stderr pipes, exactly as a CI job sees it.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'skillgate.js'), 'probe', provider.url, '--kind', 'on-demand',
    '--key-id', provider.keyId, '--secret-env', 'SG_TEST_SECRET', '--out', out, '--format', 'json', '--progress-interval', '0'], {
    env: { ...process.env, SG_TEST_SECRET: provider.secret }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Order of arrival across the two pipes: each chunk is tagged as it comes in. The verdict line
  // on stdout is written after the run; progress lines must come before it.
  const arrivals: Array<{ stream: 'out' | 'err'; text: string }> = []
  child.stdout.on('data', (c: Buffer) => arrivals.push({ stream: 'out', text: c.toString('utf8') }))
  child.stderr.on('data', (c: Buffer) => arrivals.push({ stream: 'err', text: c.toString('utf8') }))
  const code = await new Promise<number | null>((done) => child.on('close', done))
  const stderr = arrivals.filter((a) => a.stream === 'err').map((a) => a.text).join('')
  const stdout = arrivals.filter((a) => a.stream === 'out').map((a) => a.text).join('')
  t.match(stdout, /^(CONFORMANT|NOT-CONFORMANT): /, `the run ended with a verdict (exit ${code})`)
  const firstOut = arrivals.findIndex((a) => a.stream === 'out')
  const progressBefore = arrivals.slice(0, firstOut).filter((a) => a.stream === 'err' && a.text.includes('progress: '))
  t.ok(progressBefore.length >= 2, `${progressBefore.length} progress chunk(s) arrived before the verdict`)
  t.match(stderr, /progress: [\d.]+ s · \d+\/\d+ checks · running preview\.media-duration \d+\/40 previews/, 'the media check counts its previews')
  t.match(stderr, /progress: [\d.]+ s · (\d+)\/\1 checks done/, 'a closing line')
  t.notMatch(stderr, /\r/, 'no terminal control characters in a pipe')
})
