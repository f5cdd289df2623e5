// Spot-checks: an index can describe bytes that are not media (an index copied from another file,
// data replaced by padding). A few samples per stream are read and their framing checked: the
// length-prefixed NAL units of H.264/H.265 must tile the sample exactly with valid NAL headers;
// raw AAC must open with a syntax element its channel layout allows; ADTS and MP3 frames must
// carry their sync words. This proves the bytes are shaped like the codec, not that they decode:
// ffprobe, the referee, stays the packet-level authority.
import type { ByteSource } from './byte-source.js'
import type { SampleDescription } from './mp4-codec.js'

/** Bytes of one sample read at most (a keyframe of a 1080p preview is a few hundred KiB). */
export const MAX_SPOT_BYTES = 2 * 1024 * 1024

/** Why `bytes` (a whole sample, or its first MAX_SPOT_BYTES when `cut`) is not a frame of `desc`; undefined when it is. */
export function framingProblem(desc: SampleDescription, bytes: Buffer, cut = false): string | undefined {
  if (bytes.length === 0) return 'empty sample'
  if ((desc.codec === 'h264' || desc.codec === 'hevc') && desc.nalLengthSize) return nalProblem(desc.codec, desc.nalLengthSize, bytes, cut)
  if (desc.codec === 'aac') return desc.aac ? rawAacProblem(desc.aac.channels, bytes) : undefined
  if (desc.codec === 'mp3') return mpegAudioSync(bytes) ? undefined : `no MPEG audio frame sync at the start (${hex(bytes)})`
  return undefined
}

/** Whether framingProblem can say anything about this codec. */
export const canCheckFraming = (desc: SampleDescription | undefined): desc is SampleDescription =>
  desc !== undefined && (((desc.codec === 'h264' || desc.codec === 'hevc') && desc.nalLengthSize !== undefined) || (desc.codec === 'aac' && desc.aac !== undefined) || desc.codec === 'mp3')

const hex = (b: Buffer): string => b.subarray(0, 8).toString('hex')

function nalProblem(codec: 'h264' | 'hevc', lengthSize: number, bytes: Buffer, cut: boolean): string | undefined {
  let at = 0
  let units = 0
  while (at < bytes.length) {
    if (at + lengthSize > bytes.length) return cut ? undefined : `${bytes.length - at} trailing byte(s) after ${units} NAL unit(s)`
    const len = bytes.readUIntBE(at, lengthSize)
    at += lengthSize
    if (len === 0) return `zero-length NAL unit after ${units} unit(s)`
    if (!cut && at + len > bytes.length) return `NAL unit ${units} claims ${len} bytes, ${bytes.length - at} remain in the sample (${hex(bytes)})`
    const header = bytes[at]!
    if (header & 0x80) return `NAL unit ${units}: forbidden_zero_bit set (${hex(bytes)})`
    if (codec === 'h264') {
      const type = header & 0x1f
      if (type === 0 || type > 23) return `NAL unit ${units}: type ${type} is not an H.264 NAL unit type`
    } else {
      const type = (header >> 1) & 0x3f
      const tid = at + 1 < bytes.length ? bytes[at + 1]! & 0x07 : 1
      if (type > 40) return `NAL unit ${units}: type ${type} is not an H.265 NAL unit type`
      if (tid === 0) return `NAL unit ${units}: nuh_temporal_id_plus1 is 0`
    }
    at += len
    units++
  }
  return undefined
}

// ISO/IEC 14496-3 raw_data_block: id_syn_ele SCE 0, CPE 1, CCE 2, LFE 3, DSE 4, PCE 5, FIL 6, END 7.
function rawAacProblem(channels: number, bytes: Buffer): string | undefined {
  const first = bytes[0]! >> 5
  const allowed = channels === 1 ? [0, 4, 5, 6] : channels === 2 ? [1, 4, 5, 6] : [0, 1, 3, 4, 5, 6]
  if (!allowed.includes(first)) return `raw AAC frame opens with syntax element ${first}, which a ${channels}-channel stream cannot (${hex(bytes)})`
  if (bytes.length >= 2 && bytes.readUInt16BE(0) >> 4 === 0xfff) return 'an ADTS header inside an MP4 sample'
  return undefined
}

const mpegAudioSync = (bytes: Buffer): boolean => bytes.length > 1 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0

/** ADTS (AAC in MPEG-TS): sync word, layer 0, and a frame length that fits what follows. */
export function adtsProblem(bytes: Buffer): string | undefined {
  if (bytes.length < 7) return `${bytes.length} bytes are too few for an ADTS header`
  if (bytes.readUInt16BE(0) >> 4 !== 0xfff || (bytes[1]! & 0x06) !== 0) return `no ADTS sync word (${hex(bytes)})`
  const frameLength = ((bytes[3]! & 0x03) << 11) | (bytes[4]! << 3) | (bytes[5]! >> 5)
  if (frameLength < 7) return `ADTS frame length ${frameLength}`
  return undefined
}

/** Annex B (H.264/H.265 in MPEG-TS): a start code, then a valid NAL header. */
export function annexBProblem(codec: string, bytes: Buffer): string | undefined {
  const start = bytes.indexOf(Buffer.from([0, 0, 1]))
  if (start < 0 || start > 1) return `no Annex B start code at the start of the access unit (${hex(bytes)})`
  const header = bytes[start + 3]
  if (header === undefined) return 'access unit ends after its start code'
  if (header & 0x80) return `forbidden_zero_bit set (${hex(bytes)})`
  if (codec === 'h264' && ((header & 0x1f) === 0 || (header & 0x1f) > 23)) return `type ${header & 0x1f} is not an H.264 NAL unit type`
  if (codec === 'hevc' && ((header >> 1) & 0x3f) > 40) return `type ${(header >> 1) & 0x3f} is not an H.265 NAL unit type`
  return undefined
}

export interface SpotCheck {
  stream: number
  codec: string
  sample: number
  offset: number
  size: number
  problem?: string
}

export interface SpotSample { stream: number; desc: SampleDescription; sample: number; offset: number; size: number }

/** Samples closer than this share one read (the first audio and video samples sit side by side). */
const COALESCE_GAP = 64 * 1024
/** Reads in flight at once: over HTTP each is a round trip. */
const PARALLEL_READS = 4

/** Read the samples (neighbours in one range, a few ranges at once) and check each. */
export async function spotCheck(src: ByteSource, samples: SpotSample[]): Promise<SpotCheck[]> {
  const sorted = [...samples].sort((a, b) => a.offset - b.offset)
  const groups: SpotSample[][] = []
  for (const s of sorted) {
    const group = groups[groups.length - 1]
    const last = group?.[group.length - 1]
    if (group && last && s.offset - (last.offset + Math.min(last.size, MAX_SPOT_BYTES)) < COALESCE_GAP && s.offset + s.size - group[0]!.offset <= MAX_SPOT_BYTES) group.push(s)
    else groups.push([s])
  }
  const results: SpotCheck[][] = new Array(groups.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const g = next++
      const group = groups[g]!
      const from = group[0]!.offset
      const to = Math.max(...group.map((s) => s.offset + Math.min(s.size, MAX_SPOT_BYTES)))
      const bytes = await src.read(from, to - from)
      results[g] = group.map((s) => {
        const want = Math.min(s.size, MAX_SPOT_BYTES)
        const own = bytes.subarray(s.offset - from, s.offset - from + want)
        const problem = own.length < want ? `only ${own.length} of the sample's ${s.size} bytes exist` : framingProblem(s.desc, own, want < s.size)
        return { stream: s.stream, codec: s.desc.codec, sample: s.sample, offset: s.offset, size: s.size, ...(problem ? { problem } : {}) }
      })
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, groups.length) }, worker))
  return results.flat()
}
