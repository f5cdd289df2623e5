// The course centre's review side (R13, R14): reviewers approve pending course versions (which
// then go live, replacing the provider's previous live version of the same course in the same
// transaction), reject them with reasons, and take live courses down with reasons. Every change is
// one transaction with its audit-log entry; the status guard in each UPDATE makes a concurrent
// second decision a 409 instead of a double publish.
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { Store } from '../store/open-store.js'
import type { CourseRow, CourseStatus, Database } from '../store/schema.js'

export interface CourseView {
  id: string
  source: 'package' | 'sync'
  providerId: string
  courseId: string
  version: number
  status: CourseStatus
  title: string
  category: string
  free: boolean
  packageId: string | null
  previewSha256: string | null
  previewSeconds: number | null
  proofSha256: string | null
  reasons: string[]
  reviewedBy: string | null
  reviewedAt: number | null
  publishedAt: number | null
  createdAt: number
}

export const toCourseView = (r: CourseRow): CourseView => ({
  id: r.id, source: r.source, providerId: r.provider_id, courseId: r.course_id, version: r.version, status: r.status, title: r.title_zh,
  category: r.category, free: r.free === 1, packageId: r.package_id, previewSha256: r.preview_sha256, previewSeconds: r.preview_seconds,
  proofSha256: r.proof_sha256, reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [], reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at,
  publishedAt: r.published_at, createdAt: r.created_at,
})

export class CourseCentre {
  readonly #store: Store
  readonly #audit: AuditLog
  readonly #now: () => number

  constructor(o: { store: Store; audit: AuditLog; now?: () => number }) {
    this.#store = o.store
    this.#audit = o.audit
    this.#now = o.now ?? Date.now
  }

  /** The review queue, oldest first. */
  async pending(opts: { limit?: number; providerId?: string } = {}): Promise<CourseView[]> {
    let q = this.#store.db.selectFrom('courses').selectAll().where('status', '=', 'pending')
    if (opts.providerId) q = q.where('provider_id', '=', opts.providerId)
    const rows = await q.orderBy('created_at').orderBy('id').limit(Math.min(opts.limit ?? 100, 500)).execute()
    return rows.map(toCourseView)
  }

  /** Live courses (what the course centre shows), optionally of one provider. */
  async live(opts: { providerId?: string } = {}): Promise<CourseView[]> {
    let q = this.#store.db.selectFrom('courses').selectAll().where('status', '=', 'live')
    if (opts.providerId) q = q.where('provider_id', '=', opts.providerId)
    return (await q.orderBy('provider_id').orderBy('course_id').execute()).map(toCourseView)
  }

  async get(id: string): Promise<CourseView> {
    const row = await this.#store.db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw sgError('SG_ERR_COURSE_NOT_FOUND', id.slice(0, 80))
    return toCourseView(row)
  }

  /** R13: publish a pending version; the previous live version of the course is superseded at the same instant. */
  async approve(id: string, actor: string): Promise<CourseView> {
    return this.#store.transaction(async (trx) => {
      const row = await this.#load(trx, id, 'pending', 'approve')
      const current = await trx.selectFrom('courses').select(['id', 'version']).where('provider_id', '=', row.provider_id).where('course_id', '=', row.course_id)
        .where('status', '=', 'live').execute()
      if (current.some((c) => c.version > row.version)) {
        throw sgError('SG_ERR_COURSE_STATE', `version ${row.version} is older than the live version ${Math.max(...current.map((c) => c.version))}`, { status: row.status })
      }
      const now = this.#now()
      for (const c of current) {
        await trx.updateTable('courses').set({ status: 'superseded', updated_at: now }).where('id', '=', c.id).where('status', '=', 'live').execute()
      }
      await this.#set(trx, row, 'pending', { status: 'live', reviewed_by: actor, reviewed_at: now, published_at: now, updated_at: now })
      await this.#audit.append({ actor, action: 'course.approved', subjectType: 'course', subjectId: id, at: now, data: { providerId: row.provider_id, courseId: row.course_id, version: row.version, superseded: current.map((c) => c.id), requirementIds: ['R13'] } }, trx)
      return toCourseView({ ...row, status: 'live', reviewed_by: actor, reviewed_at: now, published_at: now, updated_at: now })
    })
  }

  /** R14: a non-conforming version is rejected with reasons; a live version, if any, stays live. */
  async reject(id: string, actor: string, reasons: readonly string[]): Promise<CourseView> {
    return this.#decide(id, actor, 'pending', 'rejected', 'course.rejected', reasons)
  }

  /** R14: take a live course down with reasons. */
  async takedown(id: string, actor: string, reasons: readonly string[]): Promise<CourseView> {
    return this.#decide(id, actor, 'live', 'taken-down', 'course.taken-down', reasons)
  }

  async #decide(id: string, actor: string, from: CourseStatus, to: CourseStatus, action: string, reasons: readonly string[]): Promise<CourseView> {
    if (reasons.length === 0 || reasons.some((r) => r.trim() === '')) throw sgError('SG_ERR_VALIDATION', 'give at least one non-empty reason')
    return this.#store.transaction(async (trx) => {
      const row = await this.#load(trx, id, from, action)
      const now = this.#now()
      const patch = { status: to, reasons: JSON.stringify(reasons), reviewed_by: actor, reviewed_at: now, updated_at: now }
      await this.#set(trx, row, from, patch)
      await this.#audit.append({ actor, action, subjectType: 'course', subjectId: id, at: now, data: { providerId: row.provider_id, courseId: row.course_id, version: row.version, from, to, reasons, requirementIds: ['R14'] } }, trx)
      return toCourseView({ ...row, ...patch })
    })
  }

  async #load(trx: Transaction<Database>, id: string, expected: CourseStatus, action: string): Promise<CourseRow> {
    let q = trx.selectFrom('courses').selectAll().where('id', '=', id)
    if (this.#store.dialect === 'postgres') q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (!row) throw sgError('SG_ERR_COURSE_NOT_FOUND', id.slice(0, 80))
    if (row.status !== expected) throw sgError('SG_ERR_COURSE_STATE', `${action} needs a ${expected} course; this one is ${row.status}`, { status: row.status })
    return row
  }

  async #set(trx: Transaction<Database>, row: CourseRow, from: CourseStatus, patch: Partial<CourseRow>): Promise<void> {
    const r = await trx.updateTable('courses').set(patch).where('id', '=', row.id).where('status', '=', from).executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw sgError('SG_ERR_COURSE_STATE', `the course left state ${from}`, { status: from })
  }
}
