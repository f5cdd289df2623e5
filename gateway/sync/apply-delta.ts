// Phase two of a catalogue sync: the whole delta in one transaction (upserts, tombstone removals and
// the new updatedSince together), so readers see the catalogue before or after a sync, never half.
import type { Transaction } from 'kysely'
import type { Database } from '../store/schema.js'
import type { CatalogueDelta, CourseSummary } from './collect-delta.js'
import { normaliseTitle } from './normalise-title.js'

const CHUNK = 100

export const centreCourseId = (providerId: string, courseId: string): string => `${providerId}:${courseId}`

export async function applyDelta(trx: Transaction<Database>, providerId: string, delta: CatalogueDelta, now: number): Promise<{ upserted: number; removed: number }> {
  // The last occurrence of a course wins (a course updated during the walk is listed twice).
  const latest = new Map<string, CourseSummary>()
  for (const item of delta.items) latest.set(item.courseId, item)
  const rows = [...latest.values()].map((c) => ({
    id: centreCourseId(providerId, c.courseId),
    provider_id: providerId,
    course_id: c.courseId,
    source: 'sync' as const,
    title_zh: c.title['zh-CN'],
    title_en: c.title.en ?? null,
    title_norm: normaliseTitle(c.title['zh-CN']),
    category: c.category,
    occupation_code: c.occupationCode ?? null,
    free: c.fee.free ? 1 : 0,
    price_fen: c.fee.free ? null : (c.fee.price?.amountFen ?? null),
    duration_seconds: c.durationSeconds,
    lesson_count: c.lessonCount,
    preview_seconds: c.previewSeconds,
    provider_updated_at: c.updatedAt,
    status: 'live',
    created_at: now,
    updated_at: now,
  }))
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx.insertInto('centre_courses').values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
        // A course closed to new learners (exit) or taken down (R14) stays so whatever the provider sends.
        title_zh: eb.ref('excluded.title_zh'),
        title_en: eb.ref('excluded.title_en'),
        title_norm: eb.ref('excluded.title_norm'),
        category: eb.ref('excluded.category'),
        occupation_code: eb.ref('excluded.occupation_code'),
        free: eb.ref('excluded.free'),
        price_fen: eb.ref('excluded.price_fen'),
        duration_seconds: eb.ref('excluded.duration_seconds'),
        lesson_count: eb.ref('excluded.lesson_count'),
        preview_seconds: eb.ref('excluded.preview_seconds'),
        provider_updated_at: eb.ref('excluded.provider_updated_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })))
      .execute()
  }
  const gone = [...new Set(delta.tombstones.map((t) => t.courseId))].filter((id) => !latest.has(id) || tombstonedAfter(delta, id))
  let removed = 0
  for (let i = 0; i < gone.length; i += CHUNK) {
    const r = await trx.deleteFrom('centre_courses').where('provider_id', '=', providerId).where('source', '=', 'sync')
      .where('course_id', 'in', gone.slice(i, i + CHUNK)).executeTakeFirst()
    removed += Number(r.numDeletedRows)
  }
  return { upserted: rows.length, removed }
}

// A course both listed and tombstoned in one delta: the later event wins (timestamps are RFC 3339
// with offsets, so compare instants, not strings).
function tombstonedAfter(delta: CatalogueDelta, courseId: string): boolean {
  const item = delta.items.findLast((c) => c.courseId === courseId)
  const tomb = delta.tombstones.findLast((t) => t.courseId === courseId)
  return item !== undefined && tomb !== undefined && Date.parse(tomb.removedAt) > Date.parse(item.updatedAt)
}
