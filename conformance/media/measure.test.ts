import t from 'tap'
import { copyFile } from 'node:fs/promises'
import * as media from '../../fixtures/media/generate.js'
import { agreeWithin, assertCodecs, checkCodecs, measureFile, spanOf, toleranceFor } from './measure.js'
import type { FileMeasurement } from './measure.js'

const PREVIEW_MIN_SECONDS = 600

t.test('agreeWithin: |d − m| ≤ max(2 s, 1 % of d)', async (t) => {
  t.equal(toleranceFor(60), 2)
  t.equal(toleranceFor(660), 6.6)
  t.ok(agreeWithin(60, 62))
  t.notOk(agreeWithin(60, 62.01))
  t.ok(agreeWithin(660, 653.4))
  t.notOk(agreeWithin(660, 653.3))
  t.notOk(agreeWithin(660, Number.NaN))
})

t.test('spanOf stops at the first step longer than the median step + 2 s', async (t) => {
  // Muxers fold a timestamp jump into the duration of the packet before it: 2 → 100 s "long".
  const times = [0, 1, 2, 100, 101]
  const honest = spanOf([0, 1, 2, 3, 4], [1, 1, 1, 1, 1])
  t.equal(honest.playableSeconds, 5)
  t.equal(honest.largestGapSeconds, 0)
  const gapped = spanOf(times, [1, 1, 98, 1, 1])
  t.equal(gapped.playableSeconds, 3, 'the folded duration does not extend the span')
  t.equal(gapped.largestGapSeconds, 97)
  t.equal(gapped.lastEnd, 102)
  t.equal(spanOf([], []).playableSeconds, 0)
  t.equal(spanOf([3, 0, 1, 2], [1, 1, 1, 1]).playableSeconds, 4, 'packets out of order are sorted first')
})

t.test('honest media measures within tolerance of the truth (R5.1-3, R5.2-2)', async (t) => {
  const cases: Array<[string, Promise<string>, number]> = [
    ['11-minute MP4 with audio', media.mp4({ seconds: 660 }), 660],
    ['11-minute MP4 without audio', media.mp4({ seconds: 660, audio: false }), 660],
    ['5-minute MP4', media.mp4({ seconds: 300 }), 300],
  ]
  for (const [name, file, truth] of cases) {
    t.test(name, async (t) => {
      const m = await measureFile(await file)
      t.ok(agreeWithin(truth, m.playableSeconds), `playable ${m.playableSeconds} ≈ ${truth}`)
      t.ok(agreeWithin(m.headerSeconds ?? Number.NaN, m.playableSeconds), 'header and packets agree')
      t.equal(m.container, 'mp4')
      t.ok(m.streams.every((s) => s.largestGapSeconds < 2), 'no gaps')
      t.match(m.method, /ffprobe .* packet timestamps/)
      t.ok(m.binary!.version.length > 0)
      t.ok(checkCodecs(m).ok)
    })
  }
})

t.test('lying media measures far below its header (R5.1-3, R5.2-2)', async (t) => {
  const cases: Array<[string, Promise<string>, number]> = [
    ['R5.1-3 truncated file whose moov still claims 660 s', media.truncatedMp4({ seconds: 660 }), 330],
    ['R5.1-3 mvhd/tkhd/mdhd patched to 660 s over 300 s of samples', media.patchedHeaderMp4({ seconds: 300, claimSeconds: 660 }), 300],
    ['R5.2-2 video track 60 s under 660 s of audio', media.shortVideoMp4({ seconds: 660, videoSeconds: 60 }), 60],
    ['R5.2-2 timestamps jump 300 s after 300 s', media.gappedMp4({ firstSeconds: 300, gapSeconds: 300, lastSeconds: 60 }), 300],
  ]
  for (const [name, file, truth] of cases) {
    t.test(name, async (t) => {
      const m = await measureFile(await file)
      t.ok((m.headerSeconds ?? 0) >= 659, `header claims ${m.headerSeconds}`)
      t.notOk(agreeWithin(m.headerSeconds ?? 0, m.playableSeconds), `playable ${m.playableSeconds} disagrees with the header`)
      t.ok(m.playableSeconds < PREVIEW_MIN_SECONDS, 'fails the 10-minute preview rule')
      t.ok(Math.abs(m.playableSeconds - truth) <= toleranceFor(truth), `playable ${m.playableSeconds} ≈ what really plays (${truth})`)
    })
  }
})

t.test('media that is not media fails with SG_ERR_MEDIA_UNREADABLE', async (t) => {
  await t.rejects(measureFile(await media.notMediaFile()), { code: 'SG_ERR_MEDIA_UNREADABLE' })
  await t.rejects(measureFile(`${t.testdir()}/absent.mp4`), { code: 'SG_ERR_MEDIA_UNREADABLE' })
  const dir = t.testdir({ 'empty.mp4': '' })
  await t.rejects(measureFile(`${dir}/empty.mp4`), { code: 'SG_ERR_MEDIA_UNREADABLE' })
})

t.test('a file name that looks like a URL is still read as a local file', async (t) => {
  // ffprobe would read "http:odd.mp4" as a URL; the runner always passes file:<absolute path>.
  const odd = `${t.testdir()}/http:odd.mp4`
  await copyFile(await media.mp4({ seconds: 30 }), odd)
  const m = await measureFile(odd)
  t.ok(agreeWithin(30, m.playableSeconds))
})

t.test('codec allow-list: MPEG-4 Part 2 is refused, its H.264 twin passes', async (t) => {
  const bad = await measureFile(await media.unsupportedCodecMp4({ seconds: 60 }))
  const good = await measureFile(await media.mp4({ seconds: 60 }))
  t.ok(agreeWithin(60, bad.playableSeconds), 'measurement itself still works')
  t.same(checkCodecs(bad).problems, [{ what: 'video', found: 'mpeg4', allowed: ['h264', 'hevc'] }])
  t.ok(checkCodecs(good).ok)
  t.throws(() => assertCodecs(bad), { code: 'SG_ERR_MEDIA_CODEC' })
  t.doesNotThrow(() => assertCodecs(good))
})

t.test('codec allow-list: audio-only and foreign containers', async (t) => {
  const good = await measureFile(await media.mp4({ seconds: 60 }))
  const audioOnly: FileMeasurement = { ...good, streams: good.streams.filter((s) => s.kind === 'audio') }
  t.same(checkCodecs(audioOnly).problems.map((p) => p.what), ['no-video'])
  t.throws(() => assertCodecs(audioOnly), { code: 'SG_ERR_MEDIA_NO_VIDEO' })
  t.same(checkCodecs({ ...good, container: 'matroska' }).problems.map((p) => p.what), ['container'])
  t.same(checkCodecs({ ...good, container: 'mpegts' }).problems.map((p) => p.what), ['container'], 'bare MPEG-TS files are allowed only as HLS segments')
})

t.test('ffprobe limits map to stable codes instead of hanging', async (t) => {
  const file = await media.mp4({ seconds: 660 })
  await t.rejects(measureFile(file, { maxPackets: 10 }), { code: 'SG_ERR_MEDIA_TOO_LARGE' })
  // 1 ms cannot cover even process start-up, so the kill path runs deterministically.
  await t.rejects(measureFile(file, { timeoutMs: 1 }), { code: 'SG_ERR_MEDIA_TIMEOUT' })
  const ok = await measureFile(file, { maxPackets: 100_000 })
  t.ok(agreeWithin(660, ok.playableSeconds), 'the same file passes under ordinary limits')
})

t.test('Matroska with B-frames: exactly 600 s passes, 599 s fails (one clock per stream, R5.1-3)', async (t) => {
  // ffprobe gives the first packets of a Matroska B-frame stream no dts; mixing their pts with the
  // later packets' dts measured a 600 s file 598 s.
  const { matroska } = await import('../../fixtures/media/generate.js')
  const full = await measureFile(await matroska({ seconds: 600 }))
  const short = await measureFile(await matroska({ seconds: 599 }))
  t.equal(full.container, 'matroska')
  t.ok(full.playableSeconds >= PREVIEW_MIN_SECONDS, `600 s file plays ${full.playableSeconds} s`)
  t.ok(short.playableSeconds < PREVIEW_MIN_SECONDS, `599 s file plays ${short.playableSeconds} s`)
  t.ok(agreeWithin(599, short.playableSeconds))
})
