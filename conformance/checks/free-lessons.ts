// R5.1-4, what "free" means (spec 1.1, course-detail.schema.json → lessons): a free course is one
// whose every lesson opens without payment. The flag fee.free and a free preview prove nothing, so
// this check opens the lessons of the free courses as a learner would: every lesson of every free
// course the run checks (all of them by default; with --sample, the stated sample). One small Range
// read per MP4 lesson, the playlist and first segment per HLS lesson: cheap enough to open them all.
// Never a payment step. Where the platform gives no lesson media, or lessons sit behind a learner
// login and no sandbox learner is configured, R5.1-4 is declared, not verified: a warning, never a pass.
import { isSkillgateError } from '../../specs/lib/errors.js'
import type { CourseDetail, CourseSummary } from '../../specs/types.gen.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { defineCheck, fail, httpEvidence, note, pass, reproduceFrom, warn, type CheckDefinition, type Evidence } from './framework.js'
import { statusOfOversizedBody } from './http-expect.js'
import { mapLimit } from './map-limit.js'

const OPEN_RANGE = 'bytes=0-65535'
const OPEN_MAX_BYTES = 1024 * 1024
const LOGIN = new Set([401, 403])

type Outcome = 'opened' | 'not-free' | 'closed' | 'unverified'
interface LessonResult { where: string; outcome: Outcome; reason: string; exchange?: ProbeResponse['evidence'] }

const isPayment = (status: number, res?: ProbeResponse): boolean =>
  status === 402 || (res?.json as { code?: unknown } | undefined)?.code === 'SG_ERR_PAYMENT_REQUIRED'

async function get(ctx: ProbeContext, url: string, range: boolean, signal: AbortSignal): Promise<{ status: number; res?: ProbeResponse; exchange?: ProbeResponse['evidence'] }> {
  const headers: Record<string, string> = { ...(range ? { range: OPEN_RANGE } : {}), ...(ctx.learner ? { authorization: `Bearer ${ctx.learner.token}` } : {}) }
  try {
    const res = await ctx.anonymous.request({ url, headers, sign: false, maxBodyBytes: OPEN_MAX_BYTES, signal })
    return { status: res.status, res, exchange: res.evidence }
  } catch (err) {
    const status = statusOfOversizedBody(err)
    if (status !== undefined && isSkillgateError(err)) return { status, exchange: err.details?.evidence as ProbeResponse['evidence'] }
    throw err
  }
}

/** Open one lesson's media as a learner: no credentials, or the sandbox learner's token; never pay. */
async function openLesson(ctx: ProbeContext, where: string, media: { format?: unknown; url?: unknown }, signal: AbortSignal): Promise<LessonResult> {
  if (typeof media.url !== 'string') return { where, outcome: 'unverified', reason: 'no lessons[].media.url: the platform does not say where a learner opens it' }
  ctx.noteHost(media.url, 'media')
  const judge = (what: string, r: Awaited<ReturnType<typeof get>>): LessonResult | undefined => {
    if (r.status === 200 || r.status === 206) return undefined
    const base = { where, ...(r.exchange ? { exchange: r.exchange } : {}) }
    if (isPayment(r.status, r.res)) return { ...base, outcome: 'not-free', reason: `${what} asks for payment (${r.status})` }
    if (LOGIN.has(r.status) && !ctx.learner) return { ...base, outcome: 'unverified', reason: `${what} needs a learner login (${r.status}) and no sandbox learner is configured` }
    return { ...base, outcome: 'closed', reason: `${what} answered ${r.status}${ctx.learner ? ' with the sandbox learner' : ' without credentials'}` }
  }
  const first = await get(ctx, media.url, media.format !== 'hls', signal)
  const bad = judge(`${String(media.format)} media`, first)
  if (bad) return bad
  if (media.format !== 'hls') return { where, outcome: 'opened', reason: 'opened' }
  const text = first.res?.body.toString('utf8') ?? ''
  const uri = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith('#'))
  if (!text.startsWith('#EXTM3U') || !uri) return { where, outcome: 'closed', reason: 'the HLS playlist names no segment', ...(first.exchange ? { exchange: first.exchange } : {}) }
  const segment = await get(ctx, new URL(uri, media.url).toString(), true, signal)
  return judge('the first HLS segment', segment) ?? { where, outcome: 'opened', reason: 'opened' }
}

async function openCourse(ctx: ProbeContext, course: CourseSummary, signal: AbortSignal): Promise<LessonResult[]> {
  const res = await ctx.detail(course.courseId)
  const detail = res.status === 200 ? (res.json as Partial<CourseDetail> | undefined) : undefined
  if (!detail || !Array.isArray(detail.lessons)) {
    return [{ where: course.courseId, outcome: 'unverified', reason: `course detail answered ${res.status} without lessons`, exchange: res.evidence }]
  }
  const out: LessonResult[] = []
  for (const lesson of detail.lessons as Array<Partial<CourseDetail['lessons'][number]> & { media?: { format?: unknown; url?: unknown } }>) {
    const where = `${course.courseId}/${String(lesson.lessonId)}`
    if (lesson.free !== true) out.push({ where, outcome: 'not-free', reason: `the course declares fee.free true but lesson ${String(lesson.lessonId)} declares free ${JSON.stringify(lesson.free) ?? 'absent'}`, exchange: res.evidence })
    else out.push(await openLesson(ctx, where, lesson.media ?? {}, signal))
  }
  return out
}

export const freeLessonsOpenCheck: CheckDefinition<ProbeContext> = defineCheck<ProbeContext>({
  id: 'catalogue.free-lessons-open',
  requirementIds: ['R5.1-4'],
  severity: 'must',
  kinds: ['on-demand'],
  subject: 'platform',
  title: { 'zh-CN': '免费课程的每一课节无需付费即可打开', en: 'Every lesson of a free course opens without payment' },
  does: { 'zh-CN': '读取所检查免费课程（默认全部）的详情，要求每一课节 free 为 true，并像学员一样打开每一课节的媒体（lessons[].media，不带凭据或使用沙箱学员令牌），从不付费；平台未给出课节媒体时报告“已声明，未验证”。', en: 'Reads the detail of every free course checked (all by default), requires free true on every lesson and opens each lesson’s media (lessons[].media) as a learner would, with no credentials or the sandbox learner’s token, never paying; without lesson media it reports “declared, not verified”.' },
  failureMeans: { 'zh-CN': '声明免费的课程有课节需要付费：这是标为免费的收费课程，免费占比不属实（第五条（一）4）。', en: 'A course declared free has lessons that need payment: it is a paid course flagged free, and the free share is not true (R5.1-4).' },
  async run(ctx, rt) {
    const sample = await ctx.sample()
    if (sample.free.length === 0) return warn({ 'zh-CN': '目录中没有免费课程可供打开（免费占比见 catalogue.free-share）', en: 'The catalogue lists no free course to open (the share is judged by catalogue.free-share)' }, { errorCode: 'SG_ERR_FREE_COURSE_UNVERIFIED' })
    const perCourse = await mapLimit(sample.free, ctx.settings.concurrency, (c) => openCourse(ctx, c, rt.signal), rt.signal)
    const lessons = perCourse.flat()
    const count = (o: Outcome): number => lessons.filter((l) => l.outcome === o).length
    const bad = lessons.filter((l) => l.outcome === 'not-free' || l.outcome === 'closed')
    const unverified = lessons.filter((l) => l.outcome === 'unverified')
    const measured = {
      freeCourses: sample.freeStatement.population, checkedFreeCourses: sample.free.length, lessons: lessons.length,
      opened: count('opened'), needPayment: count('not-free'), closed: count('closed'), unverified: unverified.length, learnerCredential: ctx.learner !== undefined,
    }
    const evidence: Evidence[] = [note(sample.freeStatement.confidence)]
    for (const l of [...bad, ...unverified].slice(0, 10)) evidence.push(l.exchange ? httpEvidence(l.exchange, `${l.where}: ${l.reason}`) : note(`${l.where}: ${l.reason}`))
    if (bad.length > 0) {
      const first = bad.find((l) => l.outcome === 'not-free') ?? bad[0]!
      return fail({
        'zh-CN': `${bad.length}/${lessons.length} 个免费课程的课节无法免费打开，如 ${first.where}：${first.reason}（第五条（一）4）`,
        en: `${bad.length} of ${lessons.length} lessons of free courses do not open without payment, e.g. ${first.where}: ${first.reason} (R5.1-4)`,
      }, { evidence, measured, errorCode: 'SG_ERR_FREE_COURSE_NOT_FREE', ...(first.exchange ? { reproduce: reproduceFrom(first.exchange) } : {}) })
    }
    if (unverified.length > 0) {
      return warn({
        'zh-CN': `第五条（一）4 已声明，未验证：${unverified.length}/${lessons.length} 个课节无法像学员一样打开，如 ${unverified[0]!.where}：${unverified[0]!.reason}`,
        en: `R5.1-4 declared, not verified: ${unverified.length} of ${lessons.length} lessons could not be opened as a learner would, e.g. ${unverified[0]!.where}: ${unverified[0]!.reason}`,
      }, { evidence, measured, errorCode: 'SG_ERR_FREE_COURSE_UNVERIFIED' })
    }
    return pass({ 'zh-CN': `${sample.free.length} 门免费课程的 ${lessons.length} 个课节均无需付费即可打开`, en: `${lessons.length} lesson(s) of ${sample.free.length} free course(s) open without payment` }, { evidence, measured })
  },
})
