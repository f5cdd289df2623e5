// Contract checks (R7, the unified specification): every answer of the provider API validates
// against its published schema with the right status and content type; bad input gets a documented
// problem+json; the catalogue walk is whole (no duplicates, gaps, disorder or cursor cycles, under a
// hard page cap, R5.1-2 depends on it); updatedSince returns only newer entries; list and detail agree.
import type { CourseDetail, CourseSummary } from '../../specs/types.gen.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { ProbeContext } from '../probe-context.js'
import { walkCatalogue } from '../walk/catalogue-walk.js'
import { compareWalks } from '../walk/compare-walks.js'
import { defineCheck, fail, httpEvidence, note, pass, reproduceFrom, skip, type CheckDefinition, type Evidence } from './framework.js'
import { contentTypeOf, exchangeEvidence, isJsonContentType, judgeProblem, reproduce } from './http-expect.js'
import { mapLimit } from './map-limit.js'

const BOTH = ['on-demand', 'self-hosted'] as const

/** Reasons a JSON document endpoint is off-contract: status, content type, schema. */
function documentProblems(status: number, contentType: string, schemaErrors: readonly { path: string; expected: string; found: string }[]): string[] {
  const out: string[] = []
  if (status !== 200) out.push(`status ${status}, expected 200`)
  if (status === 200 && !isJsonContentType(contentType)) out.push(`Content-Type "${contentType || 'none'}", expected application/json`)
  for (const e of schemaErrors.slice(0, 5)) out.push(`at ${e.path}: expected ${e.expected}, found ${e.found}`)
  if (schemaErrors.length > 5) out.push(`${schemaErrors.length - 5} more schema problems`)
  return out
}

const listText = (reasons: string[]): string => reasons.join('; ')

export const serviceInfoCheck = defineCheck<ProbeContext>({
  id: 'contract.service-info',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '平台基本信息（service-info）符合规范', en: 'Service info matches the specification' },
  does: { 'zh-CN': '以签名请求读取 GET /v1/service-info，核对状态 200、Content-Type 为 application/json、文档符合 service-info.schema.json，且声明的 kind 与检测类型一致。', en: 'Reads GET /v1/service-info signed and checks status 200, an application/json content type, the document against service-info.schema.json, and that its kind is the kind probed.' },
  failureMeans: { 'zh-CN': '平台基本信息缺失或不符合规范：管理平台无法识别平台类型、主机与联系方式，依赖它的检查也无法完成。', en: 'The platform does not describe itself as specified: the management platform cannot tell its kind, hosts or contact, and checks that read it cannot complete.' },
  async run(ctx) {
    const { response, doc, schemaErrors } = await ctx.serviceInfo()
    const reasons = documentProblems(response.status, contentTypeOf(response), schemaErrors)
    if (doc && doc.kind !== undefined && doc.kind !== ctx.kind) reasons.push(`declares kind "${doc.kind}", probed as "${ctx.kind}"`)
    const evidence = [exchangeEvidence(response)]
    const measured = { status: response.status, schemaErrors: schemaErrors.length }
    if (reasons.length > 0) {
      return fail({ 'zh-CN': `GET /v1/service-info 不符合规范：${listText(reasons)}`, en: `GET /v1/service-info is off-contract: ${listText(reasons)}` }, { evidence, measured, reproduce: reproduce(response) })
    }
    return pass({ 'zh-CN': 'GET /v1/service-info 符合 service-info.schema.json', en: 'GET /v1/service-info validates against service-info.schema.json' }, { evidence, measured })
  },
})

export const cataloguePagesCheck = defineCheck<ProbeContext>({
  id: 'contract.catalogue-pages',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '课程目录每一页均符合规范', en: 'Every catalogue page matches the specification' },
  does: { 'zh-CN': '按 nextCursor 逐页遍历 GET /v1/courses，核对每页的状态、Content-Type 与 catalogue-page.schema.json。', en: 'Walks GET /v1/courses page by page along nextCursor and checks every page’s status, content type and catalogue-page.schema.json.' },
  failureMeans: { 'zh-CN': '至少有一页目录不符合规范或中途出错：管理平台无法可靠地同步课程目录。', en: 'At least one catalogue page is off-contract or the walk broke off: the management platform cannot sync the catalogue reliably.' },
  async run(ctx) {
    const w = await ctx.walk()
    const reasons: string[] = []
    if (w.stoppedAt) reasons.push(`page ${w.stoppedAt.page} answered ${w.stoppedAt.status}`)
    if (w.stopReason === 'unreadable-page') reasons.push(`page ${w.pages} is not a catalogue page (no items array or an unusable nextCursor)`)
    if (w.contentType.badPages > 0) reasons.push(`${w.contentType.badPages} page(s) not served as application/json (e.g. "${w.contentType.examples[0]?.contentType}")`)
    if (w.schema.invalidPages > 0) {
      const e = w.schema.errors[0]
      reasons.push(`${w.schema.invalidPages} of ${w.pages} page(s) fail catalogue-page.schema.json${e ? ` (page ${e.page} at ${e.path}: expected ${e.expected}, found ${e.found})` : ''}`)
    }
    const measured = { pages: w.pages, pageLimit: w.limit, invalidPages: w.schema.invalidPages, badContentTypePages: w.contentType.badPages }
    const evidence: Evidence[] = []
    if (w.firstPage) evidence.push(httpEvidence(w.firstPage, `first page: ${w.firstPage.request.url}`))
    if (w.schema.errors.length > 0) evidence.push(note('schema problems (first ones)', { errors: w.schema.errors }))
    if (reasons.length > 0) {
      const bad = w.stoppedAt?.exchange ?? w.firstProblemPage?.exchange
      if (bad && bad !== w.firstPage) evidence.push(httpEvidence(bad, `first page with a problem: ${bad.request.url}`))
      return fail({ 'zh-CN': `课程目录分页不符合规范：${listText(reasons)}`, en: `Catalogue pages are off-contract: ${listText(reasons)}` }, { evidence, measured, ...(bad ? { reproduce: reproduceFrom(bad) } : {}) })
    }
    return pass({ 'zh-CN': `${w.pages} 页目录均符合 catalogue-page.schema.json`, en: `${w.pages} page(s) validate against catalogue-page.schema.json` }, { evidence, measured })
  },
})

export const paginationCheck = defineCheck<ProbeContext>({
  id: 'contract.pagination',
  requirementIds: ['R5.1-2', 'R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '分页遍历完整：无重复、无遗漏、顺序稳定、游标不循环', en: 'The pagination walk is whole: no duplicates, no gaps, stable order, no cursor cycle' },
  does: { 'zh-CN': '以两种页大小分别遍历目录，核对无重复、无遗漏、按 (updatedAt, courseId) 排序、游标不循环，且在页数上限内结束。', en: 'Walks the catalogue at two page sizes and checks for duplicates, gaps, (updatedAt, courseId) order, cursor cycles and an end within the page cap.' },
  failureMeans: { 'zh-CN': '分页遍历不完整或不稳定：课程会被重复或遗漏统计，课程数量与免费占比等检查也无从得出结论。', en: 'The walk is not whole or not stable: courses are counted twice or missed, so the course count and free share cannot be judged either.' },
  async run(ctx) {
    const [main, cross] = await Promise.all([ctx.walk(), ctx.crossWalk()])
    const cmp = compareWalks(main, cross)
    const reasons: string[] = []
    const evidence: Evidence[] = []
    for (const [label, w] of [['main', main], ['cross-check', cross]] as const) {
      if (w.duplicates.count > 0) reasons.push(`${label} walk (limit ${w.limit}): ${w.duplicates.count} course(s) listed twice, e.g. ${w.duplicates.examples.slice(0, 3).map((d) => `${d.courseId} again on page ${d.page}`).join(', ')}`)
      if (w.order.violations > 0) {
        const e = w.order.examples[0]!
        reasons.push(`${label} walk (limit ${w.limit}): ${w.order.violations} entr(ies) out of (updatedAt, courseId) order, e.g. ${e.next.courseId} (${e.next.updatedAt}) after ${e.previous.courseId} (${e.previous.updatedAt}) on page ${e.page}`)
      }
      if (w.cycle) reasons.push(`${label} walk (limit ${w.limit}): nextCursor of page ${w.cycle.page} was already served earlier (cursor cycle); the walk would never end`)
      if (w.stopReason === 'page-cap') reasons.push(`${label} walk (limit ${w.limit}): still not at the end after ${w.pages} pages (the hard cap)`)
      if (w.stopReason === 'declared-cap') reasons.push(`${label} walk (limit ${w.limit}): still not at the end after ${w.pages} pages, the most the declared courseCount allows (service-info; see the paging bound in the specification)`)
      if (w.stopReason === 'http-status' || w.stopReason === 'unreadable-page') reasons.push(`${label} walk (limit ${w.limit}) broke off at page ${w.pages} (${w.stoppedAt ? `status ${w.stoppedAt.status}` : 'unreadable page'})`)
      if (w.firstProblemPage) evidence.push(httpEvidence(w.firstProblemPage.exchange, `${label} walk, first page with a problem (page ${w.firstProblemPage.page})`))
    }
    if (cmp.missingFromMain.length > 0 || cmp.missingFromCrossCheck.length > 0) {
      reasons.push(`walks with page sizes ${main.limit} and ${cross.limit} disagree over the range both covered: ${cmp.missingFromCrossCheck.length} course(s) only in the limit-${main.limit} walk (e.g. ${cmp.missingFromCrossCheck.slice(0, 3).join(', ') || '-'}), ${cmp.missingFromMain.length} only in the limit-${cross.limit} walk (e.g. ${cmp.missingFromMain.slice(0, 3).join(', ') || '-'}): entries are lost at page boundaries`)
    }
    const measured = {
      courses: main.distinct,
      pages: main.pages,
      crossCheckPages: cross.pages,
      duplicates: main.duplicates.count + cross.duplicates.count,
      orderViolations: main.order.violations + cross.order.violations,
      cursorCycle: Boolean(main.cycle ?? cross.cycle),
      comparedEntries: cmp.compared,
      gaps: cmp.missingFromMain.length + cmp.missingFromCrossCheck.length,
      pageCap: ctx.settings.maxPages,
    }
    evidence.push(note(`main walk: ${main.pages} page(s) of ≤ ${main.limit}, ${main.distinct} distinct courses; cross-check walk: ${cross.pages} page(s) of ≤ ${cross.limit}, ${cross.distinct} courses (stopped: ${cross.stopReason})`))
    if (reasons.length > 0) {
      const bad = main.firstProblemPage?.exchange ?? cross.firstProblemPage?.exchange
      return fail({ 'zh-CN': `分页遍历不完整或不稳定：${listText(reasons)}`, en: `The pagination walk is broken: ${listText(reasons)}` }, { evidence, measured, ...(bad ? { reproduce: reproduceFrom(bad) } : {}) })
    }
    return pass({ 'zh-CN': `遍历 ${main.pages} 页共 ${main.distinct} 门课程；以 limit ${cross.limit} 再次遍历，${cmp.compared.crossCheck} 条记录一致`, en: `walked ${main.distinct} courses in ${main.pages} page(s); a second walk at limit ${cross.limit} agrees on ${cmp.compared.crossCheck} entries` }, { evidence, measured })
  },
})

/**
 * R7: the incremental walk's cut-off, from the full walk's times (epoch ms, walk order): about `entries`
 * entries are newer than it (all of them in a smaller catalogue). Undefined with fewer than two
 * readable times.
 * - `ownTime` (times with at most millisecond precision): an entry's own time, so a platform that
 *   compares with >= serves that entry again and fails. When the newest entries all share one time,
 *   the time just below it, so at least one entry is expected.
 * - otherwise (a platform with sub-millisecond timestamps, which Date.parse cuts to the millisecond):
 *   a millisecond in a gap of at least 2 ms between entries, so no entry's true time is ambiguous
 *   against it and the expected count is exact.
 */
export function cutOff(times: ArrayLike<number>, entries: number, o: { ownTime: boolean } = { ownTime: true }): number | undefined {
  let sortedClean = true
  for (let i = 1; i < times.length && sortedClean; i++) if (!(times[i]! >= times[i - 1]!)) sortedClean = false
  if (times.length > 0 && Number.isNaN(times[0]!)) sortedClean = false
  // The usual case (contract.pagination reports a broken order) needs no copy of 100,000 times.
  const r: ArrayLike<number> = sortedClean ? times : Float64Array.from(times).filter((t) => !Number.isNaN(t)).sort()
  const m = r.length
  if (m < 2) return undefined
  const k = Math.max(0, m - entries - 1)
  if (o.ownTime) {
    const max = r[m - 1]!
    let j = k
    while (j >= 0 && r[j] === max) j--
    return j >= 0 ? r[j] : r[0]! - 1
  }
  for (let j = k; j < m - 1; j++) if (r[j + 1]! - r[j]! >= 2) return r[j]! + 1
  for (let j = k - 1; j >= 0; j--) if (r[j + 1]! - r[j]! >= 2) return r[j]! + 1
  return r[0]! - 1
}

export const incrementalCheck = defineCheck<ProbeContext>({
  id: 'contract.incremental',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': 'updatedSince 增量同步只返回更新的条目与墓碑', en: 'updatedSince returns only newer entries plus tombstones' },
  does: { 'zh-CN': '取全量遍历中较新的一个 updatedAt 作为 updatedSince 再遍历一次，核对只返回严格晚于该时刻的条目与墓碑，且条目数与全量遍历一致。', en: 'Walks again with updatedSince set to a recent updatedAt from the full walk and checks that exactly the entries changed strictly after it come back, with tombstones.' },
  failureMeans: { 'zh-CN': '增量同步会漏掉或重复变更：管理平台的课程目录与平台不一致。', en: 'Incremental sync loses or repeats changes: the management platform’s copy of the catalogue drifts from the platform’s.' },
  async run(ctx) {
    // A syncing client asks for what changed since its last sync: the recent end of the catalogue.
    // So the cut-off is the updatedAt of the entry about `incrementalEntries` from the newest end of
    // the full walk (an entry's own time, so the strictly-after boundary is tested), and the
    // incremental walk reads a page or two instead of the whole catalogue a second time.
    const main = await ctx.walk()
    if (!main.complete || main.duplicates.count > 0) {
      return skip({ 'zh-CN': '全量分页遍历不完整，无法核对增量同步（见 contract.pagination）', en: 'The full walk is not whole, so incremental sync cannot be compared with it (see contract.pagination)' })
    }
    const sinceMs = main.updatedAt ? cutOff(main.updatedAt, ctx.settings.incrementalEntries, { ownTime: !main.subMillisecondTimes }) : undefined
    if (!main.updatedAt || sinceMs === undefined) return pass({ 'zh-CN': '带有可读 updatedAt 的课程少于两门：无可增量同步的内容', en: 'fewer than two courses with a readable updatedAt: nothing to sync incrementally' }, { measured: { courses: main.distinct } })
    const since = new Date(sinceMs).toISOString()
    let expected = 0
    for (const t of main.updatedAt) if (t > sinceMs) expected++
    const inc = await walkCatalogue(
      (cursor) => ctx.client.request({ url: ctx.url('/v1/courses', { limit: ctx.settings.pageLimit, updatedSince: since, cursor }) }),
      { limit: ctx.settings.pageLimit, updatedSince: since, maxPages: ctx.settings.maxPages, keepTombstoneIds: true },
    )
    let tombstonesForListed = 0
    const examples: string[] = []
    // Tombstones naming courses the full walk listed as live: reported, not failed (the catalogue may change mid-run).
    for (const e of inc.tombstoneIds) {
      if (main.ids.has(e)) {
        tombstonesForListed++
        if (examples.length < 10) examples.push(e)
      }
    }
    const reasons: string[] = []
    if (inc.stoppedAt) reasons.push(`page ${inc.stoppedAt.page} answered ${inc.stoppedAt.status}`)
    if (inc.cycle) reasons.push(`cursor cycle at page ${inc.cycle.page}`)
    if (inc.notAfterSince.count > 0) reasons.push(`${inc.notAfterSince.count} entr(ies) not changed after ${since}, e.g. ${inc.notAfterSince.examples.slice(0, 3).map((e) => `${e.courseId} (${e.at})`).join(', ')}`)
    if (inc.duplicates.count > 0) reasons.push(`${inc.duplicates.count} course(s) listed twice`)
    if (inc.complete && inc.distinct !== expected) reasons.push(`${inc.distinct} live course(s) returned, but the full walk has ${expected} updated after ${since}`)
    const measured = { updatedSince: since, expectedCourses: expected, returnedCourses: inc.distinct, tombstones: inc.tombstones.count, tombstonesForListedCourses: tombstonesForListed, pages: inc.pages }
    const evidence: Evidence[] = []
    if (inc.firstPage) evidence.push(httpEvidence(inc.firstPage, `first incremental page: ${inc.firstPage.request.url}`))
    if (tombstonesForListed > 0) evidence.push(note(`${tombstonesForListed} tombstone(s) name courses the full walk listed as live (changed during the run?)`, { examples }))
    if (reasons.length > 0) {
      const bad = inc.firstProblemPage?.exchange ?? inc.firstPage
      return fail({ 'zh-CN': `updatedSince 增量同步不正确：${listText(reasons)}`, en: `Incremental sync with updatedSince is wrong: ${listText(reasons)}` }, { evidence, measured, ...(bad ? { reproduce: reproduceFrom(bad) } : {}) })
    }
    return pass({ 'zh-CN': `updatedSince=${since} 恰好返回 ${expected} 门较新的课程和 ${inc.tombstones.count} 条删除记录`, en: `updatedSince=${since} returned exactly the ${expected} newer course(s) and ${inc.tombstones.count} tombstone(s)` }, { evidence, measured })
  },
})

const AGREE_FIELDS = ['title', 'category', 'occupationCode', 'fee', 'durationSeconds', 'lessonCount', 'previewSeconds', 'updatedAt'] as const

export const courseDetailCheck = defineCheck<ProbeContext>({
  id: 'contract.course-detail',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '课程详情符合规范且与目录一致（抽样）', en: 'Course detail matches the specification and agrees with the list (sampled)' },
  does: { 'zh-CN': '对抽样课程读取 GET /v1/courses/{courseId}，核对其符合 course-detail.schema.json，且标题、分类、费用、时长、课节数、试看时长与更新时间与目录一致。', en: 'Reads GET /v1/courses/{courseId} for the sampled courses and checks course-detail.schema.json and that title, category, fee, durations, lesson count, preview length and updatedAt agree with the list.' },
  failureMeans: { 'zh-CN': '课程详情不符合规范或与目录矛盾：管理平台展示的课程信息不可信。', en: 'Course details are off-contract or contradict the list: what the management platform shows about a course cannot be trusted.' },
  async run(ctx, rt) {
    const sample = await ctx.sample()
    const courses = sample.courses
    if (courses.length === 0) return pass({ 'zh-CN': '目录中没有课程', en: 'the catalogue lists no course' }, { measured: { sampled: 0 } })
    const results = await mapLimit(courses, ctx.settings.concurrency, async (summary: CourseSummary) => {
      // Shared with the walk's prefetch of likely-sampled courses (see probe.ts).
      const res = await ctx.detail(summary.courseId)
      const errors = res.status === 200 ? schemas().validate('course-detail', res.json).errors : []
      const reasons = documentProblems(res.status, contentTypeOf(res), errors)
      const detail = res.json as CourseDetail | undefined
      if (res.status === 200 && detail && typeof detail === 'object') {
        if (detail.courseId !== summary.courseId) reasons.push(`courseId "${String(detail.courseId)}" instead of "${summary.courseId}"`)
        for (const f of AGREE_FIELDS) {
          // A required field missing from the list is contract.catalogue-pages' finding, not a disagreement.
          if (summary[f] === undefined && f !== 'occupationCode') continue
          if (JSON.stringify(detail[f]) !== JSON.stringify(summary[f])) reasons.push(`${f} differs: list ${JSON.stringify(summary[f]) ?? 'absent'}, detail ${JSON.stringify(detail[f]) ?? 'absent'}`)
        }
      }
      return { courseId: summary.courseId, res, reasons }
    }, rt.signal)
    const bad = results.filter((r) => r.reasons.length > 0)
    const measured = { sampled: courses.length, population: sample.statement.population, disagreeing: bad.length }
    const evidence: Evidence[] = [note(sample.statement.confidence)]
    for (const b of bad.slice(0, 10)) evidence.push(exchangeEvidence(b.res, `${b.courseId}: ${listText(b.reasons).slice(0, 400)}`))
    if (bad.length > 0) {
      const first = bad[0]!
      return fail({ 'zh-CN': `${bad.length}/${courses.length} 门抽样课程的详情不符合规范或与目录不一致，如 ${first.courseId}：${listText(first.reasons)}`, en: `${bad.length} of ${courses.length} sampled course details are off-contract or disagree with the list, e.g. ${first.courseId}: ${listText(first.reasons)}` }, { evidence, measured, reproduce: reproduce(first.res) })
    }
    return pass({ 'zh-CN': `抽查的 ${courses.length} 份课程详情符合规范且与列表一致`, en: `${courses.length} sampled course detail(s) validate and agree with the list` }, { evidence, measured })
  },
})

export const previewDocumentCheck = defineCheck<ProbeContext>({
  id: 'contract.preview-document',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '试看信息接口符合规范且与目录声明一致（抽样）', en: 'Preview documents match the specification and the declared preview length (sampled)' },
  does: { 'zh-CN': '对抽样课程读取 GET /v1/courses/{courseId}/preview，核对其符合 preview.schema.json，且 durationSeconds 与目录的 previewSeconds 相等。', en: 'Reads GET /v1/courses/{courseId}/preview for the sampled courses and checks preview.schema.json and that durationSeconds equals the list’s previewSeconds.' },
  failureMeans: { 'zh-CN': '试看信息不符合规范或与目录声明不一致：无法找到或核对免费试看片段。', en: 'Preview documents are off-contract or disagree with the list: the free preview cannot be found or checked.' },
  async run(ctx, rt) {
    const sample = await ctx.sample()
    const results = await mapLimit(sample.courses, ctx.settings.concurrency, async (summary: CourseSummary) => {
      const { response, doc, schemaErrors } = await ctx.preview(summary.courseId)
      ctx.donePreview(summary.courseId)
      const reasons = documentProblems(response.status, contentTypeOf(response), schemaErrors)
      if (doc && typeof doc === 'object') {
        if (doc.courseId !== summary.courseId) reasons.push(`courseId "${String(doc.courseId)}" instead of "${summary.courseId}"`)
        if (doc.durationSeconds !== summary.previewSeconds) reasons.push(`durationSeconds ${String(doc.durationSeconds)} but the list declares previewSeconds ${String(summary.previewSeconds)}`)
      }
      // Only a failing course's exchange is kept for the evidence: every course may be sampled.
      return reasons.length > 0 ? { courseId: summary.courseId, res: response, reasons } : undefined
    }, rt.signal)
    const bad = results.filter((r) => r !== undefined)
    const measured = { sampled: sample.courses.length, disagreeing: bad.length }
    const evidence: Evidence[] = [note(sample.statement.confidence)]
    for (const b of bad.slice(0, 10)) evidence.push(exchangeEvidence(b.res, `${b.courseId}: ${listText(b.reasons).slice(0, 400)}`))
    if (bad.length > 0) {
      const first = bad[0]!
      return fail({ 'zh-CN': `${bad.length}/${sample.courses.length} 门抽样课程的试看信息不符合规范，如 ${first.courseId}：${listText(first.reasons)}`, en: `${bad.length} of ${sample.courses.length} sampled preview documents are off-contract, e.g. ${first.courseId}: ${listText(first.reasons)}` }, { evidence, measured, reproduce: reproduce(first.res) })
    }
    return pass({ 'zh-CN': `抽查的 ${sample.courses.length} 份试看文档符合规范且与声明时长一致`, en: `${sample.courses.length} sampled preview document(s) validate and match the declared length` }, { evidence, measured })
  },
})

function simpleDocumentCheck(def: { id: string; title: CheckDefinition['title']; does: NonNullable<CheckDefinition['does']>; failureMeans: NonNullable<CheckDefinition['failureMeans']>; path: string; schema: string; requirementIds: readonly [string, ...string[]]; kinds: readonly ('on-demand' | 'self-hosted')[] }): CheckDefinition<ProbeContext> {
  return defineCheck<ProbeContext>({
    id: def.id,
    requirementIds: def.requirementIds,
    severity: 'must',
    kinds: def.kinds,
    subject: 'platform',
    title: def.title,
    does: def.does,
    failureMeans: def.failureMeans,
    async run(ctx, rt) {
      const res = await ctx.client.request({ url: ctx.url(def.path), signal: rt.signal })
      const errors = res.status === 200 ? schemas().validate(def.schema, res.json).errors : []
      const reasons = documentProblems(res.status, contentTypeOf(res), errors)
      const evidence = [exchangeEvidence(res)]
      const measured = { status: res.status, schemaErrors: errors.length }
      if (reasons.length > 0) {
        return fail({ 'zh-CN': `GET ${def.path} 不符合规范：${listText(reasons)}`, en: `GET ${def.path} is off-contract: ${listText(reasons)}` }, { evidence, measured, reproduce: reproduce(res) })
      }
      return pass({ 'zh-CN': `GET ${def.path} 符合 ${def.schema}.schema.json`, en: `GET ${def.path} validates against ${def.schema}.schema.json` }, { evidence, measured })
    },
  })
}

export const learningRecordsCheck = simpleDocumentCheck({
  id: 'contract.learning-records',
  requirementIds: ['R7'],
  kinds: BOTH,
  path: '/v1/learning-records?limit=100',
  schema: 'learning-record-page',
  title: { 'zh-CN': '学习记录分页符合规范', en: 'Learning-record pages match the specification' },
  does: { 'zh-CN': '读取 GET /v1/learning-records 的一页，核对状态、Content-Type 与 learning-record-page.schema.json。', en: 'Reads one page of GET /v1/learning-records and checks its status, content type and learning-record-page.schema.json.' },
  failureMeans: { 'zh-CN': '学习记录接口不符合规范：管理平台无法拉取学习记录。', en: 'The learning-record feed is off-contract: the management platform cannot pull learning records.' },
})

export const retentionPolicyDocumentCheck = simpleDocumentCheck({
  id: 'contract.retention-policy',
  requirementIds: ['R7', 'R5.3-5b'],
  kinds: ['self-hosted'],
  path: '/v1/storage/retention-policy',
  schema: 'retention-policy',
  title: { 'zh-CN': '存储保存策略接口符合规范', en: 'The retention-policy document matches the specification' },
  does: { 'zh-CN': '读取 GET /v1/storage/retention-policy，核对状态、Content-Type 与 retention-policy.schema.json。', en: 'Reads GET /v1/storage/retention-policy and checks its status, content type and retention-policy.schema.json.' },
  failureMeans: { 'zh-CN': '保存策略文档缺失或不符合规范：无法核对保存期限规则。', en: 'The retention policy is missing or off-contract: the retention rules cannot be checked against it.' },
})

/** Opaque by the spec's grammar (so no parameter validator refuses it first) and never issued. */
export const INVALID_CURSOR = 'skillgate-probe.not-a-cursor.0'
export const UNKNOWN_COURSE_ID = 'skillgate-probe-no-such-course'

export const badInputCheck = defineCheck<ProbeContext>({
  id: 'contract.errors',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '错误输入返回带规范错误码的 problem+json', en: 'Bad input gets problem+json with a documented code' },
  does: { 'zh-CN': '发送无效游标与不存在的课程标识，核对分别返回 400 SG_ERR_BAD_CURSOR 与 404 SG_ERR_NOT_FOUND，且均为符合 problem.schema.json 的 application/problem+json。', en: 'Sends an invalid cursor and an unknown course id and checks for 400 SG_ERR_BAD_CURSOR and 404 SG_ERR_NOT_FOUND, each application/problem+json valid against problem.schema.json.' },
  failureMeans: { 'zh-CN': '错误输入没有得到规范的错误答复：调用方无法区分自身错误与平台故障。', en: 'Bad input does not get a documented problem: a caller cannot tell its own mistakes from platform faults.' },
  async run(ctx, rt) {
    const cases = [
      { label: 'an invalid cursor', url: ctx.url('/v1/courses', { cursor: INVALID_CURSOR }), status: 400, codes: ['SG_ERR_BAD_CURSOR'] },
      { label: 'an unknown course id', url: ctx.url(`/v1/courses/${UNKNOWN_COURSE_ID}`), status: 404, codes: ['SG_ERR_NOT_FOUND'] },
    ]
    const outcomes = []
    for (const c of cases) {
      const res = await ctx.client.request({ url: c.url, signal: rt.signal })
      outcomes.push({ ...c, res, verdict: judgeProblem(res, c) })
    }
    const evidence = outcomes.map((o) => exchangeEvidence(o.res, `${o.label}: ${o.res.status} ${contentTypeOf(o.res) || '(no content type)'}${o.verdict.code ? ` ${o.verdict.code}` : ''}`))
    const measured = Object.fromEntries(outcomes.map((o) => [o.label, { status: o.res.status, contentType: contentTypeOf(o.res), code: o.verdict.code ?? null }]))
    const bad = outcomes.filter((o) => !o.verdict.ok)
    if (bad.length > 0) {
      const text = bad.map((o) => `${o.label} → ${listText(o.verdict.reasons)}`).join(' | ')
      return fail({ 'zh-CN': `错误输入未按规范返回 problem+json：${text}`, en: `Bad input is not answered with a documented problem+json: ${text}` }, { evidence, measured, reproduce: reproduce(bad[0]!.res) })
    }
    return pass({ 'zh-CN': '无效游标返回 400 SG_ERR_BAD_CURSOR，未知课程返回 404 SG_ERR_NOT_FOUND，均为 problem+json', en: 'an invalid cursor gets 400 SG_ERR_BAD_CURSOR and an unknown course 404 SG_ERR_NOT_FOUND, both problem+json' }, { evidence, measured })
  },
})

export const contractChecks: readonly CheckDefinition<ProbeContext>[] = [
  serviceInfoCheck,
  cataloguePagesCheck,
  paginationCheck,
  incrementalCheck,
  courseDetailCheck,
  previewDocumentCheck,
  learningRecordsCheck,
  retentionPolicyDocumentCheck,
  badInputCheck,
]
