// The course centre (课程中心): one list over courses synced from provider APIs and courses published
// from reviewed packages (R13, R16). Hidden: courses taken down (R14) or closed to new learners
// (exit, R18), and every course of a suspended or exited provider (R19, R20).
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
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

const encodeCursor = (id: string): string => Buffer.from(JSON.stringify({ a: id }), 'utf8').toString('base64url')
function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown }
    if (typeof parsed.a === 'string') return parsed.a
  } catch { /* fall through: any undecodable cursor is the client's error */ }
  throw sgError('SG_ERR_BAD_CURSOR', 'use the nextCursor of the previous page')
}

export async function listCentreCourses(db: Kysely<Database>, query: CourseQuery): Promise<{ items: CentreCourse[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, query.limit ?? 20), MAX_COURSE_PAGE)
  let q = db.selectFrom('centre_courses as c')
    .leftJoin('provider_status as s', 's.provider_id', 'c.provider_id')
    .selectAll('c')
    .where('c.status', '=', 'live')
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'not in', HIDDEN_PROVIDER_STATUSES)]))
  if (query.category !== undefined) q = q.where('c.category', '=', query.category)
  if (query.occupationCode !== undefined) q = q.where('c.occupation_code', '=', query.occupationCode)
  if (query.free !== undefined) q = q.where('c.free', '=', query.free ? 1 : 0)
  if (query.providerId !== undefined) q = q.where('c.provider_id', '=', query.providerId)
  if (query.q !== undefined && normaliseTitle(query.q) !== '') {
    const pattern = containsPattern(query.q)
    q = q.where(sql<boolean>`c.title_norm like ${pattern} escape '\\'`)
  }
  if (query.cursor !== undefined) q = q.where('c.id', '>', decodeCursor(query.cursor))
  const rows = await q.orderBy('c.id').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      id: r.id,
      providerId: r.provider_id,
      courseId: r.course_id,
      source: r.source,
      title: r.title_en === null ? { 'zh-CN': r.title_zh } : { 'zh-CN': r.title_zh, en: r.title_en },
      category: r.category,
      occupationCode: r.occupation_code,
      free: r.free === 1,
      priceFen: r.price_fen,
      durationSeconds: r.duration_seconds,
      lessonCount: r.lesson_count,
      previewSeconds: r.preview_seconds,
      updatedAt: r.provider_updated_at,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  }
}

export interface PackageCourseInput {
  providerId: string
  courseId: string
  title: { 'zh-CN': string; en?: string }
  category: string
  occupationCode?: string
  free: boolean
  priceFen?: number
  durationSeconds: number
  lessonCount: number
  previewSeconds: number
  /** RFC 3339 */
  updatedAt: string
}

/** For the package ingest (R13): a reviewer-approved course goes live in the course centre. Pass the ingest's transaction. */
export async function publishPackageCourse(db: Kysely<Database>, c: PackageCourseInput, now: number = Date.now()): Promise<void> {
  const row = {
    id: centreCourseId(c.providerId, c.courseId), provider_id: c.providerId, course_id: c.courseId, source: 'package' as const,
    title_zh: c.title['zh-CN'], title_en: c.title.en ?? null, title_norm: normaliseTitle(c.title['zh-CN']),
    category: c.category, occupation_code: c.occupationCode ?? null, free: c.free ? 1 : 0, price_fen: c.free ? null : (c.priceFen ?? null),
    duration_seconds: c.durationSeconds, lesson_count: c.lessonCount, preview_seconds: c.previewSeconds,
    provider_updated_at: c.updatedAt, status: 'live', created_at: now, updated_at: now,
  }
  const { id: _id, created_at: _created, ...update } = row
  await db.insertInto('centre_courses').values(row).onConflict((oc) => oc.column('id').doUpdateSet(update)).execute()
}

/** R14: a course taken down by a reviewer (package or synced) disappears from the centre; sync does not revive it. */
export async function setCentreCourseStatus(db: Kysely<Database>, providerId: string, courseId: string, status: 'live' | 'taken-down' | 'closed', now: number = Date.now()): Promise<boolean> {
  const r = await db.updateTable('centre_courses').set({ status, updated_at: now }).where('id', '=', centreCourseId(providerId, courseId)).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
