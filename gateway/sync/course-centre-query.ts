// The course centre (课程中心): one list over courses synced from provider APIs and courses published
// from reviewed packages (R13, R16). Only admitted providers (application 'active', R12) are listed:
// a resource provider uploads, and its courses may be approved, from the conformance state on (its
// packages are what admission judges), but they go public only once it is admitted. Hidden too:
// courses taken down (R14) or closed to new learners (exit, R18), and every course of a suspended
// or exited provider (R19, R20).
import { sql } from 'kysely'
import type { ExpressionBuilder, Kysely } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Database, ProviderOperatingStatus } from '../store/schema.js'
import { centreCourseId } from './apply-delta.js'
import { containsPattern, normaliseTitle } from './normalise-title.js'

export interface CourseQuery {
  category?: string
  occupationCode?: string
  free?: boolean
  providerId?: string
  /** Text search in Chinese (or English) titles, after the same normalisation as stored titles. */
  q?: string
  cursor?: string
  limit?: number
}

export interface CentreCourse {
  id: string
  providerId: string
  courseId: string
  source: 'package' | 'sync'
  title: { 'zh-CN': string; en?: string }
  category: string
  occupationCode: string | null
  free: boolean
  priceFen: number | null
  durationSeconds: number
  lessonCount: number
  previewSeconds: number
  updatedAt: string
}

export const MAX_COURSE_PAGE = 100
const HIDDEN_PROVIDER_STATUSES: ProviderOperatingStatus[] = ['suspended', 'exited']

/** R12: the course's provider holds an active (admitted) application. */
const admittedProvider = (eb: ExpressionBuilder<Database & { c: { provider_id: string } }, 'c'>) =>
  eb.exists(eb.selectFrom('applications as a').select('a.id').whereRef('a.provider_id', '=', 'c.provider_id').where('a.state', '=', 'active'))

// Two sources, one list: courses synced from provider APIs (centre_courses, this module) and
// package courses approved by reviewers (the ingest's `courses` table, status 'live'). A page is
// filled from the synced source first, then from the package source; the cursor says which source
// and the last id, so each source pages by its own index on both engines.
type Source = 'sync' | 'package'
const encodeCursor = (src: Source, id: string): string => Buffer.from(JSON.stringify({ s: src, a: id }), 'utf8').toString('base64url')
function decodeCursor(cursor: string): { src: Source; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; a?: unknown }
    if ((parsed.s === 'sync' || parsed.s === 'package') && typeof parsed.a === 'string') return { src: parsed.s, after: parsed.a }
  } catch { /* fall through: any undecodable cursor is the client's error */ }
  throw sgError('SG_ERR_BAD_CURSOR', 'use the nextCursor of the previous page')
}

async function syncedPage(db: Kysely<Database>, query: CourseQuery, after: string | undefined, limit: number): Promise<CentreCourse[]> {
  let q = db.selectFrom('centre_courses as c')
    .leftJoin('provider_status as s', 's.provider_id', 'c.provider_id')
    .selectAll('c')
    .where('c.status', '=', 'live')
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'not in', HIDDEN_PROVIDER_STATUSES)]))
    .where(admittedProvider)
  if (query.category !== undefined) q = q.where('c.category', '=', query.category)
  if (query.occupationCode !== undefined) q = q.where('c.occupation_code', '=', query.occupationCode)
  if (query.free !== undefined) q = q.where('c.free', '=', query.free ? 1 : 0)
  if (query.providerId !== undefined) q = q.where('c.provider_id', '=', query.providerId)
  if (query.q !== undefined && normaliseTitle(query.q) !== '') q = q.where(sql<boolean>`c.title_norm like ${containsPattern(query.q)} escape '\\'`)
  if (after !== undefined) q = q.where('c.id', '>', after)
  const rows = await q.orderBy('c.id').limit(limit).execute()
  return rows.map((r) => ({
    id: r.id, providerId: r.provider_id, courseId: r.course_id, source: r.source,
    title: r.title_en === null ? { 'zh-CN': r.title_zh } : { 'zh-CN': r.title_zh, en: r.title_en },
    category: r.category, occupationCode: r.occupation_code, free: r.free === 1, priceFen: r.price_fen,
    durationSeconds: r.duration_seconds, lessonCount: r.lesson_count, previewSeconds: r.preview_seconds, updatedAt: r.provider_updated_at,
  }))
}

async function packagePage(db: Kysely<Database>, query: CourseQuery, after: string | undefined, limit: number): Promise<CentreCourse[]> {
  // Package courses carry no occupation code column: an occupation filter lists synced courses only.
  if (query.occupationCode !== undefined) return []
  let q = db.selectFrom('courses as c')
    .leftJoin('provider_status as s', 's.provider_id', 'c.provider_id')
    .select(['c.id', 'c.provider_id', 'c.course_id', 'c.title_zh', 'c.category', 'c.free', 'c.preview_seconds', 'c.manifest', 'c.published_at', 'c.updated_at'])
    .where('c.status', '=', 'live')
    .where('c.source', '=', 'package')
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'not in', HIDDEN_PROVIDER_STATUSES)]))
    .where(admittedProvider)
  if (query.category !== undefined) q = q.where('c.category', '=', query.category)
  if (query.free !== undefined) q = q.where('c.free', '=', query.free ? 1 : 0)
  if (query.providerId !== undefined) q = q.where('c.provider_id', '=', query.providerId)
  // lower() folds ASCII alike on both engines; Chinese has no case.
  if (query.q !== undefined && normaliseTitle(query.q) !== '') q = q.where(sql<boolean>`replace(lower(c.title_zh), ' ', '') like ${containsPattern(query.q)} escape '\\'`)
  if (after !== undefined) q = q.where('c.id', '>', after)
  const rows = await q.orderBy('c.id').limit(limit).execute()
  return rows.map((r) => {
    const m = manifestCourse(r.manifest, r.course_id)
    return {
      id: r.id, providerId: r.provider_id, courseId: r.course_id, source: 'package' as const, title: { 'zh-CN': r.title_zh, ...(m.en ? { en: m.en } : {}) },
      category: r.category, occupationCode: null, free: r.free === 1, priceFen: m.priceFen, durationSeconds: m.durationSeconds, lessonCount: m.lessonCount,
      previewSeconds: Math.floor(r.preview_seconds ?? 0), updatedAt: new Date(r.published_at ?? r.updated_at).toISOString(),
    }
  })
}

// What the list shows beyond the `courses` columns, read from the stored manifest; absent fields are 0/null.
function manifestCourse(manifest: string, courseId: string): { en?: string; priceFen: number | null; durationSeconds: number; lessonCount: number } {
  try {
    const doc = JSON.parse(manifest) as Record<string, unknown>
    const list = Array.isArray(doc.courses) ? (doc.courses as Array<Record<string, unknown>>) : [doc]
    const c = list.find((x) => x.courseId === courseId) ?? list[0] ?? {}
    const lessons = Array.isArray(c.lessons) ? (c.lessons as Array<{ durationSeconds?: number }>) : []
    const title = c.title as { en?: string } | undefined
    const fee = c.fee as { price?: { amountFen?: number } } | undefined
    return {
      ...(title?.en ? { en: title.en } : {}),
      priceFen: fee?.price?.amountFen ?? null,
      durationSeconds: typeof c.durationSeconds === 'number' ? c.durationSeconds : lessons.reduce((s, l) => s + (l.durationSeconds ?? 0), 0),
      lessonCount: lessons.length,
    }
  } catch {
    return { priceFen: null, durationSeconds: 0, lessonCount: 0 }
  }
}

export async function listCentreCourses(db: Kysely<Database>, query: CourseQuery): Promise<{ items: CentreCourse[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, query.limit ?? 20), MAX_COURSE_PAGE)
  const at = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  // One row beyond the page, from whichever source still has rows, tells whether there is more.
  const items: CentreCourse[] = []
  if (at === undefined || at.src === 'sync') items.push(...await syncedPage(db, query, at?.after, limit + 1))
  if (items.length <= limit) items.push(...await packagePage(db, query, at?.src === 'package' ? at.after : undefined, limit + 1 - items.length))
  const page = items.slice(0, limit)
  const last = page.at(-1)
  return { items: page, nextCursor: items.length > limit && last ? encodeCursor(last.source, last.id) : null }
}

/** R14: a course taken down by a reviewer (package or synced) disappears from the centre; sync does not revive it. */
export async function setCentreCourseStatus(db: Kysely<Database>, providerId: string, courseId: string, status: 'live' | 'taken-down' | 'closed', now: number = Date.now()): Promise<boolean> {
  const r = await db.updateTable('centre_courses').set({ status, updated_at: now }).where('id', '=', centreCourseId(providerId, courseId)).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
