// The rules of the specification that one document shows by itself, applied by `skillgate spec
// validate` after the schema: a category the training catalogue lists, a preview of at least 600 s,
// declared fields that agree with what the same document states. Each rule names the requirement
// and the kit check that enforces it over the wire. Rules that need more than one document (list
// against detail, the media itself, the whole catalogue) are named as not applied, never passed.
import { isValidCategory } from './categories.js'

export interface Bilingual { 'zh-CN': string; en: string }

export interface DocumentRule {
  id: string
  requirementIds: string[]
  text: Bilingual
  /** The kit check that enforces the same rule on a live platform or package. */
  checkId?: string
  /** Problems in `doc` (empty when the rule holds). Defensive: the document may fail its schema. */
  judge(doc: Record<string, unknown>): string[]
}

export interface RuleNotApplied { checkId: string; why: Bilingual }

type Doc = Record<string, unknown>
const obj = (v: unknown): Doc | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined)
const list = (v: unknown): Doc[] => (Array.isArray(v) ? v.flatMap((x) => (obj(x) ? [x as Doc] : [])) : [])
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const MIN_PREVIEW_SECONDS = 600
const MIN_RETENTION_DAYS = 1095

function categoryProblems(c: Doc, where = ''): string[] {
  const out: string[] = []
  const id = typeof c.courseId === 'string' ? `${c.courseId}: ` : where
  if (typeof c.category === 'string' && !isValidCategory(c.category)) out.push(`${id}category "${c.category}" is not in the training catalogue (categories/categories.json)`)
  const occ = c.occupationCode
  if (typeof occ === 'string') {
    if (!isValidCategory(occ, { level: 'occupation' })) out.push(`${id}occupationCode "${occ}" is not a listed occupation`)
    else if (typeof c.category === 'string' && !occ.startsWith(`${c.category}-`)) out.push(`${id}occupationCode "${occ}" is not under category "${c.category}"`)
  }
  return out
}

function shortPreviews(c: Doc): string[] {
  const id = typeof c.courseId === 'string' ? `${c.courseId}: ` : ''
  const declared: Array<[string, unknown]> = [['previewSeconds', c.previewSeconds], ['preview.durationSeconds', obj(c.preview)?.durationSeconds]]
  return declared.flatMap(([name, v]) => (num(v) !== undefined && num(v)! < MIN_PREVIEW_SECONDS ? [`${id}${name} is ${String(v)} s, at least ${MIN_PREVIEW_SECONDS} s required`] : []))
}

const courses = (doc: Doc, schema: string): Doc[] => (schema === 'catalogue-page' ? list(doc.items) : schema === 'package-manifest' ? list(doc.courses) : [doc])

function rulesFor(schema: string): DocumentRule[] {
  const category: DocumentRule = {
    id: 'course.category-listed', requirementIds: ['R16'], checkId: schema === 'package-manifest' ? 'package.category' : 'catalogue.category-codes',
    text: { 'zh-CN': 'category 为培训目录中已列出的代码；occupationCode（如有）为目录中的职业代码且位于 category 之下', en: 'category is a listed training-catalogue code; occupationCode, when given, is a listed occupation under category' },
    judge: (doc) => courses(doc, schema).flatMap((c) => categoryProblems(c)),
  }
  const preview: DocumentRule = {
    id: 'course.preview-length', requirementIds: [schema === 'package-manifest' ? 'R5.2-2' : 'R5.1-3'], checkId: schema === 'package-manifest' ? 'package.preview' : 'preview.declared-length',
    text: { 'zh-CN': '声明的免费试看不少于 600 秒', en: 'the declared free preview is at least 600 s' },
    judge: (doc) => (schema === 'preview'
      ? (num(doc.durationSeconds) !== undefined && num(doc.durationSeconds)! < MIN_PREVIEW_SECONDS ? [`durationSeconds is ${String(doc.durationSeconds)} s, at least ${MIN_PREVIEW_SECONDS} s required`] : [])
      : courses(doc, schema).flatMap(shortPreviews)),
  }
  const detailAgrees: DocumentRule = {
    id: 'course.declared-fields-agree', requirementIds: ['R7'],
    text: { 'zh-CN': 'previewSeconds 等于 preview.durationSeconds；lessonCount 等于课节数；durationSeconds 等于各课节时长之和', en: 'previewSeconds equals preview.durationSeconds; lessonCount is the number of lessons; durationSeconds is the sum of the lessons\u2019 durationSeconds' },
    judge: (doc) => {
      const out: string[] = []
      const lessons = list(doc.lessons)
      const p = obj(doc.preview)
      if (num(doc.previewSeconds) !== undefined && num(p?.durationSeconds) !== undefined && doc.previewSeconds !== p!.durationSeconds) out.push(`previewSeconds ${String(doc.previewSeconds)} but preview.durationSeconds ${String(p!.durationSeconds)}`)
      if (num(doc.lessonCount) !== undefined && Array.isArray(doc.lessons) && doc.lessonCount !== lessons.length) out.push(`lessonCount ${String(doc.lessonCount)} but ${lessons.length} lesson(s)`)
      const sum = lessons.reduce((a, l) => a + (num(l.durationSeconds) ?? 0), 0)
      if (num(doc.durationSeconds) !== undefined && lessons.length > 0 && doc.durationSeconds !== sum) out.push(`durationSeconds ${String(doc.durationSeconds)} but the lessons add up to ${sum}`)
      return out
    },
  }
  const pageOrder: DocumentRule = {
    id: 'catalogue.page-order', requirementIds: ['R7'], checkId: 'contract.pagination',
    text: { 'zh-CN': '本页条目按 (updatedAt, courseId) 排序、不重复，items 与 tombstones 合计不超过 200', en: 'entries are in (updatedAt, courseId) order without repeats, items and tombstones together at most 200' },
    judge: (doc) => {
      const items = list(doc.items)
      const out: string[] = []
      const seen = new Set<unknown>()
      items.forEach((c, i) => {
        if (seen.has(c.courseId)) out.push(`${String(c.courseId)} is listed twice`)
        seen.add(c.courseId)
        const prev = items[i - 1]
        if (!prev) return
        const a = Date.parse(String(prev.updatedAt))
        const b = Date.parse(String(c.updatedAt))
        if (b < a || (a === b && String(c.courseId) <= String(prev.courseId))) out.push(`${String(c.courseId)} comes after ${String(prev.courseId)} out of (updatedAt, courseId) order`)
      })
      const total = items.length + list(doc.tombstones).length
      if (total > 200) out.push(`${total} entries, at most 200 (items and tombstones together)`)
      return out
    },
  }
  const apiHost: DocumentRule = {
    id: 'service.api-host-declared', requirementIds: ['R20-3'], checkId: 'location.hosts',
    text: { 'zh-CN': 'platform.baseUrl 的主机列在 declaredHosts 中', en: 'the host of platform.baseUrl is listed in declaredHosts' },
    judge: (doc) => {
      let host: string | undefined
      try { host = new URL(String(obj(doc.platform)?.baseUrl)).hostname.toLowerCase() } catch { return [] }
      const declared = list(doc.declaredHosts).map((h) => String(h.host).toLowerCase())
      return declared.includes(host) ? [] : [`${host} (platform.baseUrl) is not in declaredHosts`]
    },
  }
  const retention: DocumentRule = {
    id: 'retention.three-years', requirementIds: ['R5.3-5b'], checkId: schema === 'stored-object' ? 'selfhosted.retain-until' : 'selfhosted.retention-policy',
    text: { 'zh-CN': '租户课程至少保存 1095 天且拒绝提前删除', en: 'tenant courses are kept at least 1095 days and early deletion is refused' },
    judge: (doc) => {
      if (schema === 'stored-object') {
        const days = (Date.parse(String(doc.retainUntil)) - Date.parse(String(doc.uploadedAt))) / 86_400_000
        return Number.isFinite(days) && days < MIN_RETENTION_DAYS ? [`retainUntil is ${Math.floor(days)} days after uploadedAt, at least ${MIN_RETENTION_DAYS} required`] : []
      }
      const out: string[] = []
      if (num(doc.minimumRetentionDays) !== undefined && num(doc.minimumRetentionDays)! < MIN_RETENTION_DAYS) out.push(`minimumRetentionDays is ${String(doc.minimumRetentionDays)}, at least ${MIN_RETENTION_DAYS} required`)
      if (doc.earlyDeletion !== undefined && doc.earlyDeletion !== 'refused') out.push(`earlyDeletion is ${JSON.stringify(doc.earlyDeletion)}, "refused" required`)
      if (Array.isArray(doc.appliesTo) && !doc.appliesTo.includes('tenant-courses')) out.push('appliesTo does not include "tenant-courses"')
      return out
    },
  }
  const table: Record<string, DocumentRule[]> = {
    'course-summary': [category, preview],
    'course-detail': [category, preview, detailAgrees],
    'catalogue-page': [category, preview, pageOrder],
    preview: [preview],
    'package-manifest': [category, preview],
    'service-info': [apiHost],
    'retention-policy': [retention],
    'stored-object': [retention],
  }
  return table[schema] ?? []
}

const NEEDS_PLATFORM: Bilingual = { 'zh-CN': '需要在线平台：运行 skillgate probe', en: 'needs the live platform: run skillgate probe' }
const NOT_APPLIED: Record<string, RuleNotApplied[]> = {
  'course-summary': [{ checkId: 'contract.course-detail', why: { 'zh-CN': '与课程详情一致，需要详情文档', en: 'agreement with the course detail needs that document' } }, { checkId: 'catalogue.free-share', why: { 'zh-CN': '免费占比需要完整目录', en: 'the free share needs the whole catalogue' } }],
  'course-detail': [
    { checkId: 'contract.course-detail', why: { 'zh-CN': '与目录条目一致，需要目录页', en: 'agreement with the catalogue entry needs the catalogue page' } },
    { checkId: 'contract.preview-document', why: { 'zh-CN': '与试看信息一致，需要试看信息文档', en: 'agreement with the preview document needs that document' } },
    { checkId: 'preview.media-duration', why: { 'zh-CN': '试看媒体实测时长需要媒体本身', en: 'the measured preview length needs the media' } },
  ],
  'catalogue-page': [{ checkId: 'contract.pagination', why: { 'zh-CN': '跨页的完整性与顺序需要全部页面', en: 'wholeness and order across pages need every page' } }, { checkId: 'catalogue.count', why: { 'zh-CN': '课程数量需要完整目录', en: 'the course count needs the whole catalogue' } }, { checkId: 'catalogue.free-share', why: { 'zh-CN': '免费占比需要完整目录', en: 'the free share needs the whole catalogue' } }],
  preview: [{ checkId: 'preview.media-duration', why: { 'zh-CN': '试看媒体实测时长需要媒体本身', en: 'the measured preview length needs the media' } }, { checkId: 'contract.preview-document', why: { 'zh-CN': '与目录和详情一致，需要这两个文档', en: 'agreement with the list and the detail needs those documents' } }],
  'package-manifest': [{ checkId: 'package.media', why: { 'zh-CN': '媒体实测需要课程包：运行 skillgate check-package', en: 'measuring media needs the package: run skillgate check-package' } }, { checkId: 'package.course-count', why: { 'zh-CN': '课程数量需要课程包与已上线课程', en: 'the course count needs the package and the live courses' } }],
  'service-info': [{ checkId: 'location.hosts', why: { 'zh-CN': '服务器所在地与实际访问到的主机需要在线平台', en: 'where the servers are and which hosts are reached need the live platform' } }, { checkId: 'service.contact', why: NEEDS_PLATFORM }],
  'retention-policy': [{ checkId: 'selfhosted.early-delete-refused', why: { 'zh-CN': '是否真正拒绝提前删除需要在线平台', en: 'whether early deletion is really refused needs the live platform' } }],
  'stored-object': [{ checkId: 'selfhosted.privacy-cross-tenant', why: NEEDS_PLATFORM }],
}

export interface RuleOutcome { rule: DocumentRule; problems: string[] }

/** The rules `schema` documents are judged on here, their outcome for `doc`, and the rules left to the kit. */
export function applyDocumentRules(schema: string, doc: unknown): { outcomes: RuleOutcome[]; notApplied: RuleNotApplied[] } {
  const d = obj(doc) ?? {}
  return { outcomes: rulesFor(schema).map((rule) => ({ rule, problems: rule.judge(d) })), notApplied: NOT_APPLIED[schema] ?? [] }
}
