// The one typed view of the database that every gateway module queries through Kysely.
//
// Conventions (they hold for every table, on both engines, so a migration never branches on dialect):
// - Column names are snake_case; repositories map rows to camelCase domain objects.
// - Instants are integer epoch milliseconds (UTC) in `bigint` columns, named `*_at` / `*_until`.
//   SQLite stores them as INTEGER; on PostgreSQL the store registers an int8 parser so they come
//   back as JS numbers (safe until the year 287396). Calendar dates are `YYYY-MM-DD` text.
// - JSON documents are text holding JSON (never jsonb), so both engines read back the same string.
// - Identifiers we mint are text (UUIDs or content hashes); no engine-specific auto-increment.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { BlobChunksTable, BlobObjectsTable } from './schema-blobs.js'
import type { CoursesTable, PackagesTable } from './schema-packages.js'

/** Epoch milliseconds (UTC). */
export type EpochMs = number
/** Text column that holds a JSON document. */
export type JsonText = string

export type JobStatus = 'queued' | 'running' | 'done' | 'dead'

export interface JobsTable {
  id: string
  kind: string
  payload: JsonText
  status: JobStatus
  /** Unique when set: enqueueing the same key again returns the existing job. */
  idempotency_key: string | null
  run_at: EpochMs
  /** Incremented every time the job is claimed (a takeover after an expired lease counts too). */
  attempts: Generated<number>
  max_attempts: number
  locked_by: string | null
  lease_until: EpochMs | null
  last_error: string | null
  result: JsonText | null
  created_at: EpochMs
  updated_at: EpochMs
  finished_at: EpochMs | null
}

export interface NoncesTable {
  key_id: string
  nonce: string
  expires_at: EpochMs
}

export interface AuditLogTable {
  /** 1, 2, 3, … assigned under a lock by the appender, never by the engine. */
  seq: number
  at: EpochMs
  actor: string
  action: string
  subject_type: string
  subject_id: string
  /** Canonical JSON (sorted keys). */
  data: JsonText
  prev_hash: string
  hash: string
}

export interface BlobsTable {
  sha256: string
  size: number
  content_type: string | null
  created_at: EpochMs
}

export interface CalendarYearsTable {
  year: number
  /** JSON array of `YYYY-MM-DD` public holidays (days off that would otherwise be working days or weekends). */
  holidays: JsonText
  /** JSON array of `YYYY-MM-DD` make-up working days (调休上班, usually weekends). */
  workdays: JsonText
  source: string | null
  loaded_by: string
  loaded_at: EpochMs
}

export type ApiTokenRole = 'reviewer' | 'admin' | 'provider' | 'training-body'

export interface ApiTokensTable {
  id: string
  /** sha256 hex of the whole bearer token; the token itself is never stored. */
  token_hash: string
  role: ApiTokenRole
  provider_id: string | null
  /** Set for role 'training-body' (migration 0005): the 参培主体 the token speaks for. */
  training_body_id: ColumnType<string | null, string | null | undefined, string | null>
  label: string
  created_at: EpochMs
  revoked_at: ColumnType<EpochMs | null, EpochMs | null | undefined, EpochMs | null>
}

export interface Database {
  jobs: JobsTable
  nonces: NoncesTable
  audit_log: AuditLogTable
  blobs: BlobsTable
  calendar_years: CalendarYearsTable
  api_tokens: ApiTokensTable
}

export type JobRow = Selectable<JobsTable>
export type NewJobRow = Insertable<JobsTable>
export type JobRowUpdate = Updateable<JobsTable>
export type AuditRow = Selectable<AuditLogTable>
export type BlobRow = Selectable<BlobsTable>
export type CalendarYearRow = Selectable<CalendarYearsTable>
export type ApiTokenRow = Selectable<ApiTokensTable>

// ── Admission workflow (migration 0002-workflow; gateway/workflow/) ─────────────────────────────

export interface ApplicationsTable {
  id: string
  provider_id: string
  /** 'on-demand' | 'resource' | 'self-hosted' */
  kind: string
  /** A state of gateway/workflow/state-machine.ts. */
  state: string
  org_name: string
  uscc: string
  /** The application form (contact, declarations, …) as JSON. */
  form: JsonText
  endpoint_base_url: string | null
  /** Sandbox tenant credentials (self-hosted), AES-256-GCM under the master key. */
  sandbox_enc: string | null
  conformance_report_sha256: string | null
  conformance_verdict: string | null
  /** JSON { recommend, record, by, at } once the roadshow decision is made. */
  roadshow_decision: JsonText | null
  publicity_start_date: string | null
  publicity_end_date: string | null
  publicity_ends_at: EpochMs | null
  /** Asia/Shanghai date the publicity was paused on by an objection. */
  publicity_paused_on: string | null
  commitment_letter_sha256: string | null
  /** Admission title per kind, set on activation (R12). */
  title: string | null
  created_at: EpochMs
  updated_at: EpochMs
}

export interface ApplicationDocumentsTable {
  id: string
  application_id: string
  doc_type: string
  file_name: string
  content_type: string
  sha256: string
  size: number
  /** JSON object, e.g. { "level": 3 } for an MLPS certificate. */
  attributes: JsonText
  uploaded_at: EpochMs
}

export interface ProviderKeysTable {
  key_id: string
  provider_id: string
  /** AES-256-GCM ciphertext of the signing secret (gateway/workflow/secret-box.ts). */
  secret_enc: string
  created_at: EpochMs
  revoked_at: EpochMs | null
}

export interface RoadshowScoresTable {
  application_id: string
  /** Reviewer token id: one score per reviewer (R10). */
  reviewer: string
  score: number
  comments: string
  scored_at: EpochMs
}

export interface PublicityObjectionsTable {
  id: string
  application_id: string
  text: string
  contact: string | null
  filed_at: EpochMs
  resolved_at: EpochMs | null
  /** 'dismissed' | 'upheld' */
  outcome: string | null
  resolution: string | null
  resolved_by: string | null
  /** Migration 0005: the objector's name; a reviewer confirms name and contact before the objection pauses publicity. */
  objector_name: ColumnType<string | null, string | null | undefined, string | null>
  confirmed_at: ColumnType<EpochMs | null, EpochMs | null | undefined, EpochMs | null>
  confirmed_by: ColumnType<string | null, string | null | undefined, string | null>
  /** How the reviewer confirmed the objector (e.g. called back on the given number). */
  confirmation: ColumnType<string | null, string | null | undefined, string | null>
}

export interface Database {
  applications: ApplicationsTable
  application_documents: ApplicationDocumentsTable
  provider_keys: ProviderKeysTable
  roadshow_scores: RoadshowScoresTable
  publicity_objections: PublicityObjectionsTable
}

export type ApplicationRow = Selectable<ApplicationsTable>
export type ApplicationDocumentRow = Selectable<ApplicationDocumentsTable>

// ── Data interface and dynamic management (migration 0004-data-interface; gateway/sync, records, assessment) ──

export type ProviderOperatingStatus = 'active' | 'interview' | 'suspended' | 'exited'

export interface ProviderStatusTable {
  provider_id: string
  status: ProviderOperatingStatus
  /** R18 for voluntary exit, R20-1…R20-7 for forced exit, R19 for interview/suspension. */
  reason_code: string | null
  note: string | null
  updated_by: string
  updated_at: EpochMs
}

export interface ProviderActionsTable {
  id: string
  provider_id: string
  /** 'interview' | 'suspend' | 'reinstate' | 'takedown' | 'exit' | 'forced-exit' */
  action: string
  reason_code: string | null
  note: string
  recommendation_id: string | null
  actor: string
  at: EpochMs
}

export interface CentreCoursesTable {
  /** `<providerId>:<courseId>` */
  id: string
  provider_id: string
  course_id: string
  source: 'package' | 'sync'
  title_zh: string
  title_en: string | null
  /** NFKC, lower-cased, whitespace removed: the text search runs a LIKE on it on both engines. */
  title_norm: string
  category: string
  occupation_code: string | null
  /** 1 free, 0 paid. */
  free: number
  price_fen: number | null
  duration_seconds: number
  lesson_count: number
  preview_seconds: number
  provider_updated_at: string
  /** 'live' | 'closed' (no new learners: exit) | 'taken-down' (R14, R19) */
  status: string
  created_at: EpochMs
  updated_at: EpochMs
}

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface SyncStateTable {
  provider_id: string
  /** The provider's serverTime from the last applied sync: the next updatedSince. */
  updated_since: string | null
  circuit: CircuitState
  consecutive_failures: number
  opened_at: EpochMs | null
  last_attempt_at: EpochMs | null
  last_success_at: EpochMs | null
  last_error: string | null
  /** The provider's serverTime of the last learning-record pull. */
  records_since: string | null
}

export interface SyncRunsTable {
  id: string
  provider_id: string
  started_at: EpochMs
  finished_at: EpochMs
  /** 'applied' | 'failed' | 'skipped' */
  outcome: string
  pages: number
  upserted: number
  removed: number
  bytes: number
  error_code: string | null
  error_detail: string | null
  /** 'catalogue' (a catalogue sync) | 'records' (a learning-record pull); migration 0007. */
  kind: Generated<string>
}

export interface LearningRecordsTable {
  provider_id: string
  statement_id: string
  learner_account: string
  learner_home_page: string
  verb: string
  course_id: string | null
  lesson_id: string | null
  voids_statement_id: string | null
  completion: number | null
  effective_seconds: number | null
  statement_at: EpochMs
  /** The statement exactly as received (JSON). */
  statement: JsonText
  via: 'push' | 'pull'
  received_at: EpochMs
  voided_at: EpochMs | null
  voided_by: string | null
}

export interface AssessmentRunsTable {
  id: string
  provider_id: string
  started_at: EpochMs
  finished_at: EpochMs
  verdict: string
  /** JSON array of drift findings. */
  drift: JsonText
  summary: JsonText
}

export interface AssessmentCasesTable {
  id: string
  provider_id: string
  /** 'free-share' | 'preview' | 'host-abroad' | 'contract' | 'feedback' */
  kind: string
  requirement_ids: JsonText
  open_key: string | null
  status: 'open' | 'resolved'
  run_id: string | null
  evidence: JsonText
  /** R19 recommendation for feedback cases: 'interview' | 'suspension' | 'takedown'. */
  recommendation: string | null
  opened_at: EpochMs
  last_seen_at: EpochMs
  resolved_at: EpochMs | null
  resolved_by: string | null
  resolution: string | null
  note: string | null
}

export interface FeedbackTicketsTable {
  id: string
  provider_id: string
  course_id: string | null
  entity_name: string
  entity_uscc: string | null
  contact: string | null
  subject: string
  body: string
  rating_token_hash: string
  filed_at: EpochMs
  responded_at: EpochMs | null
  response: string | null
  resolved_at: EpochMs | null
  resolution: string | null
  rating: number | null
  rated_at: EpochMs | null
  /** Migration 0005: the identified training body that filed it; null = anonymous, never counted (R19). */
  training_body_id: string | null
}

/** Migration 0005: 参培主体 registered by an admin; they file the feedback that counts (R19). */
export interface TrainingBodiesTable {
  id: string
  name: string
  uscc: string | null
  contact: string
  created_by: string
  created_at: EpochMs
  revoked_at: EpochMs | null
}

export interface Database {
  provider_status: ProviderStatusTable
  provider_actions: ProviderActionsTable
  centre_courses: CentreCoursesTable
  sync_state: SyncStateTable
  sync_runs: SyncRunsTable
  blob_objects: BlobObjectsTable
  blob_chunks: BlobChunksTable
  learning_records: LearningRecordsTable
  assessment_runs: AssessmentRunsTable
  assessment_cases: AssessmentCasesTable
  feedback_tickets: FeedbackTicketsTable
  training_bodies: TrainingBodiesTable
}

// ── Course packages and the course centre: gateway/store/schema-packages.ts ──
export interface Database {
  packages: PackagesTable
  courses: CoursesTable
}


export type { BlobChunksTable, BlobObjectRow, BlobObjectsTable } from './schema-blobs.js'
export type { CourseRow, CourseStatus, CoursesTable, PackageRow, PackageStatus, PackagesTable } from './schema-packages.js'
