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

export type ApiTokenRole = 'reviewer' | 'admin' | 'provider'

export interface ApiTokensTable {
  id: string
  /** sha256 hex of the whole bearer token; the token itself is never stored. */
  token_hash: string
  role: ApiTokenRole
  provider_id: string | null
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
