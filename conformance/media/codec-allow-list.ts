// The container/codec allow-list is data (specs/media/allow-list.json, published with the spec);
// this module only applies it to a measurement.
import { readFileSync } from 'node:fs'
import { sgError } from '../../specs/lib/errors.js'
import { specPath } from '../../specs/lib/paths.js'
import type { StreamKind } from './measure-file.js'

export interface AllowList {
  containers: { file: string[]; hlsSegment: string[] }
  video: string[]
  audio: string[]
  requireVideo: boolean
}

export const allowList: Readonly<AllowList> = Object.freeze(
  JSON.parse(readFileSync(specPath('media', 'allow-list.json'), 'utf8')) as AllowList,
)

/** The part of a file or HLS measurement the codec rule reads. */
export interface CodecSubject {
  /** 'file' for a single media file, 'hlsSegment' for each segment of an HLS playlist. */
  via: 'file' | 'hlsSegment'
  containers: string[]
  streams: Array<{ kind: StreamKind; codec: string }>
}

export interface CodecProblem { what: 'container' | 'video' | 'audio' | 'no-video'; found: string; allowed: string[] }
export interface CodecVerdict { ok: boolean; problems: CodecProblem[] }

/** Normalise a FileMeasurement or HlsMeasurement into what the rule reads. */
export function codecSubject(m: { container: string; streams: Array<{ kind: StreamKind; codec: string }> } | {
  segments: Array<{ container: string; streams: Array<{ kind: StreamKind; codec: string }> }>
}): CodecSubject {
  if ('segments' in m) {
    return {
      via: 'hlsSegment',
      containers: [...new Set(m.segments.map((s) => s.container))],
      streams: m.segments.flatMap((s) => s.streams),
    }
  }
  return { via: 'file', containers: [m.container], streams: m.streams }
}

/** Check a measurement against the allow-list; every disallowed container or codec is listed once. */
export function checkCodecs(m: Parameters<typeof codecSubject>[0], list: AllowList = allowList): CodecVerdict {
  const subject = codecSubject(m)
  const problems: CodecProblem[] = []
  const allowedContainers = list.containers[subject.via]
  for (const c of subject.containers) {
    if (!allowedContainers.includes(c)) problems.push({ what: 'container', found: c, allowed: allowedContainers })
  }
  const seen = new Set<string>()
  for (const s of subject.streams) {
    const allowed = s.kind === 'video' ? list.video : list.audio
    const key = `${s.kind}:${s.codec}`
    if (!allowed.includes(s.codec) && !seen.has(key)) problems.push({ what: s.kind, found: s.codec, allowed })
    seen.add(key)
  }
  if (list.requireVideo && !subject.streams.some((s) => s.kind === 'video')) {
    problems.push({ what: 'no-video', found: 'none', allowed: list.video })
  }
  return { ok: problems.length === 0, problems }
}

/** Throwing form of checkCodecs: SG_ERR_MEDIA_NO_VIDEO or SG_ERR_MEDIA_CODEC. */
export function assertCodecs(m: Parameters<typeof codecSubject>[0], list: AllowList = allowList): void {
  const { problems } = checkCodecs(m, list)
  if (problems.length === 0) return
  if (problems.every((p) => p.what === 'no-video')) throw sgError('SG_ERR_MEDIA_NO_VIDEO', undefined, { problems })
  throw sgError('SG_ERR_MEDIA_CODEC', describeCodecProblems(problems), { problems })
}

/** "video mpeg4 (allowed: h264, hevc); …": what was found and, beside it, what the allow-list accepts. */
export function describeCodecProblems(problems: readonly CodecProblem[]): string {
  return problems.map((p) => p.what === 'no-video'
    ? `no video stream (allowed video: ${p.allowed.join(', ')})`
    : `${p.what} ${p.found} (allowed: ${p.allowed.join(', ')})`).join('; ')
}
