// R5.1-3 preview checks against the reference on-demand platform: the compliant platform passes,
// each twin differs by one preview defect and must fail. Real HTTP on loopback, real media made by
// ffmpeg (cached), real ffprobe. Both courses of a 2-course catalogue are sampled: one MP4, one HLS.
import t, { type Test } from 'tap'
import { FIXTURE_HOSTS, startProvider, type DefectName } from '../../fixtures/providers/index.js'
import type { Resolver } from '../net/ssrf-guard.js'
import { runProbe } from '../probe.js'
import type { CheckResult } from './framework.js'
import { previewChecks } from './preview.js'

const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]

async function probeWith(t: Test, checkId: string, defects: DefectName[]): Promise<{ result: CheckResult; sampling: unknown }> {
  const provider = await startProvider({ kind: 'on-demand', courses: 2, defects, publicHost: FIXTURE_HOSTS.apiCn, mediaHost: FIXTURE_HOSTS.mediaCn })
  t.teardown(() => provider.close())
  const report = await runProbe({
    baseUrl: provider.url, kind: 'on-demand', mode: 'local', keyId: provider.keyId, secret: provider.secret,
    resolver: loopback, sample: 2, catalogue: previewChecks, only: [checkId],
  })
  const result = report.results.find((r) => r.checkId === checkId)
  if (!result) throw new Error(`${checkId} did not run`)
  return { result, sampling: report.sampling }
}

interface Case { checkId: string; defect?: DefectName; status: CheckResult['status']; errorCode?: string; why: string; also?: (t: Test, result: CheckResult) => void }

type PerCourse = Array<{ format: string; headerSeconds?: number; measuredSeconds: number }>

/** The header of a truncated MP4 still claims 660 s: the report shows the claim next to what plays. */
function headerClaimShown(t: Test, result: CheckResult): void {
  const mp4 = (result.measured as { perCourse: PerCourse }).perCourse.filter((p) => p.format === 'mp4')
  t.equal(mp4.length, 1)
  for (const p of mp4) {
    t.ok((p.headerSeconds ?? 0) >= 650, `header claims ${p.headerSeconds} s`)
    t.ok(p.measuredSeconds < 600, `plays ${p.measuredSeconds} s`)
  }
}

const cases: Case[] = [
  { checkId: 'preview.declared-length', status: 'pass', why: 'compliant: 660 s declared everywhere' },
  { checkId: 'preview.declared-length', defect: 'preview-9min', status: 'fail', errorCode: 'SG_ERR_PREVIEW_TOO_SHORT', why: '540 s declared' },
  { checkId: 'preview.media-duration', status: 'pass', why: 'compliant: 660 s MP4 and HLS' },
  { checkId: 'preview.media-duration', defect: 'preview-9min', status: 'fail', errorCode: 'SG_ERR_PREVIEW_TOO_SHORT', why: 'media plays 540 s' },
  { checkId: 'preview.media-duration', defect: 'preview-declared-600-media-300', status: 'fail', errorCode: 'SG_ERR_PREVIEW_TOO_SHORT', why: 'declared 600 s, plays 300 s' },
  { checkId: 'preview.media-duration', defect: 'preview-truncated-mp4', status: 'fail', why: 'moov claims the full length, half the samples', also: headerClaimShown },
  { checkId: 'preview.media-duration', defect: 'preview-hls-no-endlist', status: 'fail', errorCode: 'SG_ERR_HLS_NO_ENDLIST', why: 'no EXT-X-ENDLIST' },
  { checkId: 'preview.media-duration', defect: 'preview-hls-lying-extinf', status: 'fail', errorCode: 'SG_ERR_PREVIEW_DURATION_MISMATCH', why: '#EXTINF twice the real length' },
  { checkId: 'preview.media-duration', defect: 'preview-hls-segment-404', status: 'fail', errorCode: 'SG_ERR_HLS_SEGMENT_MISSING', why: 'middle segment 404' },
  { checkId: 'preview.media-duration', defect: 'preview-needs-login', status: 'fail', errorCode: 'SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', why: 'media answers 401' },
  { checkId: 'preview.media-duration', defect: 'preview-needs-payment', status: 'fail', errorCode: 'SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', why: 'media answers 402' },
]

for (const c of cases) {
  t.test(`${c.checkId} ${c.defect ?? 'compliant'} → ${c.status} (${c.why})`, async (t) => {
    const { result, sampling } = await probeWith(t, c.checkId, c.defect ? [c.defect] : [])
    t.equal(result.checkId, c.checkId)
    t.same(result.requirementIds, ['R5.1-3'], 'R5.1-3')
    t.equal(result.status, c.status, `${result.message?.en ?? ''}`)
    if (c.errorCode) t.equal(result.errorCode, c.errorCode)
    t.equal((result.measured as { sampled?: number } | undefined)?.sampled, 2, 'both courses sampled')
    if (c.checkId === 'preview.media-duration') {
      t.match(sampling, { population: 2, size: 2, all: true }, 'sampling statement in the report')
      const measured = result.measured as { method: string; perCourse: Array<{ format: string; measuredSeconds: number }> }
      t.equal(measured.perCourse.length, 2, 'a measured value per course')
      if (c.status === 'pass') {
        t.match(measured.method, /ffprobe .*packet timestamps/, 'the method is reported')
        t.same(new Set(measured.perCourse.map((p) => p.format)), new Set(['mp4', 'hls']), 'both formats measured')
        for (const p of measured.perCourse) t.ok(Math.abs(p.measuredSeconds - 660) <= 2, `${p.format} measured ${p.measuredSeconds} s`)
        t.match(result.message, { en: /^all 2 previews play/, 'zh-CN': /^全部 2 个试看视频/ }, 'every course measured: the message says all, not sampled')
      }
    }
    c.also?.(t, result)
  })
}
