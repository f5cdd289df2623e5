// Catalogue rules for on-demand platforms, measured over the whole walked catalogue:
// R5.1-2 at least 100 live courses; R5.1-4 at least half of them free, and sampled free courses'
// preview media really open with no credentials at all, and every lesson of the free courses opens
// without payment (free-lessons.ts); R16 every category code is listed in the
// training catalogue (specs/categories).
import type { CourseSummary } from '../../specs/types.gen.js'
import { isSkillgateError } from '../../specs/lib/errors.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { freeLessonsOpenCheck } from './free-lessons.js'
import { defineCheck, fail, httpEvidence, note, pass, reproduceFrom, type CheckDefinition, type Evidence } from './framework.js'
import { reproduce, rerunCommand, statusOfOversizedBody } from './http-expect.js'
import { mapLimit } from './map-limit.js'

/** R5.1-2 */
export const MIN_COURSES = 100
/** R5.1-4 */
export const MIN_FREE_SHARE = 0.5
/** Enough bytes to see that the media opens; MP4 moov or an HLS segment header sits in them. */
const OPEN_RANGE = 'bytes=0-65535'
const OPEN_MAX_BYTES = 1024 * 1024

const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)} %`

export const courseCountCheck = defineCheck<ProbeContext>({
  id: 'catalogue.count',
  requirementIds: ['R5.1-2'],
  severity: 'must',
  kinds: ['on-demand'],
  subject: 'platform',
  title: { 'zh-CN': '在线课程不少于 100 门', en: 'At least 100 live courses' },
  does: { 'zh-CN': '统计完整遍历得到的不同在线课程数，要求不少于 100 门（第五条（一）2）。', en: 'Counts the distinct live courses of the whole walk; at least 100 are required (R5.1-2).' },
  failureMeans: { 'zh-CN': '在线课程少于 100 门，不满足点播平台的准入条件。', en: 'Fewer than 100 live courses: the platform does not meet the on-demand admission condition.' },
  dependsOn: ['contract.pagination'],
  async run(ctx) {
    const w = await ctx.walk()
    const measured = { courses: w.distinct, pages: w.pages, required: MIN_COURSES }
    const evidence = [note(`walked ${w.pages} page(s) of ≤ ${w.limit}: ${w.distinct} distinct live courses`)]
    if (w.distinct < MIN_COURSES) {
      return fail({ 'zh-CN': `目录中只有 ${w.distinct} 门在线课程，少于 ${MIN_COURSES} 门（第五条（一）2）`, en: `The catalogue lists ${w.distinct} live courses, fewer than ${MIN_COURSES} (R5.1-2)` }, { evidence, measured, ...(w.firstPage ? { reproduce: reproduceFrom(w.firstPage) } : {}) })
    }
    return pass({ 'zh-CN': `目录中有 ${w.distinct} 门在线课程`, en: `${w.distinct} live courses` }, { evidence, measured })
  },
})

export const freeShareCheck = defineCheck<ProbeContext>({
  id: 'catalogue.free-share',
  requirementIds: ['R5.1-4'],
  severity: 'must',
  kinds: ['on-demand'],
  subject: 'platform',
  title: { 'zh-CN': '免费课程不少于 50%', en: 'Free courses are at least 50 %' },
  does: { 'zh-CN': '统计完整遍历中 fee.free 为 true 的课程占比，要求不低于 50%（第五条（一）4）。', en: 'Counts the share of live courses with fee.free true over the whole walk; at least 50 % is required (R5.1-4).' },
  failureMeans: { 'zh-CN': '免费课程不足一半，不满足点播平台的准入条件。', en: 'Fewer than half the courses are free: the platform does not meet the on-demand admission condition.' },
  dependsOn: ['contract.pagination'],
  async run(ctx) {
    const w = await ctx.walk()
    const share = w.distinct === 0 ? 0 : w.free / w.distinct
    const measured = { freeCourses: w.free, courses: w.distinct, freeShare: Math.round(share * 10000) / 10000, required: MIN_FREE_SHARE }
    const evidence = [note(`${w.free} of ${w.distinct} live courses declare fee.free = true`)]
    if (share < MIN_FREE_SHARE) {
      return fail({ 'zh-CN': `免费课程占比 ${pct(share)}（${w.free}/${w.distinct}），低于 50%（第五条（一）4）`, en: `Free share is ${pct(share)} (${w.free} of ${w.distinct}), below 50 % (R5.1-4)` }, { evidence, measured, reproduce: rerunCommand(ctx, 'catalogue.free-share') })
    }
    return pass({ 'zh-CN': `免费课程占比 ${pct(share)}`, en: `Free share is ${pct(share)}` }, { evidence, measured })
  },
})

export interface OpenResult { courseId: string; opened: boolean; reason?: string; res?: ProbeResponse; exchange?: ProbeResponse['evidence'] }

/** GET with no credentials at all; an oversized answer still tells us the status it opened with. */
async function openWithoutCredentials(ctx: ProbeContext, signal: AbortSignal | undefined, url: string, range: boolean): Promise<{ status: number; res?: ProbeResponse; exchange?: ProbeResponse['evidence'] }> {
  try {
    const res = await ctx.anonymous.request({ url, headers: range ? { range: OPEN_RANGE } : {}, maxBodyBytes: OPEN_MAX_BYTES, ...(signal ? { signal } : {}) })
    // Evidence (scrubbed copies of the exchange) is built from `res` only if this opening fails.
    return { status: res.status, res }
  } catch (err) {
    const status = statusOfOversizedBody(err)
    if (status !== undefined && isSkillgateError(err)) return { status, exchange: err.details?.evidence as ProbeResponse['evidence'] }
    throw err
  }
}

/**
 * Whether one free course's preview opens with no credentials, computed once per run: the probe may
 * start it while the walk is still going (a likely-sampled course), and the check then reuses it.
 */
export function freeOpening(ctx: ProbeContext, course: CourseSummary, signal?: AbortSignal): Promise<OpenResult> {
  return ctx.once(`free-open:${course.courseId}`, () => opensFreely(ctx, signal, course))
}

async function opensFreely(ctx: ProbeContext, signal: AbortSignal | undefined, course: CourseSummary): Promise<OpenResult> {
  const { response, doc } = await ctx.preview(course.courseId)
  if (response.status !== 200 || !doc || typeof doc.url !== 'string') {
    return { courseId: course.courseId, opened: false, reason: `the preview document answered ${response.status} without a media URL`, res: response }
  }
  const first = await openWithoutCredentials(ctx, signal, doc.url, doc.format !== 'hls')
  const ok = (s: number): boolean => s === 200 || s === 206
  if (!ok(first.status)) return { courseId: course.courseId, opened: false, reason: `${doc.format} media answered ${first.status} without credentials`, ...(first.res ? { res: first.res } : {}), ...(first.exchange ? { exchange: first.exchange } : {}) }
  if (doc.format !== 'hls') return { courseId: course.courseId, opened: true }
  // HLS: the playlist opened; the first media segment must open too (a login wall often sits there).
  const text = first.res?.body.toString('utf8') ?? ''
  const uri = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith('#'))
  if (!text.startsWith('#EXTM3U') || !uri) return { courseId: course.courseId, opened: false, reason: 'the HLS playlist is not a playlist with segments', ...(first.res ? { res: first.res } : {}) }
  const segment = await openWithoutCredentials(ctx, signal, new URL(uri, doc.url).toString(), true)
  if (!ok(segment.status)) return { courseId: course.courseId, opened: false, reason: `the first HLS segment answered ${segment.status} without credentials`, ...(segment.res ? { res: segment.res } : {}), ...(segment.exchange ? { exchange: segment.exchange } : {}) }
  return { courseId: course.courseId, opened: true }
}

export const freePreviewOpenCheck = defineCheck<ProbeContext>({
  id: 'catalogue.free-preview-open',
  requirementIds: ['R5.1-4'],
  severity: 'must',
  kinds: ['on-demand'],
  subject: 'platform',
  title: { 'zh-CN': '免费课程的试看媒体无需付费、无需登录即可打开（抽样）', en: 'Free courses open without payment or login (sampled)' },
  does: { 'zh-CN': '对抽样的免费课程，不带任何凭据打开试看媒体（HLS 还打开第一个分片），要求返回 200 或 206。', en: 'Opens the preview media of sampled free courses with no credentials at all (and the first segment of HLS) and expects 200 or 206.' },
  failureMeans: { 'zh-CN': '声明免费的课程需要登录或付费才能打开：免费声明不属实。', en: 'Courses declared free need a login or payment to open: the free declaration is not true.' },
  async run(ctx, rt) {
    const sample = await ctx.sample()
    if (sample.free.length === 0) return fail({ 'zh-CN': '目录中没有免费课程可供检查', en: 'The catalogue lists no free course to open' })
    const results = await mapLimit(sample.free, ctx.settings.concurrency, (c) => freeOpening(ctx, c, rt.signal), rt.signal)
    const closed = results.filter((r) => !r.opened)
    const measured = { sampledFreeCourses: sample.free.length, freeCourses: sample.freeStatement.population, closed: closed.length }
    const evidence: Evidence[] = [note(sample.freeStatement.confidence)]
    for (const c of closed.slice(0, 10)) {
      const ex = c.exchange ?? c.res?.evidence
      evidence.push(ex ? httpEvidence(ex, `${c.courseId}: ${c.reason}`) : note(`${c.courseId}: ${c.reason}`))
    }
    if (closed.length > 0) {
      const first = closed[0]!
      const ex = first.exchange ?? first.res?.evidence
      return fail(
        { 'zh-CN': `${closed.length}/${sample.free.length} 门抽样免费课程的试看媒体在无凭据时打不开，如 ${first.courseId}：${first.reason}（第五条（一）4）`, en: `${closed.length} of ${sample.free.length} sampled free courses do not open without credentials, e.g. ${first.courseId}: ${first.reason} (R5.1-4)` },
        { evidence, measured, ...(ex ? { reproduce: reproduceFrom(ex) } : first.res ? { reproduce: reproduce(first.res) } : {}) },
      )
    }
    evidence.push(...results.slice(0, 3).map((r) => note(`${r.courseId}: opened with no credentials`)))
    return pass({ 'zh-CN': `抽查的 ${sample.free.length} 门免费课程无需凭据即可打开`, en: `${sample.free.length} sampled free course(s) open with no credentials` }, { evidence, measured })
  },
})

export const categoryCodesCheck = defineCheck<ProbeContext>({
  id: 'catalogue.category-codes',
  requirementIds: ['R16'],
  severity: 'must',
  kinds: ['on-demand'],
  subject: 'platform',
  title: { 'zh-CN': '课程分类代码均取自培训目录', en: 'Every category code is in the training catalogue' },
  does: { 'zh-CN': '核对完整遍历中每门课程的 category 属于培训目录，occupationCode（如有）为目录中的职业代码且位于 category 之下（第十六条）。', en: 'Checks every course of the whole walk: category is in the training catalogue, and occupationCode, when present, is a listed occupation under category (R16).' },
  failureMeans: { 'zh-CN': '课程分类代码不在平台培训目录中：课程无法按目录分类上线。', en: 'Category codes are not in the training catalogue: the courses cannot be classified and go live.' },
  dependsOn: ['contract.pagination'],
  async run(ctx) {
    const w = await ctx.walk()
    const measured = { courses: w.distinct, invalidCategoryCodes: w.categories.invalid }
    if (w.categories.invalid > 0) {
      const e = w.categories.examples[0]!
      return fail(
        { 'zh-CN': `${w.categories.invalid} 门课程的分类代码不在培训目录中，如 ${e.courseId}：${e.category}${e.occupationCode ? ` / ${e.occupationCode}` : ''}（第十六条，见 /spec/categories/categories.json）`, en: `${w.categories.invalid} course(s) carry a category code that is not in the training catalogue, e.g. ${e.courseId}: ${e.category}${e.occupationCode ? ` / ${e.occupationCode}` : ''} (R16, see /spec/categories/categories.json)` },
        { evidence: [note('courses with unlisted codes (first ones)', { examples: w.categories.examples })], measured },
      )
    }
    return pass({ 'zh-CN': `全部 ${w.distinct} 门课程的类别代码均在目录中`, en: `all ${w.distinct} courses carry listed category codes` }, { measured })
  },
})

export const catalogueRules: readonly CheckDefinition<ProbeContext>[] = [courseCountCheck, freeShareCheck, freePreviewOpenCheck, freeLessonsOpenCheck, categoryCodesCheck]
