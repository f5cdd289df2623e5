import t from 'tap'
import type { Test } from 'tap'
import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize } from 'node:path'
import { pipeline } from 'node:stream/promises'
import * as media from '../../fixtures/media/generate.js'
import { agreeWithin, checkCodecs, diskFetcher, measureHls } from './measure.js'
import type { Fetcher } from './measure.js'

// 11 minutes in 60 s segments: 11 segments, each fetched over loopback HTTP and probed.
const OPTS = { seconds: 660, segmentSeconds: 60 }

/** A static server over `root` on 127.0.0.1 that answers 404 for the names in `missing`. */
async function serve(t: Test, root: string, missing: string[] = [], rewrite?: Record<string, string>): Promise<string> {
  const server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '')
    if (rel.startsWith('..') || missing.includes(rel)) {
      res.writeHead(404).end('not found')
      return
    }
    if (rewrite?.[rel] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(rewrite[rel])
      return
    }
    const file = join(root, rel)
    stat(file).then(
      () => {
        res.writeHead(200)
        createReadStream(file).pipe(res)
      },
      () => res.writeHead(404).end('not found'),
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The tiny fetcher the probe client stands in for: GET to a file in a test dir, throw unless 200. */
function httpFetcher(dir: string): Fetcher {
  let n = 0
  return (url) =>
    new Promise((resolve, reject) => {
      get(url, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          reject(new Error(`HTTP ${res.statusCode} for ${url}`))
          return
        }
        const path = join(dir, `download-${n++}`)
        pipeline(res, createWriteStream(path)).then(() => resolve({ path }), reject)
      }).on('error', reject)
    })
}

t.test('honest HLS over HTTP measures within tolerance, every segment agrees (R5.1-3)', async (t) => {
  const base = await serve(t, await media.hls(OPTS))
  const m = await measureHls(`${base}/${media.hlsPlaylistName}`, httpFetcher(t.testdir()))
  t.equal(m.segments.length, 11)
  t.ok(agreeWithin(660, m.playableSeconds), `playable ${m.playableSeconds}`)
  t.ok(agreeWithin(m.declaredSeconds, m.playableSeconds))
  t.ok(m.segments.every((s) => s.agrees), 'every #EXTINF matches its segment')
  t.ok(m.streams.every((s) => s.stoppedAt === null))
  t.same(new Set(m.segments.map((s) => s.container)), new Set(['mpegts']))
  t.ok(checkCodecs(m).ok, 'MPEG-TS segments with H.264/AAC are allowed')
  t.match(m.method, /every segment fetched and measured/)
})

t.test('HLS whose #EXTINF values lie measures what the segments hold (R5.1-3)', async (t) => {
  const base = await serve(t, await media.lyingExtinfHls({ ...OPTS, claimFactor: 2 }))
  const m = await measureHls(`${base}/${media.hlsPlaylistName}`, httpFetcher(t.testdir()))
  t.equal(m.declaredSeconds, 1320)
  t.ok(agreeWithin(660, m.playableSeconds), `playable ${m.playableSeconds}`)
  t.notOk(agreeWithin(m.declaredSeconds, m.playableSeconds), 'declared and measured disagree')
  t.ok(m.segments.every((s) => !s.agrees), 'every segment is reported as disagreeing')
})

t.test('HLS without EXT-X-ENDLIST fails fast with SG_ERR_HLS_NO_ENDLIST (R5.1-3)', async (t) => {
  const base = await serve(t, await media.noEndlistHls(OPTS))
  await t.rejects(measureHls(`${base}/${media.hlsPlaylistName}`, httpFetcher(t.testdir())), { code: 'SG_ERR_HLS_NO_ENDLIST' })
})

t.test('HLS with a segment that 404s fails with SG_ERR_HLS_SEGMENT_MISSING (R5.1-3)', async (t) => {
  const dir = await media.hls(OPTS)
  const drop = await media.segmentToDrop(dir)
  const base = await serve(t, dir, [drop])
  await t.rejects(measureHls(`${base}/${media.hlsPlaylistName}`, httpFetcher(t.testdir())), {
    code: 'SG_ERR_HLS_SEGMENT_MISSING',
    details: { uri: drop },
  })
})

t.test('a master playlist is measured through its first variant, and says so', async (t) => {
  const base = await serve(t, await media.masterHls(OPTS))
  const m = await measureHls(`${base}/${media.hlsMasterName}`, httpFetcher(t.testdir()))
  t.match(m.mediaPlaylist, /\/hi\/index\.m3u8$/)
  t.match(m.notes.join(' '), /measured the first, hi\/index\.m3u8/)
  t.ok(agreeWithin(660, m.playableSeconds))
})

t.test('a playlist URL that serves a web page fails with SG_ERR_HLS_INVALID', async (t) => {
  const base = await serve(t, await media.hls(OPTS), [], { [media.hlsPlaylistName]: '<html>login required</html>' })
  await t.rejects(measureHls(`${base}/${media.hlsPlaylistName}`, httpFetcher(t.testdir())), { code: 'SG_ERR_HLS_INVALID' })
})

t.test('playlist shapes the reader refuses', async (t) => {
  const seg = join(await media.hls(OPTS), 'seg0000.ts')
  const dir = t.testdir({
    'no-extinf.m3u8': `#EXTM3U\n#EXT-X-TARGETDURATION:60\n${seg}\n#EXT-X-ENDLIST\n`,
    'encrypted.m3u8': `#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:60,\n${seg}\n#EXT-X-ENDLIST\n`,
    'fmp4.m3u8': `#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:60,\n${seg}\n#EXT-X-ENDLIST\n`,
    'empty.m3u8': '#EXTM3U\n#EXT-X-ENDLIST\n',
    'one.m3u8': `#EXTM3U\n#EXTINF:60,\n${seg}\n#EXT-X-ENDLIST\n`,
  })
  await t.rejects(measureHls(join(dir, 'no-extinf.m3u8'), diskFetcher), { code: 'SG_ERR_HLS_INVALID' })
  await t.rejects(measureHls(join(dir, 'encrypted.m3u8'), diskFetcher), { code: 'SG_ERR_HLS_UNSUPPORTED' })
  await t.rejects(measureHls(join(dir, 'fmp4.m3u8'), diskFetcher), { code: 'SG_ERR_HLS_UNSUPPORTED' })
  await t.rejects(measureHls(join(dir, 'empty.m3u8'), diskFetcher), { code: 'SG_ERR_HLS_INVALID' })
  const one = await measureHls(join(dir, 'one.m3u8'), diskFetcher)
  t.ok(agreeWithin(60, one.playableSeconds), 'the well-formed twin measures')
})

t.test('segment count and playlist size are capped', async (t) => {
  const dir = await media.hls(OPTS)
  await t.rejects(measureHls(join(dir, media.hlsPlaylistName), diskFetcher, { maxSegments: 5 }), { code: 'SG_ERR_HLS_TOO_LARGE' })
  await t.rejects(measureHls(join(dir, media.hlsPlaylistName), diskFetcher, { maxPlaylistBytes: 100 }), { code: 'SG_ERR_HLS_TOO_LARGE' })
})

t.test('on disk: a missing segment file fails with SG_ERR_HLS_SEGMENT_MISSING', async (t) => {
  // Its honest twin is the first test (same media, served over HTTP).
  await t.rejects(measureHls(join(await media.missingSegmentHls(OPTS), media.hlsPlaylistName), diskFetcher), {
    code: 'SG_ERR_HLS_SEGMENT_MISSING',
  })
})

t.test('a segment that jumps in time stops the chained span', async (t) => {
  // Segments 0–60 s and 300–360 s of the same stream, first without, then with EXT-X-DISCONTINUITY.
  const dir = await media.hls(OPTS)
  const pl = t.testdir({
    'jump.m3u8': `#EXTM3U\n#EXTINF:60,\n${join(dir, 'seg0000.ts')}\n#EXTINF:60,\n${join(dir, 'seg0005.ts')}\n#EXT-X-ENDLIST\n`,
    'disc.m3u8': `#EXTM3U\n#EXTINF:60,\n${join(dir, 'seg0000.ts')}\n#EXT-X-DISCONTINUITY\n#EXTINF:60,\n${join(dir, 'seg0005.ts')}\n#EXT-X-ENDLIST\n`,
  })
  const jump = await measureHls(join(pl, 'jump.m3u8'), diskFetcher)
  t.ok(agreeWithin(60, jump.playableSeconds), `jump: ${jump.playableSeconds}`)
  t.match(jump.streams[0]?.stoppedAt?.reason, /timestamps jump/)
  const disc = await measureHls(join(pl, 'disc.m3u8'), diskFetcher)
  t.ok(agreeWithin(120, disc.playableSeconds), `declared discontinuity: ${disc.playableSeconds}`)
})

t.test('whole MPEG-TS segments are measured in one ffprobe run, segment by segment exactly as alone (R5.1-3)', async (t) => {
  const dir = await media.hls(OPTS)
  const joined = await measureHls(join(dir, media.hlsPlaylistName), diskFetcher)
  t.match(joined.notes.join(' '), /11 segments were measured in one ffprobe run/)
  const { measureFile } = await import('./measure-file.js')
  for (const seg of joined.segments) {
    const alone = await measureFile(join(dir, seg.uri))
    t.ok(Math.abs(seg.measuredSeconds - alone.playableSeconds) < 0.001, `segment ${seg.index}: ${seg.measuredSeconds} joined, ${alone.playableSeconds} alone`)
    t.same(seg.streams.map((s) => [s.kind, s.codec, s.firstPts]), alone.streams.map((s) => [s.kind, s.codec, s.firstPts]), `segment ${seg.index}: same streams and start`)
  }
})

t.test('a segment cut mid-packet is measured on its own (not joined), and its shortfall is reported (R5.1-3)', async (t) => {
  const dir = await media.hls(OPTS)
  const { readFile, writeFile } = await import('node:fs/promises')
  const work = t.testdir({})
  const names = ['seg0000.ts', 'seg0001.ts', 'seg0002.ts']
  for (const n of names) await writeFile(join(work, n), await readFile(join(dir, n)))
  const cut = await readFile(join(work, 'seg0001.ts'))
  await writeFile(join(work, 'seg0001.ts'), cut.subarray(0, Math.floor(cut.length / 2) + 77))
  await writeFile(join(work, 'index.m3u8'), `#EXTM3U\n#EXT-X-TARGETDURATION:60\n${names.map((n) => `#EXTINF:60,\n${n}`).join('\n')}\n#EXT-X-ENDLIST\n`)
  const m = await measureHls(join(work, 'index.m3u8'), diskFetcher)
  t.notMatch(m.notes.join(' '), /one ffprobe run/, 'measured segment by segment')
  t.notOk(m.segments[1]!.agrees, `the cut segment plays ${m.segments[1]!.measuredSeconds} s of its declared 60`)
  t.ok(m.segments[0]!.agrees && m.segments[2]!.agrees, 'its neighbours agree')
})
