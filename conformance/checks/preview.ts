// R5.1-3: every course has a free preview of at least ten minutes. Two checks: what the platform
// declares (list, detail, preview document) and what its preview media really plays, fetched the
// way a learner gets it (no signature, no credentials) and measured from the container's own index
// over Range requests (conformance/media/measure-index.ts: sample tables, spot-checked samples,
// ffprobe refereeing a random few and every doubt), or with `mediaMethod: 'ffprobe'` from every
// packet of a full download; never from headers or #EXTINF. Every URL the media came from is noted as a media host for the
// location check (R20-3), including CDN hosts reached through a cross-origin redirect, which the
// probe client reports instead of following.
import { randomInt } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import type { CourseDetail, CourseSummary, Preview } from '../../specs/types.gen.js'
import { HEAD_WINDOW } from '../media/measure-hls-index.js'
import { agreeWithin, measureByIndex, measureFile, measureHls, measureHlsByIndex, openHttpSource, type Fetcher, type IndexEvidence, type MediaMethod } from '../media/measure.js'
import type { DownloadResult } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { defineCheck, fail, httpEvidence, note, pass, reproduceFrom, type CheckDefinition, type Evidence } from './framework.js'
import { exchangeEvidence, ffprobeCommand, reproduce } from './http-expect.js'
import { mapLimit } from './map-limit.js'

/** R5.1-3: ten minutes of free preview. */
export const MIN_PREVIEW_SECONDS = 600

export const MEDIA_LIMITS = Object.freeze({
  /** One MP4 preview (a 10-minute 1080p file is a few hundred MiB). */
  fileBytes: 2 * 1024 ** 3,
  /** One HLS segment or playlist. */
  segmentBytes: 256 * 1024 ** 2,
  /** One media download, redirects included. */
  deadlineMs: 10 * 60_000,
  /** Cross-origin (CDN) redirects followed by hand. */
  redirects: 3,
})

/** Segments of one HLS preview read at once on the index path (two small ranges each). */
const HLS_SEGMENTS_AT_ONCE = 8
/** First request of an MP4 preview on the index path. */
const MP4_HEAD_BYTES = 512 * 1024

/** Codes that mean the tool could not measure, not that the platform's media is wrong. */
const TOOL_FAILURES = new Set(['SG_ERR_MEDIA_TOOL_MISSING', 'SG_ERR_MEDIA_TIMEOUT'])

export interface PreviewMediaMeasurement {
  courseId: string
  format: Preview['format']
  url: string
  declaredSeconds: number
  /** Contiguous playable span, in seconds (0 when nothing could be measured). */
  measuredSeconds: number
  /** Sum of #EXTINF (HLS only): a claim, like any header. */
  playlistDeclaredSeconds?: number
  /** MP4: format.duration as the header claims it. */
  headerSeconds?: number | null
  segments?: number
  /** HLS segments whose #EXTINF disagrees with what they play. */
  lyingSegments?: Array<{ index: number; uri: string; declaredSeconds: number; measuredSeconds: number }>
  method: string
  /** Empty when the preview is compliant. */
  reasons: string[]
  /** A failed download (evidence and reproduce command). */
  failedExchange?: DownloadResult['evidence']
  errorCode?: string
  /** Index path: bytes read over the wire and the file's (or playlist's segments') real length. */
  bytes?: { read: number; file: number | null; requests: number }
  /** Index path: ffprobe refereed this preview. */
  refereed?: boolean
  /** Details of a failure (spot-checks, both sides of a referee disagreement). */
  failureDetails?: Record<string, unknown>
}

export interface MeasurePreviewOptions {
  /** 'index' (default) or 'ffprobe' (today's path: a full download, every packet read). */
  method?: MediaMethod
  /** Run the ffprobe referee on this preview too (index path). */
  referee?: boolean
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000

/**
 * Download `url` without credentials, following cross-origin redirects by hand (each target is
 * noted as a media host). Throws SG_ERR_PREVIEW_MEDIA_UNAVAILABLE unless the answer is 2xx.
 */
export async function downloadMedia(ctx: ProbeContext, url: string, dest: string, maxBytes: number): Promise<DownloadResult & { path: string }> {
  let target = url
  for (let hop = 0; ; hop++) {
    ctx.noteHost(target, 'media')
    const res = await ctx.anonymous.download(target, dest, { maxBytes, sign: false, deadlineMs: MEDIA_LIMITS.deadlineMs })
    if (res.redirectedTo !== undefined && hop < MEDIA_LIMITS.redirects) {
      target = res.redirectedTo
      continue
    }
    if (res.status >= 200 && res.status < 300 && res.path !== undefined) return { ...res, path: res.path }
    throw sgError('SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', `GET ${target} without credentials answered ${res.status}`, { url: target, status: res.status, evidence: res.evidence })
  }
}

/** Measure one preview; provider faults become `reasons`, tool faults are thrown. */
export async function measurePreview(ctx: ProbeContext, preview: Preview, workDir: string, signal?: AbortSignal, opts: MeasurePreviewOptions = {}): Promise<PreviewMediaMeasurement> {
  const declared = preview.durationSeconds
  const out: PreviewMediaMeasurement = {
    courseId: preview.courseId,
    format: preview.format,
    url: preview.url,
    declaredSeconds: declared,
    measuredSeconds: 0,
    method: '',
    reasons: [],
  }
  await mkdir(workDir, { recursive: true })
  try {
    if ((opts.method ?? 'index') === 'index') {
      await measureFromIndex(ctx, preview, workDir, out, signal, opts.referee === true)
    } else if (preview.format === 'hls') {
      let n = 0
      const fetcher: Fetcher = async (u) => {
        signal?.throwIfAborted()
        return downloadMedia(ctx, u, join(workDir, `part-${n++}`), MEDIA_LIMITS.segmentBytes)
      }
      const m = await measureHls(preview.url, fetcher, { concurrency: 2 })
      out.measuredSeconds = round3(m.playableSeconds)
      out.playlistDeclaredSeconds = round3(m.declaredSeconds)
      out.segments = m.segments.length
      out.method = m.method
      hlsReasons(out, m)
    } else {
      const res = await downloadMedia(ctx, preview.url, join(workDir, 'preview.mp4'), MEDIA_LIMITS.fileBytes)
      const m = await measureFile(res.path)
      out.measuredSeconds = round3(m.playableSeconds)
      out.headerSeconds = m.headerSeconds
      out.method = m.method
    }
  } catch (err) {
    if (!isSkillgateError(err) || TOOL_FAILURES.has(err.code)) throw err
    out.errorCode = err.code
    const ev = err.details?.evidence as PreviewMediaMeasurement['failedExchange'] | undefined
    if (ev) out.failedExchange = ev
    out.reasons.push(`${err.code}: ${err.message.split('. ')[0] ?? err.message}`)
    if (err.code === 'SG_ERR_MEDIA_NOT_MEDIA_SAMPLES' || err.code === 'SG_ERR_MEDIA_REFEREE_DISAGREES') out.failureDetails = { ...err.details }
    return out
  } finally {
    // A sibling HLS segment download may still be landing in workDir when a 404 ends the measurement.
    await rm(workDir, { recursive: true, force: true, maxRetries: 3 })
  }
  if (out.measuredSeconds < MIN_PREVIEW_SECONDS) out.reasons.push(`only ${out.measuredSeconds} s play without interruption (${MIN_PREVIEW_SECONDS} s required)`)
  if (!agreeWithin(declared, out.measuredSeconds)) out.reasons.push(`declared ${declared} s but ${out.measuredSeconds} s play (tolerance max(2 s, 1 %))`)
  return out
}

const bytesOf = (ev: IndexEvidence): NonNullable<PreviewMediaMeasurement['bytes']> => ({ read: ev.bytesRead, file: ev.fileBytes, requests: ev.requests })

/** The index path: Range requests through the media client (no credentials), redirects noted as media hosts. */
async function measureFromIndex(ctx: ProbeContext, preview: Preview, workDir: string, out: PreviewMediaMeasurement, signal: AbortSignal | undefined, referee: boolean): Promise<void> {
  const open = (url: string) => openHttpSource({
    client: ctx.media ?? ctx.anonymous, url, deadlineMs: MEDIA_LIMITS.deadlineMs, maxRedirects: MEDIA_LIMITS.redirects,
    maxFileBytes: preview.format === 'hls' ? MEDIA_LIMITS.segmentBytes : MEDIA_LIMITS.fileBytes,
    // A faststart moov of a 10-minute 25 fps preview is ~340 KB: head and index in one request.
    headBytes: preview.format === 'hls' ? HEAD_WINDOW : MP4_HEAD_BYTES,
    onHost: (u) => ctx.noteHost(u, 'media'), scratchDir: async () => workDir, ...(signal ? { signal } : {}),
  })
  out.refereed = referee
  if (preview.format === 'hls') {
    const m = await measureHlsByIndex(preview.url, open, { referee, concurrency: HLS_SEGMENTS_AT_ONCE, ...(signal ? { signal } : {}) })
    out.measuredSeconds = round3(m.playableSeconds)
    out.playlistDeclaredSeconds = round3(m.declaredSeconds)
    out.segments = m.segments.length
    out.method = m.method
    out.bytes = { read: m.bytesRead, file: m.fileBytes, requests: m.requests }
    hlsReasons(out, m)
    return
  }
  const src = await open(preview.url)
  try {
    const m = await measureByIndex(src, { referee })
    out.measuredSeconds = round3(m.playableSeconds)
    out.headerSeconds = m.headerSeconds
    out.method = m.method
    out.bytes = bytesOf(m.index)
  } finally {
    await src.close()
  }
}

/** What an HLS measurement says is wrong, whichever path measured it. */
function hlsReasons(out: PreviewMediaMeasurement, m: { declaredSeconds: number; playableSeconds: number; segments: Array<{ index: number; uri: string; declaredSeconds: number; measuredSeconds: number; agrees: boolean }>; streams: Array<{ stoppedAt: { segment: number; reason: string } | null }> }): void {
  const lying = m.segments.filter((s) => !s.agrees)
  if (lying.length > 0) {
    out.lyingSegments = lying.slice(0, 20).map((s) => ({ index: s.index, uri: s.uri, declaredSeconds: s.declaredSeconds, measuredSeconds: round3(s.measuredSeconds) }))
    out.reasons.push(`${lying.length} of ${m.segments.length} segment(s) play a different length than their #EXTINF (e.g. segment ${lying[0]!.index}: ${lying[0]!.declaredSeconds} s declared, ${round3(lying[0]!.measuredSeconds)} s measured)`)
  }
  if (!agreeWithin(m.declaredSeconds, m.playableSeconds)) {
    out.reasons.push(`the playlist's #EXTINF values add up to ${round3(m.declaredSeconds)} s but ${round3(m.playableSeconds)} s play`)
  }
  const stop = m.streams.find((s) => s.stoppedAt !== null)?.stoppedAt
  if (stop) out.reasons.push(`playback stops at segment ${stop.segment}: ${stop.reason}`)
}

// ---------------------------------------------------------------------------------------------
// The checks

const ON_DEMAND = ['on-demand'] as const
/**
 * Time budget per preview measured (R5.1-3): 10,000 previews get 100 minutes, about 20 times what
 * the index path takes on an idle 2-core machine; below 3,000 previews the run's 10 minutes stand.
 */
const PREVIEW_BUDGET_MS = 600
/** ffprobe is CPU-bound: a few at a time whatever the HTTP concurrency. */
const MEDIA_PARALLEL = 3

/** `n` distinct positions among `count`, drawn uniformly (the previews the ffprobe referee measures too). */
function drawReferee(count: number, n: number): Set<number> {
  const out = new Set<number>()
  for (let i = Math.max(0, count - n); i < count; i++) {
    // Floyd's algorithm: exactly min(n, count) distinct picks, uniform, in n draws.
    const pick = randomInt(i + 1)
    out.add(out.has(pick) ? i : pick)
  }
  return out
}

const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const shown = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v))

interface DeclaredLengths {
  courseId: string
  list: unknown
  detail: unknown
  detailPreview: unknown
  previewDocument: unknown
  reasons: string[]
  exchange?: DownloadResult['evidence']
}

export const previewDeclaredLengthCheck = defineCheck<ProbeContext>({
  id: 'preview.declared-length',
  requirementIds: ['R5.1-3'],
  severity: 'must',
  kinds: ON_DEMAND,
  subject: 'platform',
  title: { 'zh-CN': '声明的免费试看时长不少于 10 分钟（目录、详情、试看信息）', en: 'Declared free preview is at least 10 minutes (list, detail, preview document)' },
  does: { 'zh-CN': '对抽样课程核对目录、详情（previewSeconds 与 preview.durationSeconds）和试看信息中声明的试看时长均不少于 600 秒，并统计整个目录中声明不足的课程。', en: 'Checks that the sampled courses declare at least 600 s of preview in the list, the detail (previewSeconds and preview.durationSeconds) and the preview document, and counts short declarations over the whole catalogue.' },
  failureMeans: { 'zh-CN': '平台自己声明的免费试看不足 10 分钟，不满足第五条（一）3。', en: 'The platform itself declares less than 10 minutes of free preview: R5.1-3 is not met.' },
  async run(ctx, rt) {
    const sample = await ctx.sample()
    const w = await ctx.walk()
    const rows = await mapLimit(sample.courses, ctx.settings.concurrency, async (summary: CourseSummary): Promise<DeclaredLengths> => {
      // The shared fetches: contract.course-detail reads the same sampled details.
      const [detailRes, previewDoc] = await Promise.all([ctx.detail(summary.courseId), ctx.preview(summary.courseId)])
      ctx.donePreview(summary.courseId)
      const detail = detailRes.status === 200 ? (detailRes.json as Partial<CourseDetail> | undefined) : undefined
      const row: DeclaredLengths = {
        courseId: summary.courseId,
        list: summary.previewSeconds,
        detail: detail?.previewSeconds,
        detailPreview: detail?.preview?.durationSeconds,
        previewDocument: previewDoc.doc?.durationSeconds,
        reasons: [],
      }
      const where: Array<[string, unknown]> = [['list previewSeconds', row.list], ['detail previewSeconds', row.detail], ['detail preview.durationSeconds', row.detailPreview], ['preview durationSeconds', row.previewDocument]]
      for (const [name, v] of where) {
        if (!isSeconds(v)) row.reasons.push(`${name} is ${shown(v)}`)
        else if (v < MIN_PREVIEW_SECONDS) row.reasons.push(`${name} is ${v} s`)
      }
      if (detailRes.status !== 200) row.exchange = detailRes.evidence
      else if (previewDoc.response.status !== 200) row.exchange = previewDoc.response.evidence
      return row
    }, rt.signal)
    // The walk counts short declarations over the whole catalogue (not only the sample).
    const whole = w.previewShort
    const bad = rows.filter((r) => r.reasons.length > 0)
    const measured: Record<string, unknown> = {
      sampled: rows.length,
      population: sample.statement.population,
      shortOrMissing: bad.length,
      declared: rows.slice(0, 50).map(({ courseId, list, detail, detailPreview, previewDocument }) => ({ courseId, list, detail, detailPreview, previewDocument })),
    }
    measured.catalogueShort = whole.count
    const evidence: Evidence[] = [note(sample.statement.confidence)]
    for (const b of bad.slice(0, 10)) {
      evidence.push(b.exchange ? httpEvidence(b.exchange, `${b.courseId}: ${b.reasons.join('; ')}`) : note(`${b.courseId}: ${b.reasons.join('; ')}`))
    }
    if (whole.count > 0) evidence.push(note(`${whole.count} catalogue entries declare previewSeconds below ${MIN_PREVIEW_SECONDS}`, { examples: whole.examples }))
    if (bad.length > 0 || whole.count > 0) {
      const first = bad[0]
      const example = first ? `${first.courseId}: ${first.reasons.join('; ')}` : `${whole.count} catalogue entries`
      const exchange = first?.exchange
      return fail({
        'zh-CN': `${bad.length}/${rows.length} 门抽样课程声明的试看时长不足 ${MIN_PREVIEW_SECONDS} 秒或缺失，如 ${example}`,
        en: `${bad.length} of ${rows.length} sampled courses declare a preview shorter than ${MIN_PREVIEW_SECONDS} s or none, e.g. ${example}`,
      }, { evidence, measured, errorCode: 'SG_ERR_PREVIEW_TOO_SHORT', ...(exchange ? { reproduce: reproduceFrom(exchange) } : {}) })
    }
    return pass({ 'zh-CN': `抽查的 ${rows.length} 门课程在列表、详情和试看文档中均声明试看 ≥ ${MIN_PREVIEW_SECONDS} 秒`, en: `${rows.length} sampled course(s) declare ≥ ${MIN_PREVIEW_SECONDS} s of preview in the list, the detail and the preview document` }, { evidence, measured })
  },
})

export const previewMediaDurationCheck = defineCheck<ProbeContext>({
  id: 'preview.media-duration',
  requirementIds: ['R5.1-3'],
  severity: 'must',
  kinds: ON_DEMAND,
  subject: 'platform',
  title: { 'zh-CN': '试看媒体实测可连续播放不少于 10 分钟且与声明一致（免登录、免付费获取）', en: 'Preview media really plays ≥ 10 minutes without credentials and matches the declared length' },
  does: { 'zh-CN': '不带凭据下载抽样课程的试看媒体（跟随重定向，读取全部 HLS 分片），用 ffprobe 按数据包测量可连续播放时长，要求不少于 600 秒且与声明相差不超过 max(2 秒, 1%)。', en: 'Downloads the sampled previews with no credentials (following redirects, every HLS segment), measures the contiguous playable span from the packets with ffprobe, and requires at least 600 s, within max(2 s, 1 %) of the declared length.' },
  failureMeans: { 'zh-CN': '试看媒体实际可播放不足 10 分钟、与声明不符，或无法免登录获取：免费试看承诺不属实。', en: 'The preview really plays less than 10 minutes, not as declared, or cannot be fetched freely: the free preview promise is not kept.' },
  // Every course by default (R5.1-3): the budget grows with the previews to measure, so a large
  // catalogue on a loaded machine is measured, not cut off at the run's fixed per-check budget.
  budgetMs: async (ctx) => (await ctx.sample()).courses.length * PREVIEW_BUDGET_MS,
  async run(ctx, rt) {
    const sample = await ctx.sample()
    rt.setSampling({ ...sample.statement })
    const root = await mkdtemp(join(await ctx.scratchDir(), 'preview-'))
    const method = ctx.settings.mediaMethod
    const refereed = drawReferee(sample.courses.length, method === 'index' ? ctx.settings.referee : 0)
    // ffprobe is CPU-bound; reading an index is mostly waiting for the network (the media client
    // caps the requests; an HLS preview keeps up to HLS_SEGMENTS_AT_ONCE of them busy). More
    // previews at once than a quarter of the requests only holds more indexes in memory.
    const parallel = method === 'index' ? Math.max(1, Math.ceil(ctx.settings.mediaConcurrency / 4)) : Math.min(ctx.settings.concurrency, MEDIA_PARALLEL)
    try {
      let measuredCount = 0
      const methodTexts = new Map<string, string>()
      const counted = <T>(row: T): T => { rt.progress?.(++measuredCount, sample.courses.length, 'previews'); return row }
      const rows = await mapLimit(sample.courses, parallel, async (summary: CourseSummary, i) => counted(await (async () => {
        const doc = await ctx.preview(summary.courseId)
        ctx.donePreview(summary.courseId)
        if (doc.response.status !== 200 || !doc.doc || typeof doc.doc.url !== 'string' || !isSeconds(doc.doc.durationSeconds)) {
          return { kind: 'no-document' as const, courseId: summary.courseId, response: doc.response }
        }
        const m = await measurePreview(ctx, doc.doc, join(root, String(i)), rt.signal, { method, referee: refereed.has(i) })
        // Every measurement builds its method text anew; one copy of each is kept (10,000 rows).
        m.method = methodTexts.get(m.method) ?? (methodTexts.set(m.method, m.method), m.method)
        return { kind: 'measured' as const, m }
      })()), rt.signal)
      const evidence: Evidence[] = [note(sample.statement.confidence)]
      const problems: string[] = []
      let reproduceCmd: string | undefined
      let errorCode: string | undefined
      const perCourse: Array<Record<string, unknown>> = []
      for (const r of rows) {
        if (r.kind === 'no-document') {
          problems.push(`${r.courseId}: no usable preview document (status ${r.response.status})`)
          evidence.push(exchangeEvidence(r.response, `${r.courseId}: no usable preview document`))
          reproduceCmd ??= reproduce(r.response)
          perCourse.push({ courseId: r.courseId, measuredSeconds: null })
          continue
        }
        const { m } = r
        const row: Record<string, unknown> = { courseId: m.courseId, format: m.format, declaredSeconds: m.declaredSeconds, measuredSeconds: m.measuredSeconds }
        if (m.headerSeconds !== undefined) row.headerSeconds = m.headerSeconds
        if (m.playlistDeclaredSeconds !== undefined) row.playlistDeclaredSeconds = m.playlistDeclaredSeconds
        if (m.segments !== undefined) row.segments = m.segments
        if (m.bytes) row.bytes = m.bytes
        if (m.refereed) row.refereed = true
        perCourse.push(row)
        if (m.reasons.length === 0) continue
        problems.push(`${m.courseId} (${m.format}): ${m.reasons.join('; ')}`)
        errorCode ??= m.errorCode ?? (m.measuredSeconds < MIN_PREVIEW_SECONDS ? 'SG_ERR_PREVIEW_TOO_SHORT' : 'SG_ERR_PREVIEW_DURATION_MISMATCH')
        if (m.failedExchange) {
          evidence.push(httpEvidence(m.failedExchange, `${m.courseId}: ${m.reasons.join('; ')}`))
          reproduceCmd ??= reproduceFrom(m.failedExchange)
        } else {
          evidence.push(note(`${m.courseId}: ${m.reasons.join('; ')}`, { ...row, url: m.url, ...(m.lyingSegments ? { lyingSegments: m.lyingSegments } : {}), ...(m.failureDetails ? { details: m.failureDetails } : {}) }))
          if (m.url) reproduceCmd ??= ffprobeCommand(m.url)
        }
      }
      const methods = [...new Set(rows.flatMap((r) => (r.kind === 'measured' && r.m.method ? [r.m.method] : [])))]
      const measuredValues = rows.flatMap((r) => (r.kind === 'measured' && r.m.reasons.length === 0 ? [r.m.measuredSeconds] : []))
      const measured: Record<string, unknown> = {
        sampled: rows.length,
        population: sample.statement.population,
        failing: problems.length,
        minPlayableSeconds: measuredValues.length ? Math.min(...measuredValues) : null,
        perCourse,
        method: methods.join(' | ') || 'none measured',
        mediaMethod: method,
      }
      const read = rows.flatMap((r) => (r.kind === 'measured' && r.m.bytes ? [r.m.bytes] : []))
      if (read.length > 0) {
        const file = read.every((b) => b.file !== null) ? read.reduce((n, b) => n + b.file!, 0) : null
        const bytesRead = read.reduce((n, b) => n + b.read, 0)
        measured.bytes = { read: bytesRead, media: file, fetchedRatio: file ? Math.round((bytesRead / file) * 10_000) / 10_000 : null, requests: read.reduce((n, b) => n + b.requests, 0) }
        measured.refereed = rows.filter((r) => r.kind === 'measured' && r.m.refereed).length
      }
      // Every course measured (the default) or a stated sample: the message says which.
      const every = rows.length === sample.statement.population
      if (problems.length > 0) {
        return fail({
          'zh-CN': `${problems.length}/${rows.length} 门${every ? '' : '抽样'}课程的试看媒体实测不合格（不足 ${MIN_PREVIEW_SECONDS} 秒、与声明不符或无法免登录获取），如 ${problems[0]!}`,
          en: `${problems.length} of ${rows.length} ${every ? '' : 'sampled '}previews fail when measured (shorter than ${MIN_PREVIEW_SECONDS} s, not as declared, or not freely playable), e.g. ${problems[0]!}`,
        }, { evidence, measured, errorCode: errorCode ?? 'SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', ...(reproduceCmd ? { reproduce: reproduceCmd } : {}) })
      }
      return pass({ 'zh-CN': `${every ? '全部' : '抽查的'} ${rows.length} 个试看视频无需凭据即可获取，实际可播放 ≥ ${MIN_PREVIEW_SECONDS} 秒，与声明一致`, en: `${every ? `all ${rows.length} previews play` : `${rows.length} sampled preview(s) play`} ≥ ${MIN_PREVIEW_SECONDS} s as declared, fetched without credentials` }, { evidence, measured })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
})

export const previewChecks: CheckDefinition<ProbeContext>[] = [previewDeclaredLengthCheck, previewMediaDurationCheck]
