// What the workflow returns to routes: rows of the workflow tables mapped to views. The detail
// query (queries.ts) aggregates child rows under their own column names, so one mapper per table
// serves both the plain reads and the one-statement detail.
import type { Selectable } from 'kysely'
import type { AuditEntry } from '../audit/audit-log.js'
import type { ApplicationDocumentRow, ApplicationRow, AuditRow, PublicityObjectionsTable, RoadshowScoresTable } from '../store/schema.js'
import type { StoredForm } from './guards.js'
import type { ApplicationForm, ProviderKind } from './requirements-by-kind.js'
import { allowedEvents } from './state-machine.js'
import type { ApplicationState } from './state-machine.js'

export interface ApplicationView {
  id: string
  providerId: string
  kind: ProviderKind
  state: ApplicationState
  allowedEvents: string[]
  organisation: { name: string; uscc: string }
  form: ApplicationForm & { sandboxTenantIds?: string[] }
  endpointBaseUrl: string | null
  conformance: { verdict: string | null; reportSha256: string | null }
  roadshowDecision: unknown
  publicity: { startDate: string; endDate: string; endsAt: number; pausedOn: string | null } | null
  commitmentLetterSha256: string | null
  title: string | null
  createdAt: number
  updatedAt: number
}

export interface DocumentView { id: string; type: string; fileName: string; contentType: string; sha256: string; size: number; attributes: Record<string, unknown>; uploadedAt: number }
export interface ScoreView { reviewer: string; score: number; comments: string; scoredAt: number }
/** `confirmed`: a reviewer confirmed the objector (R11); `outcome` 'spam': dismissed unconfirmed. */
export interface ObjectionView { id: string; text: string; filedAt: number; confirmed: boolean; confirmedAt: number | null; resolvedAt: number | null; outcome: string | null; resolution: string | null }

export type RoadshowScoreRow = Selectable<RoadshowScoresTable>
export type ObjectionRow = Selectable<PublicityObjectionsTable>

export function toView(row: ApplicationRow): ApplicationView {
  const state = row.state as ApplicationState
  return {
    id: row.id,
    providerId: row.provider_id,
    kind: row.kind as ProviderKind,
    state,
    allowedEvents: allowedEvents(state),
    organisation: { name: row.org_name, uscc: row.uscc },
    form: JSON.parse(row.form) as StoredForm,
    endpointBaseUrl: row.endpoint_base_url,
    conformance: { verdict: row.conformance_verdict, reportSha256: row.conformance_report_sha256 },
    roadshowDecision: row.roadshow_decision ? (JSON.parse(row.roadshow_decision) as unknown) : null,
    publicity: row.publicity_start_date && row.publicity_end_date && row.publicity_ends_at !== null
      ? { startDate: row.publicity_start_date, endDate: row.publicity_end_date, endsAt: row.publicity_ends_at, pausedOn: row.publicity_paused_on }
      : null,
    commitmentLetterSha256: row.commitment_letter_sha256,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export const toDocumentView = (d: ApplicationDocumentRow): DocumentView =>
  ({ id: d.id, type: d.doc_type, fileName: d.file_name, contentType: d.content_type, sha256: d.sha256, size: d.size, attributes: JSON.parse(d.attributes) as Record<string, unknown>, uploadedAt: d.uploaded_at })
export const toScoreView = (r: RoadshowScoreRow): ScoreView =>
  ({ reviewer: r.reviewer, score: r.score, comments: r.comments, scoredAt: r.scored_at })
export const toObjectionView = (o: Pick<ObjectionRow, 'id' | 'text' | 'filed_at' | 'confirmed_at' | 'resolved_at' | 'outcome' | 'resolution'>): ObjectionView =>
  ({ id: o.id, text: o.text, filedAt: o.filed_at, confirmed: o.confirmed_at !== null, confirmedAt: o.confirmed_at ?? null, resolvedAt: o.resolved_at, outcome: o.outcome, resolution: o.resolution })
export const toAuditEntry = (r: AuditRow): AuditEntry =>
  ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, data: JSON.parse(r.data) as unknown, prevHash: r.prev_hash, hash: r.hash })
