// A deliberately small RFC 8216 reader: only what measuring a VOD preview needs. Anything that
// would make the segments unmeasurable without extra state (keys, init sections, byte ranges) is
// refused with SG_ERR_HLS_UNSUPPORTED rather than measured wrongly. Both measurement paths (index
// and ffprobe) read playlists here, so they refuse the same playlists with the same codes.
// hls-parser 0.16.1 (zero dependencies, typed) was tried in its place: in strict mode it refuses
// what ffmpeg itself writes (an #EXTINF that rounds above EXT-X-TARGETDURATION) and playlists this
// reader accepts today; in lenient mode it reads "#EXTINF:abc" as 0 s and "-5" as -5 s, and throws
// TypeErrors ("Cannot destructure property 'name'") on a web page or a URI without #EXTINF. Every
// check below would still be needed around it, and its options are process-wide.
import { sgError } from '../../specs/lib/errors.js'

export interface HlsSegmentEntry {
  uri: string
  declaredSeconds: number
  /** An EXT-X-DISCONTINUITY precedes this segment: its timestamps need not continue the previous ones. */
  discontinuity: boolean
}

export type ParsedPlaylist =
  | { type: 'master'; variants: Array<{ uri: string; attributes: string }> }
  | { type: 'media'; targetDuration: number | null; endList: boolean; segments: HlsSegmentEntry[] }

export function parsePlaylist(text: string, source: string): ParsedPlaylist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim())
  const firstLine = lines.find((l) => l !== '')
  if (firstLine !== '#EXTM3U') {
    throw sgError('SG_ERR_HLS_INVALID', `${source} does not start with #EXTM3U`, { source, firstLine: firstLine?.slice(0, 80) })
  }
  if (lines.some((l) => l.startsWith('#EXT-X-STREAM-INF:'))) {
    const variants: Array<{ uri: string; attributes: string }> = []
    let pending: string | undefined
    for (const l of lines) {
      if (l.startsWith('#EXT-X-STREAM-INF:')) pending = l.slice('#EXT-X-STREAM-INF:'.length)
      else if (l && !l.startsWith('#') && pending !== undefined) {
        variants.push({ uri: l, attributes: pending })
        pending = undefined
      }
    }
    if (variants.length === 0) throw sgError('SG_ERR_HLS_INVALID', `master playlist ${source} names no variant URI`, { source })
    return { type: 'master', variants }
  }

  let targetDuration: number | null = null
  let endList = false
  let pendingDuration: number | undefined
  let discontinuity = false
  const segments: HlsSegmentEntry[] = []
  for (const [n, l] of lines.entries()) {
    if (l === '') continue
    if (l.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(l.slice('#EXT-X-TARGETDURATION:'.length))
    else if (l.startsWith('#EXTINF:')) {
      const value = Number(l.slice('#EXTINF:'.length).split(',')[0])
      if (!Number.isFinite(value) || value < 0) {
        throw sgError('SG_ERR_HLS_INVALID', `${source} line ${n + 1}: bad #EXTINF duration`, { source, line: n + 1 })
      }
      pendingDuration = value
    } else if (l === '#EXT-X-ENDLIST') endList = true
    else if (l === '#EXT-X-DISCONTINUITY') discontinuity = true
    else if (l.startsWith('#EXT-X-KEY:') && !/METHOD=NONE\b/.test(l)) {
      throw sgError('SG_ERR_HLS_UNSUPPORTED', `${source}: encrypted segments (EXT-X-KEY)`, { source, line: n + 1 })
    } else if (l.startsWith('#EXT-X-MAP:') || l.startsWith('#EXT-X-BYTERANGE:')) {
      throw sgError('SG_ERR_HLS_UNSUPPORTED', `${source}: ${l.split(':')[0]}`, { source, line: n + 1 })
    } else if (!l.startsWith('#')) {
      if (pendingDuration === undefined) {
        throw sgError('SG_ERR_HLS_INVALID', `${source} line ${n + 1}: segment without #EXTINF`, { source, line: n + 1 })
      }
      segments.push({ uri: l, declaredSeconds: pendingDuration, discontinuity })
      pendingDuration = undefined
      discontinuity = false
    }
  }
  if (segments.length === 0) throw sgError('SG_ERR_HLS_INVALID', `${source} lists no segments`, { source })
  return { type: 'media', targetDuration: Number.isFinite(targetDuration) ? targetDuration : null, endList, segments }
}
