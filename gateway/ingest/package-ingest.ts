// Course-package ingest (R13): an admitted resource provider uploads a zip; it is streamed into the
// content-addressed blob store (size-capped, digest-checked), a package row and a durable job are
// written in one transaction, and the job runs the same `inspectPackage` as `skillgate
// check-package`. Courses that pass enter the review queue, and they appear ONLY in the job's final
// transaction (package row → checked, course rows, audit entry), which is fenced on the package
// still being unfinished: a crashed or duplicated run can neither half-publish nor publish twice.
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { inspectPackage } from '../../conformance/package/package-check.js'
import { sealReport, serializeReport } from '../../conformance/report/json.js'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { AuditLog } from '../audit/audit-log.js'
import type { BlobStore, ByteRange } from '../blobs/blob-store.js'
import { JOB_DIED, LEASE_EXPIRED } from '../jobs/job-queue.js'
import type { JobQueue } from '../jobs/job-queue.js'
import type { JobHandler } from '../jobs/worker.js'
import type { Store } from '../store/open-store.js'
import type { Database, PackageRow, PackageStatus } from '../store/schema.js'
import { assertMayUpload } from '../workflow/provider-gates.js'

export const INGEST_JOB = 'package.ingest'

export interface PackageView {
  id: string
  fileName: string
  sha256: string
  size: number
  status: PackageStatus
  verdict: string | null
  coursesInPackage: number | null
  coursesQueued: number | null
  error: string | null
  createdAt: number
  finishedAt: number | null
}

export const toPackageView = (r: PackageRow): PackageView => ({
  id: r.id, fileName: r.file_name, sha256: r.sha256, size: r.size, status: r.status, verdict: r.verdict,
  coursesInPackage: r.courses_in_package, coursesQueued: r.courses_queued, error: r.error, createdAt: r.created_at, finishedAt: r.finished_at,
})

export interface IngestOptions {
  store: Store
  blobs: BlobStore
  queue: JobQueue
  /** Parent of the per-job extraction folders. */
  sandboxDir: string
  uploadLimitBytes: number
  now?: () => number
  /** Test hook: runs after the checks, before the final transaction (the crash window under test). */
  beforeCommit?: (packageId: string) => Promise<void>
  /** ffprobe processes per ingest. */
  mediaConcurrency?: number
  /** Runs in the final transaction of a checked package (the workflow moves an application awaiting one on, R13). */
  onChecked?: (trx: Transaction<Database>, providerId: string, packageId: string) => Promise<unknown>
}

/** Application states in which a resource provider may upload packages (gateway/workflow/provider-gates.ts). */
export { UPLOAD_STATES } from '../workflow/provider-gates.js'

export class PackageIngest {
  readonly #o: IngestOptions
  readonly audit: AuditLog
  readonly #now: () => number

  constructor(o: IngestOptions) {
    this.#o = o
    this.audit = new AuditLog(o.store)
    this.#now = o.now ?? Date.now
    // A check job that dies (last attempt failed, or its worker died during it) fails its package.
    o.queue.onDead(INGEST_JOB, (job, reason, trx) => this.#settleFailed(trx, (job.payload as { packageId: string }).packageId, reason))
  }

  /** R13: a resource provider uploads while its workflow awaits or checks a package, or once admitted and operating. */
  async assertAdmitted(providerId: string): Promise<void> {
    await assertMayUpload(this.#o.store, providerId)
  }

  /**
   * Streams the upload into the blob store and queues its check. Nothing is written to the
   * database unless every byte arrived and matched `sha256`; the same bytes uploaded again by the
   * same provider return the existing package (`created: false`).
   */
  async accept(input: { providerId: string; fileName: string; sha256: string; body: Readable | AsyncIterable<Uint8Array>; actor: string }): Promise<{ pkg: PackageView; created: boolean }> {
    let put
    try {
      put = await this.#o.blobs.putExpecting(input.body, input.sha256, this.#o.uploadLimitBytes)
    } catch (err) {
      if (isSkillgateError(err) && err.code === 'SG_ERR_BLOB_TOO_LARGE') throw sgError('SG_ERR_PACKAGE_TOO_LARGE', `the limit is ${this.#o.uploadLimitBytes} bytes`, { limit: this.#o.uploadLimitBytes })
      if (isSkillgateError(err) && err.code === 'SG_ERR_BLOB_DIGEST_MISMATCH') throw sgError('SG_ERR_PACKAGE_DIGEST_MISMATCH', err.message, err.details)
      throw err
    }
    const now = this.#now()
    return this.#o.store.transaction(async (trx) => {
      const existing = await trx.selectFrom('packages').selectAll().where('provider_id', '=', input.providerId).where('sha256', '=', put.sha256)
        .where('status', '<>', 'failed').executeTakeFirst()
      // A package whose check job is dead is not "the existing package": it is failed now (it should
      // have been when the job died; this also settles one stuck before dead jobs settled their subject).
      const deadJob = existing?.job_id && existing.status !== 'checked'
        ? await trx.selectFrom('jobs').select(['status', 'last_error']).where('id', '=', existing.job_id).where('status', '=', 'dead').executeTakeFirst()
        : undefined
      if (existing && deadJob) await this.#settleFailed(trx, existing.id, `${JOB_DIED}: ${deadJob.last_error ?? LEASE_EXPIRED}`)
      else if (existing) return { pkg: toPackageView(existing), created: false }
      const id = `pkg_${randomUUID()}`
      const { job } = await this.#o.queue.enqueue({ kind: INGEST_JOB, payload: { packageId: id }, idempotencyKey: `${INGEST_JOB}:${id}`, maxAttempts: 3 }, trx)
      await trx.insertInto('packages').values({
        id, provider_id: input.providerId, file_name: input.fileName, sha256: put.sha256, size: put.size, status: 'queued', job_id: job.id,
        verdict: null, report_sha256: null, courses_in_package: null, courses_queued: null, error: null, created_at: now, updated_at: now, finished_at: null,
      }).execute()
      await this.audit.append({ actor: input.actor, action: 'package.uploaded', subjectType: 'package', subjectId: id, at: now, data: { providerId: input.providerId, sha256: put.sha256, size: put.size, fileName: input.fileName, requirementIds: ['R13'] } }, trx)
      const row = await trx.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      return { pkg: toPackageView(row), created: true }
    })
  }

  /** Provider-scoped read: another provider's package reads as absent (no IDOR). Reviewers pass no providerId. */
  async get(id: string, scope: { providerId?: string }): Promise<PackageRow> {
    let q = this.#o.store.db.selectFrom('packages').selectAll().where('id', '=', id)
    if (scope.providerId !== undefined) q = q.where('provider_id', '=', scope.providerId)
    const row = await q.executeTakeFirst()
    if (!row) throw sgError('SG_ERR_PACKAGE_NOT_FOUND', id.slice(0, 80))
    return row
  }

  /** The package's bytes (all, or `range`), for the content route; `row` comes from `get` (scoped). */
  content(row: PackageRow, range?: ByteRange): Promise<Readable> {
    return this.#o.blobs.get(row.sha256, range)
  }

  async report(id: string, scope: { providerId?: string }): Promise<Readable> {
    const row = await this.get(id, scope)
    if (!row.report_sha256) throw sgError('SG_ERR_PACKAGE_REPORT_NOT_READY', `package ${row.id} is ${row.status}`, { status: row.status })
    return this.#o.blobs.get(row.report_sha256)
  }

  /** The job handler (registered on a Worker by the ingest plugin or a worker process). */
  handler(): JobHandler<{ packageId: string }> {
    // When the last attempt fails or dies, the queue's dead hook (see the constructor) fails the package.
    return async (job, ctx) => this.run(job.payload.packageId, ctx.signal)
  }

  /** One ingest run; safe to repeat after a crash (a finished package is left alone). */
  async run(packageId: string, signal?: AbortSignal): Promise<{ packageId: string; status: PackageStatus; queued: number; already?: boolean }> {
    const { store, blobs } = this.#o
    const row = await store.db.selectFrom('packages').selectAll().where('id', '=', packageId).executeTakeFirst()
    if (!row) throw sgError('SG_ERR_PACKAGE_NOT_FOUND', packageId)
    if (row.status === 'checked' || row.status === 'failed') return { packageId, status: row.status, queued: row.courses_queued ?? 0, already: true }
    await store.db.updateTable('packages').set({ status: 'checking', updated_at: this.#now() }).where('id', '=', packageId).where('status', 'in', ['queued', 'checking']).execute()

    // A run killed mid-extraction leaves its sandbox behind; this run starts from a clean one.
    const sandboxDir = join(this.#o.sandboxDir, packageId)
    await rm(sandboxDir, { recursive: true, force: true })
    const live = await store.db.selectFrom('courses').select(['course_id', 'free']).where('provider_id', '=', row.provider_id).where('status', '=', 'live').execute()
    // A local file for the zip reader: the blob itself on disk, a spooled copy from PostgreSQL, so
    // any instance can check a package another instance received.
    const local = await blobs.localFile(row.sha256)
    const inspection = await inspectPackage(local.path, {
      sandboxDir,
      packageSha256: row.sha256,
      fileName: row.file_name,
      mode: 'gateway',
      providerCourses: live.map((c) => ({ courseId: c.course_id, free: c.free === 1 })),
      ...(this.#o.mediaConcurrency ? { mediaConcurrency: this.#o.mediaConcurrency } : {}),
    }).finally(() => local.release())
    await rm(sandboxDir, { recursive: true, force: true })
    signal?.throwIfAborted()
    const sealed = sealReport(inspection.report)
    const reportBlob = await blobs.put(Readable.from([Buffer.from(serializeReport(sealed), 'utf8')]))
    await this.#o.beforeCommit?.(packageId)
    signal?.throwIfAborted()

    const now = this.#now()
    return store.transaction(async (trx) => {
      // The fence: only the run that moves the package out of queued/checking publishes anything.
      const fenced = await trx.updateTable('packages').set({
        status: 'checked', verdict: sealed.verdict, report_sha256: reportBlob.sha256, updated_at: now, finished_at: now,
        courses_in_package: inspection.courses.length,
      }).where('id', '=', packageId).where('status', 'in', ['queued', 'checking']).executeTakeFirst()
      if (Number(fenced.numUpdatedRows) !== 1) return { packageId, status: 'checked' as const, queued: 0, already: true }
      const queued = await this.#queueCourses(trx, row, inspection, now)
      await trx.updateTable('packages').set({ courses_queued: queued.length }).where('id', '=', packageId).execute()
      await this.#o.onChecked?.(trx, row.provider_id, packageId)
      await this.audit.append({
        actor: `system:${INGEST_JOB}`, action: 'package.checked', subjectType: 'package', subjectId: packageId, at: now,
        data: { providerId: row.provider_id, verdict: sealed.verdict, reportSha256: reportBlob.sha256, reportDigest: sealed.integrity?.sha256, queued, held: inspection.courses.filter((c) => !c.passed).map((c) => ({ courseId: c.courseId, findings: c.findings.map((f) => f.checkId) })), requirementIds: ['R13'] },
      }, trx)
      return { packageId, status: 'checked' as const, queued: queued.length }
    })
  }

  /** Records that the package's check gave up for good; the provider may then upload it again. */
  async markFailed(packageId: string, error: string): Promise<void> {
    await this.#o.store.transaction((trx) => this.#settleFailed(trx, packageId, error))
  }

  async #settleFailed(trx: Transaction<Database>, packageId: string, error: string): Promise<void> {
    const now = this.#now()
    const r = await trx.updateTable('packages').set({ status: 'failed', error: error.slice(0, 2000), updated_at: now, finished_at: now })
      .where('id', '=', packageId).where('status', 'in', ['queued', 'checking']).executeTakeFirst()
    if (Number(r.numUpdatedRows) === 1) await this.audit.append({ actor: `system:${INGEST_JOB}`, action: 'package.failed', subjectType: 'package', subjectId: packageId, at: now, data: { error: error.slice(0, 500), requirementIds: ['R13'] } }, trx)
  }

  async #queueCourses(trx: Transaction<Database>, row: PackageRow, inspection: Awaited<ReturnType<typeof inspectPackage>>, now: number): Promise<string[]> {
    const queued: string[] = []
    const byId = new Map((inspection.manifest?.courses ?? []).map((c) => [c.courseId, c]))
    for (const verdict of inspection.courses.filter((c) => c.passed)) {
      const course = byId.get(verdict.courseId)
      if (!course) continue
      // A version the centre already holds (pending, live or decided) is not queued again; an
      // older version than the live one never replaces it.
      const newer = await trx.selectFrom('courses').select('id').where('source', '=', 'package').where('provider_id', '=', row.provider_id)
        .where('course_id', '=', course.courseId).where('version', '>=', course.version).executeTakeFirst()
      if (newer) continue
      const files = inspection.courseFiles.get(course.courseId)
      await trx.insertInto('courses').values({
        id: `crs_${randomUUID()}`, source: 'package', provider_id: row.provider_id, course_id: course.courseId, version: course.version, status: 'pending',
        title_zh: course.title['zh-CN'], category: course.category, free: course.fee.free ? 1 : 0, manifest: JSON.stringify(course), package_id: row.id,
        preview_sha256: files?.previewSha256 ?? null, preview_seconds: files?.previewSeconds ?? null, proof_sha256: files?.proofSha256 ?? null,
        reasons: null, reviewed_by: null, reviewed_at: null, published_at: null, created_at: now, updated_at: now,
      }).execute()
      queued.push(course.courseId)
    }
    return queued
  }
}
