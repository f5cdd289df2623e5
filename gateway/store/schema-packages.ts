// Course packages and the course centre (migration 0003-packages; gateway/ingest/), kept apart
// from schema.ts so each file stays one concern; schema.ts's Database lists these tables.
import type { Selectable } from 'kysely'
import type { EpochMs, JsonText } from './schema.js'


/** queued → checking → checked (report written, passing courses pending review) | failed (the job gave up). */
export type PackageStatus = 'queued' | 'checking' | 'checked' | 'failed'

export interface PackagesTable {
  id: string
  provider_id: string
  file_name: string
  /** The zip's blob (content-addressed). */
  sha256: string
  size: number
  status: PackageStatus
  job_id: string | null
  /** The report's verdict once checked. */
  verdict: string | null
  /** Blob holding the sealed JSON report. */
  report_sha256: string | null
  courses_in_package: number | null
  /** Courses that passed and entered the review queue. */
  courses_queued: number | null
  error: string | null
  created_at: EpochMs
  updated_at: EpochMs
  finished_at: EpochMs | null
}

/** pending (in review) → live | rejected; live → taken-down | superseded (a newer version went live). */
export type CourseStatus = 'pending' | 'live' | 'rejected' | 'taken-down' | 'superseded'

export interface CoursesTable {
  /** Record id (one per course version). */
  id: string
  source: 'package' | 'sync'
  provider_id: string
  /** The provider's own course id. */
  course_id: string
  version: number
  status: CourseStatus
  title_zh: string
  category: string
  /** 1 free, 0 paid (R5.2-3). */
  free: number
  /** The course's manifest entry (or synced detail) as JSON. */
  manifest: JsonText
  package_id: string | null
  preview_sha256: string | null
  /** Measured playable preview span (R5.2-2). */
  preview_seconds: number | null
  /** Copyright proof blob (R15). */
  proof_sha256: string | null
  /** JSON array of reasons for rejection or takedown (R14). */
  reasons: JsonText | null
  reviewed_by: string | null
  reviewed_at: EpochMs | null
  published_at: EpochMs | null
  created_at: EpochMs
  updated_at: EpochMs
}

export type PackageRow = Selectable<PackagesTable>
export type CourseRow = Selectable<CoursesTable>
