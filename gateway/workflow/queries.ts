// Reads across every stage: one application, its full detail (documents, scores, objections, audit
// trail) in one statement and cached as JSON, lists, and the per-state counts for the gauge.
import { CompiledQuery } from 'kysely'
import { LRUCache } from 'lru-cache'
import { sgError } from '../../specs/lib/errors.js'
import type { AuditEntry } from '../audit/audit-log.js'
import type { Store } from '../store/open-store.js'
import type { ApplicationDocumentRow, ApplicationRow, AuditRow } from '../store/schema.js'
import type { Actor } from './actor.js'
import { STATES } from './state-machine.js'
import type { ApplicationState } from './state-machine.js'
import { loadApplication } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toAuditEntry, toDocumentView, toObjectionView, toScoreView, toView } from './views.js'
import type { ApplicationView, DocumentView, ObjectionRow, ObjectionView, RoadshowScoreRow, ScoreView } from './views.js'

export interface ApplicationDetail { application: ApplicationView; documents: DocumentView[]; scores: ScoreView[]; objections: ObjectionView[]; auditTrail: AuditEntry[] }

/** SQLite returns an aggregated JSON array as text; node-postgres has parsed `json` already. */
const jsonRows = <T>(value: unknown): T[] => (typeof value === 'string' ? JSON.parse(value) : value) as T[]

type DetailRow = ApplicationRow & { documents_json: unknown; scores_json: unknown; objections_json: unknown; audit_json: unknown }

// The columns of each child row keep their table names, so the mappers in views.ts serve both paths.
const DETAIL_CHILDREN = [
  ['documents_json', 'application_documents', 'c.application_id = a.id', ['id', 'doc_type', 'file_name', 'content_type', 'sha256', 'size', 'attributes', 'uploaded_at'], 'c.uploaded_at, c.id'],
  ['scores_json', 'roadshow_scores', 'c.application_id = a.id', ['reviewer', 'score', 'comments', 'scored_at'], 'c.scored_at, c.reviewer'],
  ['objections_json', 'publicity_objections', 'c.application_id = a.id', ['id', 'text', 'filed_at', 'confirmed_at', 'resolved_at', 'outcome', 'resolution'], 'c.filed_at, c.id'],
  ['audit_json', 'audit_log', "c.subject_type = 'application' and c.subject_id = a.id", ['seq', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'data', 'prev_hash', 'hash'], 'c.seq'],
] as const

function detailSql(dialect: Store['dialect'], providerScoped: boolean): string {
  const p = (n: number): string => (dialect === 'postgres' ? `$${n}` : '?')
  const children = DETAIL_CHILDREN.map(([alias, table, where, columns, order]) => {
    const pairs = columns.map((c) => `'${c}', c.${c}`).join(', ')
    const agg = dialect === 'postgres'
      ? `coalesce(json_agg(json_build_object(${pairs}) order by ${order}), '[]'::json)`
      : `json_group_array(json_object(${pairs}) order by ${order})`
    return `(select ${agg} from ${table} c where ${where}) as ${alias}`
  })
  return `select a.*, ${children.join(', ')} from applications a where a.id = ${p(1)}${providerScoped ? ` and a.provider_id = ${p(2)}` : ''}`
}

const DETAIL_SQL = {
  sqlite: { any: detailSql('sqlite', false), provider: detailSql('sqlite', true) },
  postgres: { any: detailSql('postgres', false), provider: detailSql('postgres', true) },
} as const

/** The `detailJson` answers, keyed by (application, scope), each with the change stamp it was read under. */
export type DetailCache = LRUCache<string, { stamp: string; json: string }>

export function newDetailCache(): DetailCache {
  return new LRUCache<string, { stamp: string; json: string }>({ max: 1000, maxSize: 64 * 1024 * 1024, sizeCalculation: (v) => v.json.length + 64 })
}

export async function get(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<ApplicationView> {
  return toView(await loadApplication(ctx, ctx.store.db, applicationId, actor, false))
}

/**
 * `detail` as the JSON text a route sends, kept per (application, scope) with the store's change
 * stamp read before the query, and served again while the stamp is unchanged. Any write anywhere
 * in the database (this process, another connection, another gateway instance on PostgreSQL)
 * changes the stamp, so a cached answer is always what the query would return now. The reviewer
 * console reads this on every page view; a hit costs the stamp instead of the five-table aggregate.
 */
export async function detailJson(ctx: WorkflowContext, cache: DetailCache, applicationId: string, actor: Actor): Promise<string> {
  const pending = ctx.store.changeStamp()
  const stamp = typeof pending === 'string' ? pending : await pending
  const key = actor.role === 'provider' ? `${applicationId}\u0000${actor.providerId ?? ''}` : applicationId
  const hit = cache.get(key)
  if (hit?.stamp === stamp) return hit.json
  const json = JSON.stringify(await detail(ctx, applicationId, actor))
  cache.set(key, { stamp, json })
  return json
}

export async function detail(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<ApplicationDetail> {
  // One statement (one read snapshot, one round trip) instead of five: the reviewer console reads
  // this on every page view. The provider scope is in the WHERE clause, so another provider's id
  // reads as absent exactly as loadApplication does.
  const scoped = actor.role === 'provider'
  const text = DETAIL_SQL[ctx.store.dialect][scoped ? 'provider' : 'any']
  const { rows } = await ctx.store.db.executeQuery<DetailRow>(CompiledQuery.raw(text, scoped ? [applicationId, actor.providerId ?? '\u0000'] : [applicationId]))
  const row = rows[0]
  if (!row) throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', applicationId.slice(0, 80))
  const { documents_json: documents, scores_json: scores, objections_json: objections, audit_json: audit, ...applicationRow } = row
  return {
    application: toView(applicationRow),
    documents: jsonRows<ApplicationDocumentRow>(documents).map(toDocumentView),
    scores: jsonRows<RoadshowScoreRow>(scores).map(toScoreView),
    objections: jsonRows<ObjectionRow>(objections).map(toObjectionView),
    auditTrail: jsonRows<AuditRow>(audit).map(toAuditEntry),
  }
}

export async function list(ctx: WorkflowContext, filter: { state?: ApplicationState; providerId?: string; limit?: number }): Promise<ApplicationView[]> {
  let q = ctx.store.db.selectFrom('applications').selectAll()
  if (filter.state) q = q.where('state', '=', filter.state)
  if (filter.providerId !== undefined) q = q.where('provider_id', '=', filter.providerId)
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(Math.min(filter.limit ?? 100, 500)).execute()
  return rows.map(toView)
}

/** Applications per state (every state present, zero included), for the skillgate_applications gauge. */
export async function countByState(ctx: WorkflowContext): Promise<Record<ApplicationState, number>> {
  const rows = await ctx.store.db.selectFrom('applications').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute()
  const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ApplicationState, number>
  for (const r of rows) if ((STATES as readonly string[]).includes(r.state)) out[r.state as ApplicationState] = Number(r.n)
  return out
}
