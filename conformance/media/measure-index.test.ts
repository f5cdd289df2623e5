// The index reader against the packet path (R5.1-3, R5.2-2). One table runs every media fixture
// and defect twin through both paths, as a preview fetched over loopback HTTP, and expects the
// same status and error code; another compares the two measurements stream by stream. Then the
// twins only the index path could get wrong: samples that are not media, an index pointing past
// the end, a fragmented file, a moov at the end with and without Range, a master playlist.
import t, { type Test } from 'tap'
import { dirname, basename, join } from 'node:path'
import { stat } from 'node:fs/promises'
import * as media from '../../fixtures/media/generate.js'
import type { Preview } from '../../specs/types.gen.js'
import { measurePreview, MIN_PREVIEW_SECONDS } from '../checks/preview.js'
import { createProbeClient } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { fileSource } from './byte-source.js'
import { measureFile } from './measure-file.js'
import { measureByIndex, type MediaMethod } from './measure-index.js'
import { checkCodecs } from './codec-allow-list.js'
import { compareWithReferee, refereeDisagrees } from './referee.js'
import { serveDir } from './range-server.test-support.js'

const HLS = { seconds: 660, segmentSeconds: 60 }

/** measureByIndex over a local file, closing the file (Node 26 fails a FileHandle the GC closes). */
async function measureFileByIndex(file: string, opts?: Parameters<typeof measureByIndex>[1]): ReturnType<typeof measureByIndex> {
  const src = await fileSource(file)
  try {
    return await measureByIndex(src, opts)
  } finally {
    await src.close()
  }
}

function contextFor(t: Test): ProbeContext {
  const anonymous = createProbeClient({ mode: 'local' })
  t.teardown(() => anonymous.close())
  return { anonymous, noteHost: () => {} } as unknown as ProbeContext
}

/** The preview check's own verdict for one measurement: pass, or the code it would report. */
const verdictOf = (m: Awaited<ReturnType<typeof measurePreview>>): string =>
  m.reasons.length === 0 ? 'pass' : m.errorCode ?? (m.measuredSeconds < MIN_PREVIEW_SECONDS ? 'SG_ERR_PREVIEW_TOO_SHORT' : 'SG_ERR_PREVIEW_DURATION_MISMATCH')

interface Row { name: string; file: () => Promise<string>; format: Preview['format']; declared: number; expect: string; missing?: () => Promise<string> }

const rows: Row[] = [
  { name: 'honest MP4, 660 s', file: () => media.mp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'pass' },
  { name: 'truncated MP4 whose moov claims 660 s', file: () => media.truncatedMp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'lying header: 660 s over 300 s of samples', file: () => media.patchedHeaderMp4({ seconds: 300, claimSeconds: 660 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'video 60 s under 660 s of audio', file: () => media.shortVideoMp4({ seconds: 660, videoSeconds: 60 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'timestamp gap of 300 s after 300 s', file: () => media.gappedMp4({ firstSeconds: 300, gapSeconds: 300, lastSeconds: 60 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'edit list presenting 300 s of 660 s of samples', file: () => media.editListMp4({ seconds: 660, presentSeconds: 300 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'fragmented MP4, 660 s', file: () => media.fragmentedMp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'pass' },
  { name: 'moov at the end, 660 s', file: () => media.moovAtEndMp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'pass' },
  { name: 'index pointing past the end of the file', file: () => media.indexPastEndMp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'edit list and B-frames (ctts), 660 s', file: () => media.bframesMp4({ seconds: 660 }), format: 'mp4', declared: 660, expect: 'pass' },
  { name: 'not media (an HTML page named .mp4)', file: () => media.notMediaFile(), format: 'mp4', declared: 660, expect: 'SG_ERR_MEDIA_UNREADABLE' },
  { name: 'Matroska of exactly 600 s', file: () => media.matroska({ seconds: 600 }), format: 'mp4', declared: 600, expect: 'pass' },
  { name: 'Matroska of 599 s', file: () => media.matroska({ seconds: 599 }), format: 'mp4', declared: 600, expect: 'SG_ERR_PREVIEW_TOO_SHORT' },
  { name: 'honest HLS', file: async () => join(await media.hls(HLS), media.hlsPlaylistName), format: 'hls', declared: 660, expect: 'pass' },
  { name: 'HLS whose #EXTINF claim twice the length', file: async () => join(await media.lyingExtinfHls({ ...HLS, claimFactor: 2 }), media.hlsPlaylistName), format: 'hls', declared: 660, expect: 'SG_ERR_PREVIEW_DURATION_MISMATCH' },
  { name: 'HLS without EXT-X-ENDLIST', file: async () => join(await media.noEndlistHls(HLS), media.hlsPlaylistName), format: 'hls', declared: 660, expect: 'SG_ERR_HLS_NO_ENDLIST' },
  { name: 'HLS with a missing segment', file: async () => join(await media.hls(HLS), media.hlsPlaylistName), missing: async () => media.segmentToDrop(await media.hls(HLS)), format: 'hls', declared: 660, expect: 'SG_ERR_HLS_SEGMENT_MISSING' },
  { name: 'HLS master playlist', file: async () => join(await media.masterHls(HLS), media.hlsMasterName), format: 'hls', declared: 660, expect: 'pass' },
]

t.test('every media fixture and defect twin: same status and code through the index and through ffprobe (R5.1-3, R5.2-2)', async (t) => {
  const ctx = contextFor(t)
  for (const row of rows) {
    t.test(row.name, async (t) => {
      const file = await row.file()
      const server = await serveDir(t, dirname(file), row.missing ? { missing: [await row.missing()] } : {})
      const preview = { courseId: 'c1', format: row.format, url: `${server.url}/${basename(file)}`, durationSeconds: row.declared } as Preview
      const seen: Record<MediaMethod, string> = { index: '', ffprobe: '' }
      for (const method of ['ffprobe', 'index'] as const) {
        const m = await measurePreview(ctx, preview, t.testdir(), undefined, { method, referee: false })
        seen[method] = verdictOf(m)
        t.equal(seen[method], row.expect, `${method}: ${m.measuredSeconds} s, ${m.reasons.join('; ') || 'no reasons'}`)
      }
      t.equal(seen.index, seen.ffprobe, 'both paths agree')
    })
  }
})

t.test('per stream, the index and ffprobe measure the same start, end and span within 0.1 s', async (t) => {
  const files: Array<[string, string]> = [
    ['honest', await media.mp4({ seconds: 660 })],
    ['no audio', await media.mp4({ seconds: 660, audio: false })],
    ['truncated', await media.truncatedMp4({ seconds: 660 })],
    ['patched header', await media.patchedHeaderMp4({ seconds: 300, claimSeconds: 660 })],
    ['short video', await media.shortVideoMp4({ seconds: 660, videoSeconds: 60 })],
    ['gapped', await media.gappedMp4({ firstSeconds: 300, gapSeconds: 300, lastSeconds: 60 })],
    ['MPEG-4 Part 2', await media.unsupportedCodecMp4({ seconds: 60 })],
    ['B-frames and edit list', await media.bframesMp4({ seconds: 660 })],
    ['fragmented', await media.fragmentedMp4({ seconds: 120 })],
    ['moov at the end', await media.moovAtEndMp4({ seconds: 120 })],
    ['index past the end', await media.indexPastEndMp4({ seconds: 120 })],
  ]
  const hls = await media.hls(HLS)
  for (const seg of await media.hlsSegments(hls)) files.push([`HLS ${seg}`, join(hls, seg)])
  for (const [name, file] of files) {
    const src = await fileSource(file)
    t.teardown(() => src.close())
    const byIndex = name.startsWith('HLS') ? await segmentByIndex(file) : await measureByIndex(src, { spotChecks: 0 })
    const byPackets = await measureFile(file)
    t.equal(byIndex.streams.length, byPackets.streams.length, `${name}: same streams`)
    for (const s of byIndex.streams) {
      const r = byPackets.streams.find((x) => x.kind === s.kind)!
      const close = (a: number | null, b: number | null): boolean => a !== null && b !== null && Math.abs(a - b) <= 0.1
      t.ok(close(s.firstPts, r.firstPts) && close(s.lastEnd, r.lastEnd) && close(s.playableSeconds, r.playableSeconds),
        `${name} ${s.kind}: index ${s.firstPts}..${s.lastEnd} (${s.playableSeconds}), ffprobe ${r.firstPts}..${r.lastEnd} (${r.playableSeconds})`)
      t.equal(s.codec, r.codec, `${name} ${s.kind}: codec ${s.codec}`)
    }
  }
})

/** One MPEG-TS segment through the HLS index path (a one-segment playlist around it). */
async function segmentByIndex(file: string): Promise<{ streams: Array<{ kind: string; codec: string; firstPts: number | null; lastEnd: number | null; playableSeconds: number }> }> {
  const { measureHlsByIndex } = await import('./measure-hls-index.js')
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'sg-one-'))
  try {
    await writeFile(join(dir, 'one.m3u8'), `#EXTM3U\n#EXTINF:60,\nseg.ts\n#EXT-X-ENDLIST\n`)
    const m = await measureHlsByIndex('pkg:/one.m3u8', async (url) => fileSource(url === 'pkg:/one.m3u8' ? join(dir, 'one.m3u8') : file))
    return m.segments[0]!
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

t.test('the codec allow-list applies on the index path', async (t) => {
  const bad = await measureFileByIndex(await media.unsupportedCodecMp4({ seconds: 60 }))
  const good = await measureFileByIndex(await media.mp4({ seconds: 60 }))
  t.same(checkCodecs(bad).problems, [{ what: 'video', found: 'mpeg4', allowed: ['h264', 'hevc'] }])
  t.ok(checkCodecs(good).ok)
})

t.test('samples that are not media fail the spot-check; the honest twin passes (index only)', async (t) => {
  const honest = await measureFileByIndex(await media.mp4({ seconds: 120 }))
  t.ok(honest.index.spotChecks.length >= 4 && honest.index.spotChecks.every((c) => c.problem === undefined), 'honest samples are H.264 and AAC frames')
  const file = await media.noiseSamplesMp4({ seconds: 120 })
  t.equal((await stat(file)).size, (await stat(await media.mp4({ seconds: 120 }))).size, 'same length as its twin')
  await t.rejects(measureFileByIndex(file), { code: 'SG_ERR_MEDIA_NOT_MEDIA_SAMPLES', details: { spotChecks: [{ problem: /./ }] } })
  const packets = await measureFile(file)
  t.ok(packets.playableSeconds >= 119, 'ffprobe alone counts the packets and would pass it')
})

t.test('an index pointing past the end of the file stops the span there (index only)', async (t) => {
  const m = await measureFileByIndex(await media.indexPastEndMp4({ seconds: 120 }))
  t.ok(m.playableSeconds < 61, `plays ${m.playableSeconds} s of the 120 s the index lists`)
  t.match(m.warnings.join(' '), /lie beyond the end of the file/)
  const twin = await measureFileByIndex(await media.mp4({ seconds: 120 }))
  t.ok(twin.playableSeconds >= 119.9, 'the honest twin plays 120 s')
})

t.test('fragmented MP4: the moofs are read, not the media data', async (t) => {
  const file = await media.fragmentedMp4({ seconds: 120 })
  const m = await measureFileByIndex(file, { spotChecks: 0 })
  t.ok(m.index.fragments! > 1, `${m.index.fragments} fragments`)
  t.ok(Math.abs(m.playableSeconds - 120) < 0.5, `plays ${m.playableSeconds} s`)
})

t.test('moov at the end: found with Range; without Range the whole file is read and the report says so', async (t) => {
  const file = await media.moovAtEndMp4({ seconds: 660 })
  const size = (await stat(file)).size
  const ctx = contextFor(t)
  const preview = (url: string): Preview => ({ courseId: 'c', format: 'mp4', url, durationSeconds: 660 }) as Preview
  const ranged = await serveDir(t, dirname(file))
  const a = await measurePreview(ctx, preview(`${ranged.url}/${basename(file)}`), t.testdir(), undefined, { method: 'index' })
  t.same(a.reasons, [])
  // The fixture is 1 MB, so the 512 KiB first request is half of it; a realistic preview is 75 MB.
  t.ok(ranged.bytesSent() < size, `with Range: ${ranged.bytesSent()} of ${size} bytes sent`)
  const plain = await serveDir(t, dirname(file), { ignoreRange: true })
  const b = await measurePreview(ctx, preview(`${plain.url}/${basename(file)}`), t.testdir(), undefined, { method: 'index' })
  t.same(b.reasons, [])
  t.equal(b.bytes?.read, size, 'without Range: every byte')
  t.ok(plain.bytesSent() > ranged.bytesSent(), 'Range saved bytes')
  t.match(b.method, /moov is at the end of the file and the server ignored Range/)
})

t.test('faststart without Range: the transfer stops once the index and the spot-checked samples are read', async (t) => {
  const file = await media.mp4({ seconds: 660 })
  const size = (await stat(file)).size
  const server = await serveDir(t, dirname(file), { ignoreRange: true })
  const m = await measurePreview(contextFor(t), { courseId: 'c', format: 'mp4', url: `${server.url}/${basename(file)}`, durationSeconds: 660 } as Preview, t.testdir(), undefined, { method: 'index' })
  t.same(m.reasons, [])
  t.ok((m.bytes?.read ?? size) < size, `${m.bytes?.read} of ${size} bytes read before stopping`)
})

t.test('a master playlist picks its first variant and says which (both paths)', async (t) => {
  const dir = await media.masterHls(HLS)
  const server = await serveDir(t, dir)
  const m = await measurePreview(contextFor(t), { courseId: 'c', format: 'hls', url: `${server.url}/${media.hlsMasterName}`, durationSeconds: 660 } as Preview, t.testdir(), undefined, { method: 'index' })
  t.same(m.reasons, [])
  t.match(m.method, /MPEG-TS packets/)
})

t.test('the referee: agreement passes, disagreement fails with both measurements', async (t) => {
  const file = await media.mp4({ seconds: 120 })
  const refereed = await measureFileByIndex(file, { referee: true })
  t.equal(refereed.index.referee?.agrees, true)
  t.match(refereed.method, /refereed by ffprobe .* agrees/)
  // A referee that read another file (what the index of a doctored file would face).
  const other = await measureFile(await media.mp4({ seconds: 60 }))
  const verdict = compareWithReferee(refereed, other)
  t.equal(verdict.agrees, false)
  const err = refereeDisagrees(file, verdict, refereed.playableSeconds, other.playableSeconds) as Error & { code: string; details: { streams: unknown[] } }
  t.equal(err.code, 'SG_ERR_MEDIA_REFEREE_DISAGREES')
  t.equal(err.details.streams.length, 2, 'both sides, stream by stream')
})

t.test('limits: an index listing more samples than allowed is refused, not held in memory', async (t) => {
  const file = await media.mp4({ seconds: 660 })
  await t.rejects(measureFileByIndex(file, { maxPackets: 100 }), { code: 'SG_ERR_MEDIA_TOO_LARGE' })
  const ok = await measureFileByIndex(file, { maxPackets: 100_000 })
  t.ok(ok.playableSeconds >= 659, 'the same file under ordinary limits')
})

t.test('an index that cannot be read goes whole to ffprobe, and the evidence says why', async (t) => {
  // An ftyp, then a "moov" that claims far more bytes than the file has.
  const ftyp = Buffer.from('0000001866747970697336d000000200697336d6d703431', 'hex').subarray(0, 24)
  ftyp.writeUInt32BE(24, 0)
  const moov = Buffer.alloc(16)
  moov.writeUInt32BE(1_000_000, 0)
  moov.write('moov', 4, 'latin1')
  const dir = t.testdir({ 'cut.mp4': Buffer.concat([ftyp, moov]) })
  await t.rejects(measureFileByIndex(join(dir, 'cut.mp4')), { code: 'SG_ERR_MEDIA_UNREADABLE' }, 'ffprobe cannot read it either')
})

t.test('HLS whose MPEG-TS clock wraps mid-playlist plays through on both paths', async (t) => {
  const dir = await media.wrappingHls({ seconds: 660, segmentSeconds: 60, beforeWrap: 300 })
  const server = await serveDir(t, dir)
  const ctx = contextFor(t)
  for (const method of ['ffprobe', 'index'] as const) {
    const m = await measurePreview(ctx, { courseId: 'c', format: 'hls', url: `${server.url}/index.m3u8`, durationSeconds: 660 } as Preview, t.testdir(), undefined, { method })
    t.same(m.reasons, [], `${method}: ${m.measuredSeconds} s`)
  }
})
