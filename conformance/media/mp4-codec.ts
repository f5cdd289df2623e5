// What codec a track's first sample description (stsd) names, spelled as ffprobe spells it
// (codec_name), so the allow-list (specs/media/allow-list.json) reads the same on both paths; and
// what the framing spot-check needs to know about its samples (NAL length size, AAC channels).
import { child, children, payloadStart, type BoxHeader } from './mp4-boxes.js'

export interface SampleDescription {
  /** ffprobe's codec_name ('h264', 'hevc', 'aac', 'mp3', 'mpeg4', …) or the sample entry's fourcc. */
  codec: string
  fourcc: string
  /** Bytes of each NAL unit's length prefix (H.264/H.265). */
  nalLengthSize?: number
  /** AAC: audio object type and channel configuration from the AudioSpecificConfig. */
  aac?: { objectType: number; channels: number }
}

const FOURCC_NAMES: Record<string, string> = {
  avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', mp4v: 'mpeg4', '.mp3': 'mp3',
  av01: 'av1', vp09: 'vp9', vp08: 'vp8', Opus: 'opus', fLaC: 'flac', 'ac-3': 'ac3', 'ec-3': 'eac3',
  alac: 'alac', jpeg: 'mjpeg', mjpa: 'mjpeg', apcn: 'prores', apch: 'prores', apcs: 'prores', apco: 'prores',
  tx3g: 'mov_text', wvtt: 'webvtt', stpp: 'ttml',
}

// MPEG-4 Systems objectTypeIndication (ISO/IEC 14496-1 Table 5) → ffprobe codec_name.
const OBJECT_TYPES: Record<number, string> = {
  0x20: 'mpeg4', 0x21: 'h264', 0x23: 'hevc', 0x40: 'aac', 0x66: 'aac', 0x67: 'aac', 0x68: 'aac', 0x69: 'mp3', 0x6b: 'mp3', 0x6a: 'mpeg1video', 0x6c: 'mjpeg',
}

/** Bytes into a visual / audio sample entry (after its 8-byte header) where child boxes begin. */
const VISUAL_ENTRY_BYTES = 78
function audioEntryBytes(buf: Buffer, entry: BoxHeader): number {
  // QuickTime sound description versions 1 and 2 carry 16 / 36 more bytes.
  const version = buf.readUInt16BE(payloadStart(entry) + 8)
  return 28 + (version === 1 ? 16 : version === 2 ? 36 : 0)
}

/** An MPEG-4 descriptor's tag and body range (ISO/IEC 14496-1 §8.3.3: up to 4 length bytes of 7 bits). */
function descriptor(buf: Buffer, at: number, end: number): { tag: number; body: number; end: number } | undefined {
  if (at >= end) return undefined
  const tag = buf[at]!
  let len = 0
  let p = at + 1
  for (let i = 0; i < 4 && p < end; i++) {
    const b = buf[p++]!
    len = (len << 7) | (b & 0x7f)
    if ((b & 0x80) === 0) break
  }
  return { tag, body: p, end: Math.min(end, p + len) }
}

function readEsds(buf: Buffer, esds: BoxHeader): { objectType?: number; aac?: SampleDescription['aac'] } {
  const end = esds.start + esds.size
  const es = descriptor(buf, payloadStart(esds) + 4, end)
  if (!es || es.tag !== 0x03) return {}
  let p = es.body + 2
  const flags = buf[p++] ?? 0
  if (flags & 0x80) p += 2
  if (flags & 0x40) p += 1 + (buf[p] ?? 0)
  if (flags & 0x20) p += 2
  const dc = descriptor(buf, p, es.end)
  if (!dc || dc.tag !== 0x04) return {}
  const objectType = buf[dc.body]
  const dsi = descriptor(buf, dc.body + 13, dc.end)
  if (!dsi || dsi.tag !== 0x05 || dsi.end - dsi.body < 2) return objectType === undefined ? {} : { objectType }
  const asc = buf.readUInt16BE(dsi.body)
  return { ...(objectType === undefined ? {} : { objectType }), aac: { objectType: asc >> 11, channels: (asc >> 3) & 0x0f } }
}

/** The first sample entry of `stsd` (a track with several descriptions is judged by its first). */
export function describeSamples(buf: Buffer, stsd: BoxHeader, handler: string): SampleDescription | undefined {
  const first = children(buf, payloadStart(stsd) + 8, stsd.start + stsd.size).next()
  if (first.done) return undefined
  const entry = first.value
  const fourcc = entry.type
  const out: SampleDescription = { codec: FOURCC_NAMES[fourcc] ?? fourcc.trim(), fourcc }
  const inner = handler === 'vide' ? VISUAL_ENTRY_BYTES : handler === 'soun' ? audioEntryBytes(buf, entry) : undefined
  if (inner === undefined || entry.headerSize + inner > entry.size) return out
  const box = { start: entry.start, headerSize: entry.headerSize + inner, size: entry.size }
  const config = child(buf, box, 'avcC') ?? child(buf, box, 'hvcC')
  if (config) {
    const at = config.type === 'avcC' ? payloadStart(config) + 4 : payloadStart(config) + 21
    if (at < config.start + config.size) out.nalLengthSize = (buf[at]! & 0x03) + 1
  }
  const esds = child(buf, box, 'esds') ?? (() => {
    const wave = child(buf, box, 'wave') // QuickTime nests esds in a wave box
    return wave && child(buf, wave, 'esds')
  })()
  if (esds) {
    const { objectType, aac } = readEsds(buf, esds)
    if (objectType !== undefined) out.codec = OBJECT_TYPES[objectType] ?? out.codec
    if (aac && out.codec === 'aac') out.aac = aac
  }
  return out
}
