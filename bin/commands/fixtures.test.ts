import t from 'tap'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { signRequest } from '../../conformance/signing/index.js'
import { PassThrough } from 'node:stream'
import { main } from '../cli.js'
import { runCli } from '../cli.test-support.js'
import { SECRET_ENV, stopServing } from './fixtures.js'

/** Runs `fixtures serve` in-process and resolves once it has printed its banner (it is listening then). */
async function startServe(args: string[], env: NodeJS.ProcessEnv) {
  const out = new PassThrough()
  const err = new PassThrough()
  const seen = { stdout: '', stderr: '' }
  out.on('data', (c: Buffer) => { seen.stdout += c.toString() })
  err.on('data', (c: Buffer) => { seen.stderr += c.toString() })
  const done = main(['fixtures', 'serve', ...args], { stdout: out, stderr: err, env, cwd: process.cwd() })
  while (!seen.stdout.includes('Ctrl-C')) {
    const ended = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))])
    if (ended) throw new Error(`serve ended early: ${seen.stderr}`)
  }
  return { seen, done }
}

t.test('fixtures serve: prints URL and key id, keeps the secret off stdout, answers signed calls, stops on request', async (t) => {
  const secret = 'cli-test-secret-0123456789'
  const { seen, done } = await startServe(['self-hosted', '--courses', '100', '--defect', 'free-share-40'], { ...process.env, [SECRET_ENV]: secret })
  const url = /base URL: (\S+)/.exec(seen.stdout)![1]!
  t.match(seen.stdout, /key id: +fixture-key-1/)
  t.match(seen.stdout, `$${SECRET_ENV}`)
  t.notMatch(seen.stdout, secret, 'the secret is never printed to stdout')
  t.notMatch(seen.stderr, secret, 'a secret taken from the environment is not echoed')
  t.match(seen.stderr, /tenant A token: tt_/)
  const target = `${url}/v1/service-info`
  const res = await request(target, { headers: signRequest({ method: 'GET', url: target, keyId: 'fixture-key-1', secret }) })
  t.equal(res.statusCode, 200)
  t.equal(((await res.body.json()) as { kind: string }).kind, 'self-hosted')
  stopServing()
  t.equal(await done, 0)
  t.match(seen.stderr, /stopped/)
})

t.test('fixtures serve: a generated secret goes to stderr once and not to stdout', async (t) => {
  const env = { ...process.env }
  delete env[SECRET_ENV]
  const { seen, done } = await startServe(['on-demand', '--courses', '100', '--public-host', 'api.od.example-edu.cn'], env)
  stopServing()
  t.equal(await done, 0)
  const exported = seen.stderr.match(new RegExp(`export ${SECRET_ENV}=(\\S+)`, 'g')) ?? []
  t.equal(exported.length, 1)
  t.notMatch(seen.stdout, exported[0]!.split('=')[1]!)
  t.match(seen.stdout, /base URL: http:\/\/api\.od\.example-edu\.cn:\d+/)
})

t.test('fixtures serve: HLS share and a shaped media host; the traffic it served is printed on stop', async (t) => {
  const { seen, done } = await startServe(['on-demand', '--courses', '100', '--hls-percent', '10', '--media-latency-ms', '5', '--media-bandwidth-mbit', '800'], { ...process.env, [SECRET_ENV]: 'cli-test-secret-abcdefghij' })
  t.match(seen.stdout, /media: +http:\/\/127\.0\.0\.1:\d+ \(tiny; MP4 [0-9.]+ (kB|MB|B), HLS .* in 20 s segments\)/)
  const url = /base URL: (\S+)/.exec(seen.stdout)![1]!
  const page = `${url}/v1/courses?limit=10`
  const res = await request(page, { headers: signRequest({ method: 'GET', url: page, keyId: 'fixture-key-1', secret: 'cli-test-secret-abcdefghij' }) })
  const ids = ((await res.body.json()) as { items: Array<{ courseId: string }> }).items.map((c) => c.courseId)
  const hls = await request(`${url}/media/preview/${ids[9]!}/hls/index.m3u8`)
  t.equal(hls.statusCode, 200, 'the tenth course previews as HLS')
  await hls.body.text()
  const mp4 = await request(`${url}/media/preview/${ids[0]!}/preview.mp4`, { headers: { range: 'bytes=0-99' } })
  t.equal(mp4.statusCode, 206)
  await mp4.body.text()
  stopServing()
  t.equal(await done, 0)
  t.match(seen.stderr, /media host served 2 request\(s\) \(1 with Range\)/)
})

t.test('fixtures: usage errors exit 2', async (t) => {
  const bad = await runCli(['fixtures', 'serve', 'on-demand', '--defect', 'nope'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown defect nope.*fixtures defects/)
  t.equal((await runCli(['fixtures', 'serve', 'resource'])).code, 2)
  t.equal((await runCli(['fixtures'])).code, 2)
  t.equal((await runCli(['fixtures', 'serve', 'on-demand', '--courses', 'many'])).code, 2)
  for (const flags of [['--media-profile', 'huge'], ['--hls-percent', '101'], ['--media-latency-ms', '-1'], ['--media-bandwidth-mbit', '0']]) {
    const r = await runCli(['fixtures', 'serve', 'on-demand', ...flags])
    t.equal(r.code, 2, flags.join(' '))
    t.match(r.stderr, new RegExp(flags[0]!))
  }
  const list = await runCli(['fixtures', 'defects'])
  t.equal(list.code, 0)
  t.match(list.stdout, /free-share-40\s+R5\.1-4/)
  t.match(list.stdout, /cross-tenant-read\s+R5\.3-5a\s+self-hosted/)
  t.match(list.stdout, /preview-mp4-moov-at-end\s+R5\.1-3\s+on-demand\+self-hosted\s+\(still conformant\)/)
  t.match(list.stdout, /preview-mp4-samples-not-media\s+R5\.1-3\s+on-demand\+self-hosted\s+MP4 previews keep/)
  t.match(list.stdout, /Course-package defects[^\n]*\n(.*\n)*\s+short-preview\s+R5\.2-2\s+fails/, 'the package defects are listed too')
  t.match(list.stdout, /\s+duplicate-media\s+\S+\s+warns/)
  const vod = await runCli(['fixtures', 'serve', 'vod'])
  t.equal(vod.code, 2)
  t.equal(vod.stderr, "skillgate fixtures: unknown platform kind 'vod': fixtures serve takes on-demand (点播) or self-hosted (自有课) (see 'skillgate fixtures --help')\n", 'one line, naming the kinds')
})

t.test('fixtures package writes the zip generated by fixtures/packages', async (t) => {
  const dir = t.testdir({})
  const r = await runCli(['fixtures', 'package', 'out/pkg.zip', '--courses', '20'], { cwd: dir })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /wrote out\/pkg\.zip: 20 courses/)
  t.ok(existsSync(join(dir, 'out/pkg.zip')) && statSync(join(dir, 'out/pkg.zip')).size > 1000)
  const bad = await runCli(['fixtures', 'package', 'x.zip', '--defect', 'nope'], { cwd: dir })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown package defect nope; run 'skillgate fixtures defects'/)
  // Repeated --defect applies every one (it used to keep only the last).
  const two = await runCli(['fixtures', 'package', 'two.zip', '--courses', '24', '--defect', 'unknown-category', '--defect', 'duplicate-course-ids'], { cwd: dir })
  t.equal(two.code, 0, two.stderr)
  t.match(two.stdout, /defects unknown-category, duplicate-course-ids/)
  const { inspectPackage } = await import('../../conformance/package/package-check.js')
  const checked = await inspectPackage(join(dir, 'two.zip'), { skip: ['package.media', 'package.preview'] })
  const failed = checked.report.results.filter((x) => x.status === 'fail').map((x) => x.checkId).sort()
  t.same(failed, ['package.category', 'package.course-ids'], 'both defects are in the package')
  const badProfile = await runCli(['fixtures', 'package', 'x.zip', '--media-profile', 'hd'], { cwd: dir })
  t.equal(badProfile.code, 2)
  t.match(badProfile.stderr, /--media-profile must be tiny or realistic/)
})
