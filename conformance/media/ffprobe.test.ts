import t from 'tap'
import { join } from 'node:path'
import * as media from '../../fixtures/media/generate.js'
import { describeFfprobe, npmFfprobePath, resolveFfprobe, runFfprobe } from './ffprobe.js'
import { agreeWithin, measureFile } from './measure.js'

const npm = npmFfprobePath()

t.test('resolution order: FFPROBE env, then PATH, then the npm build', async (t) => {
  if (!npm) throw new Error('@ffprobe-installer/ffprobe is a dependency and must be installed')
  const emptyPath = t.testdir()
  const fromEnv = await resolveFfprobe({ env: { FFPROBE: npm, PATH: '/usr/bin' } })
  t.equal(fromEnv.source, 'env', 'FFPROBE wins over PATH')
  t.equal(fromEnv.path, npm)
  const fromPath = await resolveFfprobe({ env: { PATH: `${emptyPath}:/usr/bin` } })
  t.equal(fromPath.source, 'path')
  t.equal(fromPath.path, '/usr/bin/ffprobe')
  t.same(fromPath.env, {}, 'the Debian build runs with the ordinary environment')
  const fromNpm = await resolveFfprobe({ env: { PATH: emptyPath } })
  t.equal(fromNpm.source, 'npm')
  t.equal(fromNpm.path, npm)
  for (const b of [fromEnv, fromPath, fromNpm]) t.match(b.version, /\S/, `${b.source} reports its version (${b.version})`)
})

t.test('a broken FFPROBE is an error, not a silent fallback', async (t) => {
  const dir = t.testdir({ 'not-ffprobe': 'plain text' })
  await t.rejects(resolveFfprobe({ env: { FFPROBE: join(dir, 'not-ffprobe'), PATH: '/usr/bin' } }), { code: 'SG_ERR_MEDIA_TOOL_MISSING' })
  await t.rejects(resolveFfprobe({ env: { FFPROBE: join(dir, 'absent'), PATH: '/usr/bin' } }), { code: 'SG_ERR_MEDIA_TOOL_MISSING' })
  await t.rejects(describeFfprobe('/bin/true', 'env'), { code: 'SG_ERR_MEDIA_TOOL_MISSING' }, 'an executable that is not ffprobe')
})

t.test('the npm build measures MPEG-TS because it runs with GCONV_PATH=/nonexistent', async (t) => {
  if (!npm) throw new Error('@ffprobe-installer/ffprobe is a dependency and must be installed')
  const bin = await describeFfprobe(npm, 'npm')
  t.same(bin.env, { GCONV_PATH: '/nonexistent' })
  const segment = join(await media.hls({ seconds: 660, segmentSeconds: 60 }), 'seg0001.ts')
  const m = await measureFile(segment, { ffprobe: bin })
  t.equal(m.container, 'mpegts')
  t.ok(agreeWithin(60, m.playableSeconds), `segment plays ${m.playableSeconds} s`)
  t.equal(m.binary!.source, 'npm')

  // The twin without the variable: on hosts with glibc gconv modules the static build segfaults;
  // the crash must surface as a stable code, never as an unhandled failure.
  const bare = { ...bin, env: {} }
  const raw = await runFfprobe(bare, ['-show_format', segment])
  const skip = raw.signal === null && `this host's npm ffprobe does not crash without GCONV_PATH (exit ${raw.exitCode})`
  t.test('without GCONV_PATH it crashes, and the crash maps to SG_ERR_MEDIA_UNREADABLE', { skip }, async (t) => {
    t.equal(raw.signal, 'SIGSEGV')
    await t.rejects(measureFile(segment, { ffprobe: bare }), { code: 'SG_ERR_MEDIA_UNREADABLE', message: /crashed/ })
  })
})

t.test('ffprobe never opens a network protocol', async (t) => {
  const bin = await resolveFfprobe()
  // Port 9 on loopback: even if the whitelist failed, nothing would leave the host.
  const refused = await runFfprobe(bin, ['-show_format', 'http://127.0.0.1:9/preview.mp4'])
  t.not(refused.exitCode, 0)
  t.match(refused.stderr, /not on whitelist/)
  const local = await runFfprobe(bin, ['-show_format', `file:${await media.mp4({ seconds: 30 })}`])
  t.equal(local.exitCode, 0, 'the same call on a local file succeeds')
})
