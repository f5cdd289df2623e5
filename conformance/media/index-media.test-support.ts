// Test media the index reader's tests need beyond fixtures/media/generate.ts (owned by the fixtures
// work; these variants are candidates to merge there). Built with the same npm ffmpeg, cached
// under the same folder with their own prefix, written to a temporary name and renamed into place
// so parallel test files never see half a file. Each defect differs from its honest twin by one lie.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { childBoxes, findBox } from '../../fixtures/media/mp4-boxes.js'
import { cacheArea } from '../../fixtures/media/cache.js'
import { runFfmpeg } from '../../fixtures/media/ffmpeg.js'
import { mp4 } from '../../fixtures/media/generate.js'

const RECIPE_VERSION = 1

const ffmpeg = (args: string[]): Promise<void> => runFfmpeg(args, { timeoutMs: 120_000 })
const mediaCacheDir = cacheArea('media')

const inFlight = new Map<string, Promise<string>>()

function cached(kind: string, params: object, ext: string, build: (tmp: string) => Promise<void>): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify({ kind, params, v: RECIPE_VERSION })).digest('hex').slice(0, 16)
  const final = join(mediaCacheDir, `ix-${kind}-${key}${ext}`)
  let pending = inFlight.get(final)
  if (!pending) {
    pending = (async () => {
      if (await stat(final).then(() => true, () => false)) return final
      await mkdir(mediaCacheDir, { recursive: true })
      const tmp = join(mediaCacheDir, `.tmp-ix-${kind}-${key}-${process.pid}-${randomBytes(4).toString('hex')}${ext}`)
      try {
        await build(tmp)
        await rename(tmp, final)
      } finally {
        await rm(tmp, { recursive: true, force: true })
      }
      return final
    })()
    inFlight.set(final, pending)
    pending.catch(() => inFlight.delete(final))
  }
  return pending
}

const video = (seconds: number): string[] => ['-f', 'lavfi', '-t', String(seconds), '-i', 'testsrc=size=64x36:rate=1']
const audio = (seconds: number): string[] => ['-f', 'lavfi', '-t', String(seconds), '-i', 'sine=frequency=440:sample_rate=8000']
const AAC = ['-c:a', 'aac', '-b:a', '8k', '-ac', '1']
/** B-frames on purpose: pts and dts differ, so a reader that mixes the two clocks is caught. */
const H264_BFRAMES = ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-pix_fmt', 'yuv420p', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0']

/** Matroska, H.264 with B-frames and AAC, `seconds` long: no dts is stored, ffprobe derives it late. */
export function matroska(opts: { seconds: number }): Promise<string> {
  return cached('mkv', opts, '.mkv', (tmp) => ffmpeg([...video(opts.seconds), ...audio(opts.seconds), ...H264_BFRAMES, ...AAC, tmp]))
}

/** MP4 with B-frames (ctts, and an edit list that shifts the video by the decoder delay). */
export function bframesMp4(opts: { seconds: number }): Promise<string> {
  return cached('bframes-mp4', opts, '.mp4', (tmp) => ffmpeg([...video(opts.seconds), ...audio(opts.seconds), ...H264_BFRAMES, ...AAC, '-movflags', '+faststart', '-f', 'mp4', tmp]))
}

/** Fragmented MP4 (empty moov, one moof/mdat pair per keyframe interval). */
export function fragmentedMp4(opts: { seconds: number }): Promise<string> {
  return cached('fragmented-mp4', opts, '.mp4', async (tmp) => {
    await ffmpeg(['-i', await mp4(opts), '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', tmp])
  })
}

/** The honest MP4 remuxed with its moov after the media data (no faststart). */
export function moovAtEndMp4(opts: { seconds: number }): Promise<string> {
  return cached('moov-end-mp4', opts, '.mp4', async (tmp) => {
    await ffmpeg(['-i', await mp4(opts), '-c', 'copy', '-f', 'mp4', tmp])
  })
}

/**
 * Lie: the honest file's index intact, every byte of sample data replaced by a repeating pattern
 * that is no H.264 NAL unit and no AAC frame. Length and every box stay the same, so only reading
 * samples finds it; ffprobe still counts the packets.
 */
export function notMediaSamplesMp4(opts: { seconds: number }): Promise<string> {
  return cached('not-media-samples-mp4', opts, '.mp4', async (tmp) => {
    const bytes = await readFile(await mp4(opts))
    const mdat = childBoxes(bytes, 0, bytes.length).find((b) => b.type === 'mdat')
    if (!mdat) throw new Error('honest MP4 has no mdat box')
    const text = Buffer.from('this is not a video frame. ')
    for (let i = mdat.start + mdat.headerSize, j = 0; i < mdat.start + mdat.size; i++, j++) bytes[i] = text[j % text.length]!
    await writeFile(tmp, bytes)
  })
}

/**
 * Lie: the index points past the end of the file. In every track the chunk offsets (stco) of the
 * second half are moved `beyond` bytes past the file's end, as an index copied from a longer file
 * would read. Same length, same boxes; only those offsets change.
 */
export function indexPastEndMp4(opts: { seconds: number; beyond?: number }): Promise<string> {
  const p = { seconds: opts.seconds, beyond: opts.beyond ?? 1_000_000 }
  return cached('index-past-end-mp4', p, '.mp4', async (tmp) => {
    const bytes = await readFile(await mp4({ seconds: p.seconds }))
    const tables = findBox(bytes, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stco'])
    if (tables.length === 0) throw new Error('honest MP4 has no stco box')
    for (const stco of tables) {
      const payload = stco.start + stco.headerSize
      const count = bytes.readUInt32BE(payload + 4)
      for (let k = Math.floor(count / 2); k < count; k++) bytes.writeUInt32BE(bytes.length + p.beyond + k, payload + 8 + k * 4)
    }
    await writeFile(tmp, bytes)
  })
}

/**
 * Honest HLS whose 33-bit MPEG-TS clock wraps to 0 in the middle of the playlist (timestamps start
 * `beforeWrap` seconds before the wrap), as an encoder with a random initial PTS produces.
 */
export function wrappingHls(opts: { seconds: number; segmentSeconds: number; beforeWrap: number }): Promise<string> {
  return cached('wrapping-hls', opts, '', async (dir) => {
    await mkdir(dir, { recursive: true })
    const offset = 2 ** 33 / 90_000 - opts.beforeWrap
    await ffmpeg([
      ...video(opts.seconds), ...audio(opts.seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10', ...AAC,
      '-force_key_frames', `expr:gte(t,n_forced*${opts.segmentSeconds})`, '-output_ts_offset', String(offset),
      '-f', 'hls', '-hls_time', String(opts.segmentSeconds), '-hls_list_size', '0',
      '-hls_segment_filename', join(dir, 'seg%04d.ts'), join(dir, 'index.m3u8'),
    ])
  })
}
