// The referee: ffprobe's packet-level measurement (measure-file.ts), run over the whole file on a
// random subset of files and on every doubt, compared stream by stream with what the index says.
// The two paths apply the same span rule to the same timestamps, so on an honest file they agree
// to the packet; they may differ by the one partial frame a cut file ends in. Anything more means
// the index does not describe the data, and the file fails with both measurements as evidence.
import { sgError } from '../../specs/lib/errors.js'
import type { FileMeasurement, StreamMeasurement } from './measure-file.js'

export interface StreamComparison {
  kind: StreamMeasurement['kind']
  index: { start: number | null; end: number | null; span: number; packets: number }
  referee: { start: number | null; end: number | null; span: number; packets: number } | null
  /** |index span − referee span| */
  differenceSeconds: number | null
  agrees: boolean
}

export interface RefereeVerdict {
  agrees: boolean
  streams: StreamComparison[]
  method: string
}

/** Largest span difference still read as agreement: half a second, or two packets of the stream. */
export const spanSlack = (s: StreamMeasurement): number => Math.max(0.5, 2 * s.expectedPacketSeconds)

const view = (s: StreamMeasurement): StreamComparison['index'] => ({ start: s.firstPts, end: s.lastEnd, span: s.playableSeconds, packets: s.packets })

export function compareWithReferee(index: Pick<FileMeasurement, 'streams'>, referee: FileMeasurement): RefereeVerdict {
  const used = new Set<StreamMeasurement>()
  const streams = index.streams.map((s): StreamComparison => {
    // Same position first (ffprobe numbers MP4 tracks in moov order), else the first of the kind.
    const match = referee.streams.find((r) => r.index === s.index && r.kind === s.kind && !used.has(r)) ?? referee.streams.find((r) => r.kind === s.kind && !used.has(r))
    if (!match) return { kind: s.kind, index: view(s), referee: null, differenceSeconds: null, agrees: false }
    used.add(match)
    const difference = Math.abs(s.playableSeconds - match.playableSeconds)
    return { kind: s.kind, index: view(s), referee: view(match), differenceSeconds: difference, agrees: difference <= Math.max(spanSlack(s), spanSlack(match)) }
  })
  const extra = referee.streams.filter((r) => !used.has(r))
  for (const r of extra) streams.push({ kind: r.kind, index: { start: null, end: null, span: 0, packets: 0 }, referee: view(r), differenceSeconds: null, agrees: false })
  return { agrees: streams.every((s) => s.agrees), streams, method: referee.method }
}

/** The failure for a disagreement, carrying both measurements per stream. */
export function refereeDisagrees(file: string, verdict: RefereeVerdict, indexPlayable: number, refereePlayable: number): Error {
  const worst = verdict.streams.find((s) => !s.agrees)
  const what = worst
    ? worst.referee
      ? `${worst.kind}: the index says ${worst.index.span.toFixed(3)} s play, ffprobe reads ${worst.referee.span.toFixed(3)} s`
      : `${worst.kind}: a stream only one side sees`
    : 'the streams differ'
  return sgError('SG_ERR_MEDIA_REFEREE_DISAGREES', `${file}: ${what}`, { file, indexPlayableSeconds: indexPlayable, refereePlayableSeconds: refereePlayable, streams: verdict.streams, refereeMethod: verdict.method })
}
