// The admission workflow service (R6–R12). Routes and jobs call it; it owns every write to the
// workflow tables. A state change happens only in `fire`: plan (state machine) → effect (the
// change's own writes) → guards → conditional UPDATE (state still `from`) → audit append, all in
// one transaction, so the application's state and its hash-chained audit trail never disagree.
import { randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { CompiledQuery } from 'kysely'
import { LRUCache } from 'lru-cache'
import type { Selectable, Transaction, Updateable } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import { validateUscc } from '../../specs/lib/uscc.js'
import { AuditLog } from '../audit/audit-log.js'
import type { AuditEntry } from '../audit/audit-log.js'
import type { BlobStore } from '../blobs/blob-store.js'
import { addDays, dateInShanghai } from '../calendar/calendar-dates.js'
import { WorkingDayCalendar } from '../calendar/working-day-calendar.js'
import type { CalendarWarning, WorkingPeriod } from '../calendar/working-day-calendar.js'
import { JobQueue } from '../jobs/job-queue.js'
import { ApiTokenRepository } from '../store/api-tokens.js'
import type { Store } from '../store/open-store.js'
import type { ApplicationDocumentRow, ApplicationRow, ApplicationsTable, AuditRow, Database, PublicityObjectionsTable, RoadshowScoresTable } from '../store/schema.js'
import { ROADSHOW_MIN_SCORERS, runGuards } from './guards.js'
import type { StoredForm } from './guards.js'
import { ADMISSION_TITLES, COMMITMENT_LETTER_TYPE, DOCUMENT_TYPES, PROVIDER_KINDS } from './requirements-by-kind.js'
import type { ApplicationForm, ProviderKind } from './requirements-by-kind.js'
import type { SecretBox } from './secret-box.js'
import { STATES, allowedEvents, planTransition } from './state-machine.js'
import type { ActorRole, ApplicationState } from './state-machine.js'

/** R11: publicity lasts this many Chinese working days. */
export const PUBLICITY_WORKING_DAYS = 5
export const CONFORMANCE_JOB = 'workflow.conformance'
export const CLOSE_PUBLICITY_JOB = 'workflow.close-publicity'

export interface Actor {
  role: ActorRole
  /** Written to the audit log: 'reviewer:<tokenId>', 'provider:<providerId>', 'public', 'system:<job>'. */
  id: string
  /** Set for provider actors: every provider action is scoped to its own applications. */
  providerId?: string
}

export interface ConformanceTarget {
  applicationId: string
  providerId: string
  kind: ProviderKind
  endpointBaseUrl: string | null
  /** Self-hosted: the two sandbox tenants' credentials (decrypted for the run only). */
  sandboxTenants: { tenantId: string; token: string }[]
  /** A signing key the gateway uses to call the provider (the provider's own key, R7). */
  signingKey: { keyId: string; secret: string } | null
}

export type ConformanceVerdict = 'conformant' | 'not-conformant' | 'error'
/** What the lead wires to the conformance library (`runProbe`); tests inject a real-shaped one. */
export type ConformanceRunner = (application: ConformanceTarget) => Promise<{ report: object; verdict: ConformanceVerdict }>

export interface NewApplicationInput {
  kind: ProviderKind
  organisation: { name: string; uscc: string }
  contact: { name: string; phone: string; email: string }
  declarations: { noDishonestyRecord: boolean; personTimesServed?: number }
  serviceTeam?: { phone: string; email?: string; hours?: string }
  endpointBaseUrl?: string
  sandboxTenants?: { tenantId: string; token: string }[]
}

export interface DocumentInput {
  type: string
  fileName: string
  contentType: string
  bytes: Buffer
  attributes?: Record<string, unknown>
}

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
export interface ObjectionView { id: string; text: string; filedAt: number; resolvedAt: number | null; outcome: string | null; resolution: string | null }

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

type RoadshowScoreRow = Selectable<RoadshowScoresTable>
type ObjectionRow = Selectable<PublicityObjectionsTable>

const toDocumentView = (d: ApplicationDocumentRow): DocumentView =>
  ({ id: d.id, type: d.doc_type, fileName: d.file_name, contentType: d.content_type, sha256: d.sha256, size: d.size, attributes: JSON.parse(d.attributes) as Record<string, unknown>, uploadedAt: d.uploaded_at })
const toScoreView = (r: RoadshowScoreRow): { reviewer: string; score: number; comments: string; scoredAt: number } =>
  ({ reviewer: r.reviewer, score: r.score, comments: r.comments, scoredAt: r.scored_at })
const toObjectionView = (o: ObjectionRow): ObjectionView =>
  ({ id: o.id, text: o.text, filedAt: o.filed_at, resolvedAt: o.resolved_at, outcome: o.outcome, resolution: o.resolution })
const toAuditEntry = (r: AuditRow): AuditEntry =>
  ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, data: JSON.parse(r.data) as unknown, prevHash: r.prev_hash, hash: r.hash })

/** SQLite returns an aggregated JSON array as text; node-postgres has parsed `json` already. */
const jsonRows = <T>(value: unknown): T[] => (typeof value === 'string' ? JSON.parse(value) : value) as T[]

type DetailRow = ApplicationRow & { documents_json: unknown; scores_json: unknown; objections_json: unknown; audit_json: unknown }

// The columns of each child row keep their table names, so the mappers above serve both paths.
const DETAIL_CHILDREN = [
  ['documents_json', 'application_documents', 'c.application_id = a.id', ['id', 'doc_type', 'file_name', 'content_type', 'sha256', 'size', 'attributes', 'uploaded_at'], 'c.uploaded_at, c.id'],
  ['scores_json', 'roadshow_scores', 'c.application_id = a.id', ['reviewer', 'score', 'comments', 'scored_at'], 'c.scored_at, c.reviewer'],
  ['objections_json', 'publicity_objections', 'c.application_id = a.id', ['id', 'text', 'filed_at', 'resolved_at', 'outcome', 'resolution'], 'c.filed_at, c.id'],
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

type Patch = Updateable<ApplicationsTable>

export interface FireOptions {
  reasons?: readonly string[]
  /** Extra audit data (never secrets or personal data). */
  data?: Record<string, unknown>
  /** The change's own writes, run in the transaction before the guards; returns column changes. */
  effect?: (trx: Transaction<Database>, row: ApplicationRow) => Promise<Patch | void>
}

export interface WorkflowOptions {
  store: Store
  blobs: BlobStore
  secrets: () => SecretBox
  now?: () => number
  runner?: ConformanceRunner
  /** Called after a commit that enqueued a job, so an in-process worker can pick it up at once. */
  onEnqueued?: () => void
}

export const notConfiguredRunner: ConformanceRunner = async () => ({
  verdict: 'error',
  report: { error: 'no conformance runner is configured on this gateway (app.setConformanceRunner)' },
})

export class Workflow {
  readonly store: Store
  readonly audit: AuditLog
  readonly calendar: WorkingDayCalendar
  readonly queue: JobQueue
  readonly blobs: BlobStore
  readonly #secrets: () => SecretBox
  #now: () => number
  runner: ConformanceRunner
  readonly #onEnqueued: (() => void) | undefined

  constructor(opts: WorkflowOptions) {
    this.store = opts.store
    this.audit = new AuditLog(opts.store)
    this.calendar = new WorkingDayCalendar(opts.store)
    this.queue = new JobQueue(opts.store)
    this.blobs = opts.blobs
    this.#secrets = opts.secrets
    this.#now = opts.now ?? Date.now
    this.runner = opts.runner ?? notConfiguredRunner
    this.#onEnqueued = opts.onEnqueued
  }

  now(): number {
    return this.#now()
  }

  /** Tests and the demo move time (publicity periods) without waiting days. */
  setClock(now: () => number): void {
    this.#now = now
  }

  // ── the one place a state changes ────────────────────────────────────────────────────────────

  async fire(applicationId: string, event: string, actor: Actor, opts: FireOptions = {}, outer?: Transaction<Database>): Promise<ApplicationRow> {
    const run = async (trx: Transaction<Database>): Promise<ApplicationRow> => {
      const row = await this.#load(trx, applicationId, actor, true)
      const from = row.state as ApplicationState
      const transition = planTransition(from, event, actor.role)
      const now = this.#now()
      const patch = (await opts.effect?.(trx, row)) ?? {}
      const next: ApplicationRow = { ...row, ...patch, state: transition.to, updated_at: now } as ApplicationRow
      await runGuards(transition.guards, { trx, row: next, reasons: opts.reasons ?? [], now })
      const updated = await trx.updateTable('applications').set({ ...patch, state: transition.to, updated_at: now })
        .where('id', '=', row.id).where('state', '=', from).executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_CONCURRENT_CHANGE', `application ${row.id} left state ${from}`)
      await this.audit.append({
        actor: actor.id,
        action: `workflow.${event}`,
        subjectType: 'application',
        subjectId: row.id,
        at: now,
        data: { event, from, to: transition.to, reasons: opts.reasons ?? [], requirementIds: transition.requirementIds, ...opts.data },
      }, trx)
      return next
    }
    return outer ? run(outer) : this.store.transaction(run)
  }

  /** Loads an application, scoped to the provider for provider actors (another's id reads as absent: no IDOR). */
  async #load(trx: Transaction<Database> | Store['db'], id: string, actor: Actor | undefined, lock: boolean): Promise<ApplicationRow> {
    let q = trx.selectFrom('applications').selectAll().where('id', '=', id)
    if (actor?.role === 'provider') q = q.where('provider_id', '=', actor.providerId ?? '\u0000')
    if (lock && this.store.dialect === 'postgres') q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (!row) throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', id.slice(0, 80))
    return row
  }

  /** Same 409 as an illegal transition, for actions that are allowed only in some states. */
  #requireState(row: ApplicationRow, states: readonly ApplicationState[], action: string): void {
    if (states.includes(row.state as ApplicationState)) return
    const allowed = allowedEvents(row.state as ApplicationState)
    throw sgError('SG_ERR_WORKFLOW_ILLEGAL_TRANSITION', `${action} needs state ${states.join(' or ')}; the application is ${row.state}; allowed events: ${allowed.join(', ') || 'none (final state)'}`, { state: row.state, action, allowedEvents: allowed })
  }

  async #appendAudit(trx: Transaction<Database>, actor: Actor, action: string, applicationId: string, data: Record<string, unknown>): Promise<void> {
    await this.audit.append({ actor: actor.id, action, subjectType: 'application', subjectId: applicationId, at: this.#now(), data }, trx)
  }

  // ── R8: application, provider account, documents ────────────────────────────────────────────

  /** Creates the provider account and its draft application; the token and secret are returned once. */
  async createApplication(input: NewApplicationInput): Promise<{ application: ApplicationView; provider: { providerId: string; token: string; keyId: string; secret: string } }> {
    if (!PROVIDER_KINDS.includes(input.kind)) throw sgError('SG_ERR_VALIDATION', `kind must be one of ${PROVIDER_KINDS.join(', ')}`)
    const uscc = validateUscc(input.organisation.uscc) // R5-0
    if (!uscc.ok) throw sgError('SG_ERR_WORKFLOW_INVALID_USCC', uscc.reason, { uscc: input.organisation.uscc })
    const providerId = `prv_${randomUUID()}`
    const applicationId = `app_${randomUUID()}`
    const keyId = `sgk_${randomBytes(12).toString('base64url')}`
    const secret = randomBytes(32).toString('base64url')
    const now = this.#now()
    const form: StoredForm = {
      contact: input.contact,
      declarations: input.declarations,
      ...(input.serviceTeam ? { serviceTeam: input.serviceTeam } : {}),
      ...(input.sandboxTenants ? { sandboxTenantIds: input.sandboxTenants.map((s) => s.tenantId) } : {}),
    }
    const box = this.#secrets()
    const token = await this.store.transaction(async (trx) => {
      await trx.insertInto('applications').values({
        id: applicationId,
        provider_id: providerId,
        kind: input.kind,
        state: 'draft',
        org_name: input.organisation.name,
        uscc: input.organisation.uscc,
        form: JSON.stringify(form),
        endpoint_base_url: input.endpointBaseUrl ?? null,
        sandbox_enc: input.sandboxTenants ? box.seal(JSON.stringify(input.sandboxTenants), applicationId) : null,
        conformance_report_sha256: null, conformance_verdict: null, roadshow_decision: null,
        publicity_start_date: null, publicity_end_date: null, publicity_ends_at: null, publicity_paused_on: null,
        commitment_letter_sha256: null, title: null,
        created_at: now, updated_at: now,
      }).execute()
      await trx.insertInto('provider_keys').values({ key_id: keyId, provider_id: providerId, secret_enc: box.seal(secret, keyId), created_at: now, revoked_at: null }).execute()
      const created = await new ApiTokenRepository(trx).create({ role: 'provider', providerId, label: `provider ${input.organisation.name}` }, now)
      await this.#appendAudit(trx, { role: 'public', id: `provider:${providerId}` }, 'application.created', applicationId, { kind: input.kind, providerId, keyId, state: 'draft', requirementIds: ['R8', 'R5-0'] })
      return created.token
    })
    const row = await this.#load(this.store.db, applicationId, undefined, false)
    return { application: toView(row), provider: { providerId, token, keyId, secret } }
  }

  /** The provider key resolver for the auth plugin (revoked keys resolve to nothing). */
  async resolveProviderKey(keyId: string): Promise<{ secret: string; providerId: string } | undefined> {
    const row = await this.store.db.selectFrom('provider_keys').selectAll().where('key_id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst()
    if (!row) return undefined
    const secret = this.#secrets().open(row.secret_enc, row.key_id)
    return secret === undefined ? undefined : { secret, providerId: row.provider_id }
  }

  async addDocument(applicationId: string, actor: Actor, doc: DocumentInput): Promise<DocumentView> {
    const row = await this.#load(this.store.db, applicationId, actor, false)
    if (row.state !== 'draft') throw sgError('SG_ERR_WORKFLOW_LOCKED', `the application is ${row.state}`)
    const type = DOCUMENT_TYPES.find((d) => d.type === doc.type && d.requiredFor.includes(row.kind as ProviderKind))
    if (!type) throw sgError('SG_ERR_WORKFLOW_DOCUMENT_TYPE', `${doc.type} is not a document type for ${row.kind}`, { accepted: DOCUMENT_TYPES.filter((d) => d.requiredFor.includes(row.kind as ProviderKind)).map((d) => d.type) })
    const problem = type.checkAttributes?.(doc.attributes ?? {})
    if (problem) throw sgError('SG_ERR_WORKFLOW_BAD_DOCUMENT', `${doc.type}: ${problem}`)
    return this.store.transaction(async (trx) => {
      const locked = await this.#load(trx, applicationId, actor, true)
      if (locked.state !== 'draft') throw sgError('SG_ERR_WORKFLOW_LOCKED', `the application is ${locked.state}`)
      return this.#insertDocument(trx, actor, locked.id, doc)
    })
  }

  async #insertDocument(trx: Transaction<Database>, actor: Actor, applicationId: string, doc: DocumentInput): Promise<DocumentView> {
    if (doc.bytes.length === 0) throw sgError('SG_ERR_WORKFLOW_BAD_DOCUMENT', 'the document is empty')
    const put = await this.blobs.put(Readable.from([doc.bytes]))
    const view: DocumentView = { id: `doc_${randomUUID()}`, type: doc.type, fileName: doc.fileName, contentType: doc.contentType, sha256: put.sha256, size: put.size, attributes: doc.attributes ?? {}, uploadedAt: this.#now() }
    await trx.insertInto('application_documents').values({
      id: view.id, application_id: applicationId, doc_type: view.type, file_name: view.fileName, content_type: view.contentType,
      sha256: view.sha256, size: view.size, attributes: JSON.stringify(view.attributes), uploaded_at: view.uploadedAt,
    }).execute()
    await this.#appendAudit(trx, actor, 'application.document-added', applicationId, { documentId: view.id, type: view.type, sha256: view.sha256, size: view.size })
    return view
  }

  async documents(applicationId: string, actor: Actor): Promise<DocumentView[]> {
    await this.#load(this.store.db, applicationId, actor, false)
    const rows = await this.store.db.selectFrom('application_documents').selectAll().where('application_id', '=', applicationId).orderBy('uploaded_at').orderBy('id').execute()
    return rows.map(toDocumentView)
  }

  async documentContent(applicationId: string, documentId: string, actor: Actor): Promise<{ doc: DocumentView; stream: Readable }> {
    const doc = (await this.documents(applicationId, actor)).find((d) => d.id === documentId)
    if (!doc) throw sgError('SG_ERR_WORKFLOW_DOCUMENT_NOT_FOUND', documentId.slice(0, 80))
    return { doc, stream: await this.blobs.get(doc.sha256) }
  }

  // ── R9: submit (automated completeness) and material review ───────────────────────────────

  async submit(applicationId: string, actor: Actor): Promise<ApplicationView> {
    return this.store.transaction(async (trx) => {
      await this.fire(applicationId, 'submit', actor, {}, trx)
      // The completeness guard passed, so the application goes straight to the reviewers' queue.
      return toView(await this.fire(applicationId, 'queue-for-review', { role: 'system', id: 'system:completeness-check' }, { reasons: ['automated completeness check passed'] }, trx))
    })
  }

  async materialReview(applicationId: string, actor: Actor, decision: 'pass' | 'reject', reasons: string[]): Promise<ApplicationView> {
    if (decision === 'reject') return toView(await this.fire(applicationId, 'material-reject', actor, { reasons }))
    const view = await this.store.transaction(async (trx) => {
      const row = await this.fire(applicationId, 'material-pass', actor, { reasons }, trx)
      // Transactional outbox: the conformance run is queued if and only if the review commits.
      await this.#enqueueConformance(trx, row)
      return toView(row)
    })
    this.#onEnqueued?.()
    return view
  }

  // ── conformance (R7: the provider's platform against the published specification) ──────────

  async #enqueueConformance(trx: Transaction<Database>, row: ApplicationRow): Promise<void> {
    // Keyed by the state's timestamp: asking twice while one run is pending enqueues one job.
    await this.queue.enqueue({ kind: CONFORMANCE_JOB, payload: { applicationId: row.id }, idempotencyKey: `${CONFORMANCE_JOB}:${row.id}:${row.updated_at}`, maxAttempts: 3 }, trx)
  }

  /** Enqueues a conformance run (retrying after a failed one); returns the job id. */
  async requestConformance(applicationId: string, actor: Actor): Promise<{ application: ApplicationView; jobId: string }> {
    const result = await this.store.transaction(async (trx) => {
      let row = await this.#load(trx, applicationId, actor, true)
      if (row.state === 'conformance-failed') row = await this.fire(applicationId, 'conformance-retry', actor, { reasons: ['conformance re-run requested'] }, trx)
      else this.#requireState(row, ['conformance'], 'a conformance run')
      const { job } = await this.queue.enqueue({ kind: CONFORMANCE_JOB, payload: { applicationId: row.id }, idempotencyKey: `${CONFORMANCE_JOB}:${row.id}:${row.updated_at}`, maxAttempts: 3 }, trx)
      return { application: toView(row), jobId: job.id }
    })
    this.#onEnqueued?.()
    return result
  }

  /** The conformance job: run the injected runner, store its report as a blob, move on the verdict. */
  async runConformance(applicationId: string): Promise<{ skipped?: string; verdict?: ConformanceVerdict; reportSha256?: string }> {
    const row = await this.#load(this.store.db, applicationId, undefined, false)
    if (row.state !== 'conformance') return { skipped: `application is ${row.state}` }
    const key = await this.store.db.selectFrom('provider_keys').selectAll().where('provider_id', '=', row.provider_id).where('revoked_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirst()
    const box = this.#secrets()
    const secret = key ? box.open(key.secret_enc, key.key_id) : undefined
    const sandbox = row.sandbox_enc ? box.open(row.sandbox_enc, row.id) : undefined
    const target: ConformanceTarget = {
      applicationId: row.id,
      providerId: row.provider_id,
      kind: row.kind as ProviderKind,
      endpointBaseUrl: row.endpoint_base_url,
      sandboxTenants: sandbox ? (JSON.parse(sandbox) as ConformanceTarget['sandboxTenants']) : [],
      signingKey: key && secret ? { keyId: key.key_id, secret } : null,
    }
    const { report, verdict } = await this.runner(target)
    const put = await this.blobs.put(Readable.from([Buffer.from(JSON.stringify(report), 'utf8')]))
    const event = verdict === 'conformant' ? 'conformance-pass' : 'conformance-fail'
    try {
      await this.fire(row.id, event, { role: 'system', id: `system:${CONFORMANCE_JOB}` }, {
        reasons: [`conformance verdict: ${verdict}`],
        data: { verdict, reportSha256: put.sha256 },
        effect: async () => ({ conformance_report_sha256: put.sha256, conformance_verdict: verdict }),
      })
    } catch (err) {
      // Withdrawn (or otherwise moved) while the probe ran: the report is kept, the state is not touched.
      if ((err as { code?: string }).code === 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION' || (err as { code?: string }).code === 'SG_ERR_WORKFLOW_CONCURRENT_CHANGE') return { skipped: 'state changed during the run', verdict, reportSha256: put.sha256 }
      throw err
    }
    return { verdict, reportSha256: put.sha256 }
  }

  async conformanceReport(applicationId: string, actor: Actor): Promise<Readable> {
    const row = await this.#load(this.store.db, applicationId, actor, false)
    if (!row.conformance_report_sha256) throw sgError('SG_ERR_NOT_FOUND', 'no conformance report yet')
    return this.blobs.get(row.conformance_report_sha256)
  }

  // ── R10: roadshow ──────────────────────────────────────────────────────────────────────────

  async addRoadshowScore(applicationId: string, actor: Actor, reviewerId: string, score: number, comments: string): Promise<{ reviewer: string; score: number; comments: string; scoredAt: number }> {
    if (!Number.isInteger(score) || score < 0 || score > 100) throw sgError('SG_ERR_VALIDATION', 'score must be an integer 0–100')
    return this.store.transaction(async (trx) => {
      const row = await this.#load(trx, applicationId, actor, true)
      this.#requireState(row, ['roadshow'], 'a roadshow score')
      const existing = await trx.selectFrom('roadshow_scores').select('reviewer').where('application_id', '=', row.id).where('reviewer', '=', reviewerId).executeTakeFirst()
      if (existing) throw sgError('SG_ERR_WORKFLOW_DUPLICATE_SCORE', `reviewer ${reviewerId} has scored ${row.id}`)
      const scoredAt = this.#now()
      await trx.insertInto('roadshow_scores').values({ application_id: row.id, reviewer: reviewerId, score, comments, scored_at: scoredAt }).execute()
      await this.#appendAudit(trx, actor, 'roadshow.scored', row.id, { reviewer: reviewerId, score, requirementIds: ['R10'] })
      return { reviewer: reviewerId, score, comments, scoredAt }
    })
  }

  async roadshowScores(applicationId: string): Promise<{ reviewer: string; score: number; comments: string; scoredAt: number }[]> {
    const rows = await this.store.db.selectFrom('roadshow_scores').selectAll().where('application_id', '=', applicationId).orderBy('scored_at').orderBy('reviewer').execute()
    return rows.map(toScoreView)
  }

  /** R10: the committee's decision and the joint-review record (scores, mean, record text). */
  async roadshowDecision(applicationId: string, actor: Actor, recommend: boolean, record: string): Promise<{ application: ApplicationView; jointReview: JointReviewRecord }> {
    return this.store.transaction(async (trx) => {
      const row = await this.#load(trx, applicationId, actor, true)
      this.#requireState(row, ['roadshow'], 'a roadshow decision')
      if (row.roadshow_decision) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'the roadshow decision has been recorded already', { reasons: ['decision already recorded'] })
      const scores = (await trx.selectFrom('roadshow_scores').selectAll().where('application_id', '=', row.id).orderBy('reviewer').execute())
        .map((s) => ({ reviewer: s.reviewer, score: s.score, comments: s.comments }))
      if (scores.length < ROADSHOW_MIN_SCORERS) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', `${scores.length} score(s); at least ${ROADSHOW_MIN_SCORERS} reviewers must score first`, { guard: 'roadshow-scores', reasons: [`needs ${ROADSHOW_MIN_SCORERS} scores`] })
      if (record.trim() === '') throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'the joint-review record text is empty', { guard: 'reasons', reasons: ['record is empty'] })
      const jointReview: JointReviewRecord = {
        recommend,
        record,
        decidedBy: actor.id,
        decidedAt: this.#now(),
        scores,
        meanScore: Math.round((scores.reduce((a, s) => a + s.score, 0) / scores.length) * 100) / 100,
      }
      const decision = JSON.stringify(jointReview)
      if (!recommend) {
        const next = await this.fire(row.id, 'not-recommend', actor, { reasons: [record], data: { meanScore: jointReview.meanScore }, effect: async () => ({ roadshow_decision: decision }) }, trx)
        return { application: toView(next), jointReview }
      }
      const now = this.#now()
      await trx.updateTable('applications').set({ roadshow_decision: decision, updated_at: now }).where('id', '=', row.id).execute()
      await this.#appendAudit(trx, actor, 'roadshow.recommended', row.id, { meanScore: jointReview.meanScore, record, requirementIds: ['R10'] })
      return { application: toView({ ...row, roadshow_decision: decision, updated_at: now }), jointReview }
    })
  }

  // ── R11: publicity ─────────────────────────────────────────────────────────────────────────

  async startPublicity(applicationId: string, actor: Actor, startDate?: string): Promise<{ application: ApplicationView; period: WorkingPeriod; warnings: CalendarWarning[] }> {
    // R11: the public sees the shortlist for five working days from now on; a period that began in
    // the past would shorten what the public actually saw, so it cannot be backdated.
    const today = dateInShanghai(this.#now())
    if (startDate !== undefined && startDate < today) {
      throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', `publicity cannot start on ${startDate}, before today (${today}) in Asia/Shanghai`)
    }
    // The calendar reads through store.db, which must not run inside a SQLite transaction.
    const period = await this.calendar.addWorkingDays(startDate ?? today, PUBLICITY_WORKING_DAYS)
    const row = await this.fire(applicationId, 'start-publicity', actor, {
      reasons: [`publicity ${period.startDate} – ${period.endDate} (${PUBLICITY_WORKING_DAYS} working days)`],
      data: { startDate: period.startDate, endDate: period.endDate, warnings: period.warnings.map((w) => w.code) },
      effect: async () => ({ publicity_start_date: period.startDate, publicity_end_date: period.endDate, publicity_ends_at: period.endsAt, publicity_paused_on: null }),
    })
    return { application: toView(row), period, warnings: period.warnings }
  }

  /** Anyone may object during publicity; the first open objection pauses the period. */
  async fileObjection(applicationId: string, input: { text: string; contact?: string }): Promise<{ objectionId: string; state: ApplicationState }> {
    const actor: Actor = { role: 'public', id: 'public' }
    if (input.text.trim() === '') throw sgError('SG_ERR_VALIDATION', 'the objection text is empty')
    return this.store.transaction(async (trx) => {
      const row = await this.#load(trx, applicationId, undefined, true)
      // The public sees only applications under publicity; any other state reads as absent.
      if (row.state !== 'publicity' && row.state !== 'publicity-paused') throw sgError('SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND', `${row.id} is not under publicity`)
      const id = `obj_${randomUUID()}`
      const insert = () => trx.insertInto('publicity_objections').values({ id, application_id: row.id, text: input.text, contact: input.contact ?? null, filed_at: this.#now(), resolved_at: null, outcome: null, resolution: null, resolved_by: null }).execute()
      if (row.state === 'publicity-paused') {
        await insert()
        await this.#appendAudit(trx, actor, 'publicity.objection-filed', row.id, { objectionId: id, requirementIds: ['R11'] })
        return { objectionId: id, state: 'publicity-paused' as const }
      }
      const pausedOn = dateInShanghai(this.#now())
      // Contact details are personal data: they stay in the objections table, not the audit chain.
      await this.fire(row.id, 'object', actor, { reasons: ['objection filed'], data: { objectionId: id, pausedOn }, effect: async () => {
        await insert()
        return { publicity_paused_on: pausedOn }
      } }, trx)
      return { objectionId: id, state: 'publicity-paused' as const }
    })
  }

  async objections(applicationId: string): Promise<ObjectionView[]> {
    const rows = await this.store.db.selectFrom('publicity_objections').selectAll().where('application_id', '=', applicationId).orderBy('filed_at').orderBy('id').execute()
    return rows.map(toObjectionView)
  }

  /**
   * A reviewer resolves an objection. Upheld: the application is rejected. Dismissed, and none
   * other open: publicity resumes, and the remaining working days (from the day it was paused,
   * which did not count) run again from the day after the resumption, so the end moves by the
   * number of working days from the pause to the resumption, both inclusive.
   */
  async resolveObjection(applicationId: string, objectionId: string, actor: Actor, outcome: 'dismissed' | 'upheld', reasons: string[]): Promise<{ application: ApplicationView; resumed: boolean; extendedBy?: number; period?: WorkingPeriod }> {
    const before = await this.#load(this.store.db, applicationId, actor, false)
    this.#requireState(before, ['publicity-paused'], 'resolving an objection')
    let resume: WorkingPeriod | undefined
    let extendedBy = 0
    if (outcome === 'dismissed' && before.publicity_paused_on && before.publicity_start_date && before.publicity_end_date) {
      const today = dateInShanghai(this.#now())
      const remaining = await this.#countWorkingDays(before.publicity_paused_on, before.publicity_end_date)
      extendedBy = await this.#countWorkingDays(before.publicity_paused_on, today)
      resume = await this.calendar.addWorkingDays(addDays(today, 1), Math.max(1, remaining))
    }
    return this.store.transaction(async (trx) => {
      const resolved = await trx.updateTable('publicity_objections')
        .set({ resolved_at: this.#now(), outcome, resolution: reasons.join('\n'), resolved_by: actor.id })
        .where('id', '=', objectionId).where('application_id', '=', applicationId).where('resolved_at', 'is', null).executeTakeFirst()
      if (Number(resolved.numUpdatedRows) !== 1) throw sgError('SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', objectionId.slice(0, 80))
      if (reasons.every((r) => r.trim() === '')) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'give the reasons for the resolution', { guard: 'reasons', reasons: ['give at least one non-empty reason'] })
      if (outcome === 'upheld') {
        const row = await this.fire(applicationId, 'uphold-objection', actor, { reasons, data: { objectionId } }, trx)
        return { application: toView(row), resumed: false }
      }
      const open = await trx.selectFrom('publicity_objections').select('id').where('application_id', '=', applicationId).where('resolved_at', 'is', null).execute()
      if (open.length > 0 || !resume) {
        await this.#appendAudit(trx, actor, 'publicity.objection-dismissed', applicationId, { objectionId, reasons, stillOpen: open.length, requirementIds: ['R11'] })
        return { application: toView(await this.#load(trx, applicationId, actor, false)), resumed: false }
      }
      const period = resume
      const row = await this.fire(applicationId, 'resume-publicity', actor, {
        reasons,
        data: { objectionId, pausedOn: before.publicity_paused_on, newEndDate: period.endDate, extendedByWorkingDays: extendedBy },
        effect: async () => ({ publicity_end_date: period.endDate, publicity_ends_at: period.endsAt, publicity_paused_on: null }),
      }, trx)
      return { application: toView(row), resumed: true, extendedBy, period }
    })
  }

  /** Working days in [from, to], both inclusive (0 when to < from). */
  async #countWorkingDays(from: string, to: string): Promise<number> {
    let n = 0
    for (let d = from, i = 0; d <= to && i < 800; d = addDays(d, 1), i++) if ((await this.calendar.dayInfo(d)).working) n++
    return n
  }

  /** The scheduled job: every publicity period that has ended (with no open objection) moves to commitment. */
  async closeDuePublicity(): Promise<{ closed: string[] }> {
    const due = await this.store.db.selectFrom('applications').select('id').where('state', '=', 'publicity').where('publicity_ends_at', '<=', this.#now()).orderBy('publicity_ends_at').execute()
    const closed: string[] = []
    for (const { id } of due) {
      try {
        await this.fire(id, 'close-publicity', { role: 'system', id: `system:${CLOSE_PUBLICITY_JOB}` }, { reasons: ['publicity period over without an open objection'] })
        closed.push(id)
      } catch (err) {
        // Another instance closed it, or an objection arrived in between: both are fine.
        const code = (err as { code?: string }).code
        if (code !== 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION' && code !== 'SG_ERR_WORKFLOW_CONCURRENT_CHANGE' && code !== 'SG_ERR_WORKFLOW_GUARD_FAILED') throw err
      }
    }
    return { closed }
  }

  /** Providers under (or paused in) publicity, for the public page. */
  async publicityList(): Promise<{ applicationId: string; organisation: string; uscc: string; kind: ProviderKind; titleZh: string; state: ApplicationState; startDate: string; endDate: string }[]> {
    const rows = await this.store.db.selectFrom('applications').selectAll().where('state', 'in', ['publicity', 'publicity-paused']).orderBy('publicity_start_date').orderBy('id').execute()
    return rows.map((r) => ({
      applicationId: r.id, organisation: r.org_name, uscc: r.uscc, kind: r.kind as ProviderKind, titleZh: ADMISSION_TITLES[r.kind as ProviderKind],
      state: r.state as ApplicationState, startDate: r.publicity_start_date ?? '', endDate: r.publicity_end_date ?? '',
    }))
  }

  // ── R12: commitment letter → active ────────────────────────────────────────────────────────

  async submitCommitmentLetter(applicationId: string, actor: Actor, doc: Omit<DocumentInput, 'type'>): Promise<ApplicationView> {
    return this.store.transaction(async (trx) => {
      const row = await this.#load(trx, applicationId, actor, true)
      this.#requireState(row, ['commitment'], 'a commitment letter')
      const stored = await this.#insertDocument(trx, actor, row.id, { ...doc, type: COMMITMENT_LETTER_TYPE })
      const title = ADMISSION_TITLES[row.kind as ProviderKind]
      return toView(await this.fire(row.id, 'submit-commitment', actor, {
        reasons: ['signed service commitment letter received'],
        data: { documentId: stored.id, sha256: stored.sha256, title },
        effect: async () => ({ commitment_letter_sha256: stored.sha256, title }),
      }, trx))
    })
  }

  async withdraw(applicationId: string, actor: Actor, reasons: string[]): Promise<ApplicationView> {
    return toView(await this.fire(applicationId, 'withdraw', actor, { reasons }))
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────

  async get(applicationId: string, actor: Actor): Promise<ApplicationView> {
    return toView(await this.#load(this.store.db, applicationId, actor, false))
  }

  /**
   * `detail` as the JSON text a route sends, kept per (application, scope) with the store's change
   * stamp read before the query, and served again while the stamp is unchanged. Any write anywhere
   * in the database (this process, another connection, another gateway instance on PostgreSQL)
   * changes the stamp, so a cached answer is always what the query would return now. The reviewer
   * console reads this on every page view; a hit costs the stamp instead of the five-table aggregate.
   */
  async detailJson(applicationId: string, actor: Actor): Promise<string> {
    const pending = this.store.changeStamp()
    const stamp = typeof pending === 'string' ? pending : await pending
    const key = actor.role === 'provider' ? `${applicationId}\u0000${actor.providerId ?? ''}` : applicationId
    const hit = this.#detailCache.get(key)
    if (hit?.stamp === stamp) return hit.json
    const json = JSON.stringify(await this.detail(applicationId, actor))
    this.#detailCache.set(key, { stamp, json })
    return json
  }

  readonly #detailCache = new LRUCache<string, { stamp: string; json: string }>({ max: 1000, maxSize: 64 * 1024 * 1024, sizeCalculation: (v) => v.json.length + 64 })

  async detail(applicationId: string, actor: Actor): Promise<{ application: ApplicationView; documents: DocumentView[]; scores: Awaited<ReturnType<Workflow['roadshowScores']>>; objections: ObjectionView[]; auditTrail: AuditEntry[] }> {
    // One statement (one read snapshot, one round trip) instead of five: the reviewer console reads
    // this on every page view. The provider scope is in the WHERE clause, so another provider's id
    // reads as absent exactly as #load does.
    const scoped = actor.role === 'provider'
    const text = DETAIL_SQL[this.store.dialect][scoped ? 'provider' : 'any']
    const { rows } = await this.store.db.executeQuery<DetailRow>(CompiledQuery.raw(text, scoped ? [applicationId, actor.providerId ?? '\u0000'] : [applicationId]))
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

  async list(filter: { state?: ApplicationState; providerId?: string; limit?: number }): Promise<ApplicationView[]> {
    let q = this.store.db.selectFrom('applications').selectAll()
    if (filter.state) q = q.where('state', '=', filter.state)
    if (filter.providerId !== undefined) q = q.where('provider_id', '=', filter.providerId)
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(Math.min(filter.limit ?? 100, 500)).execute()
    return rows.map(toView)
  }

  /** Applications per state (every state present, zero included), for the skillgate_applications gauge. */
  async countByState(): Promise<Record<ApplicationState, number>> {
    const rows = await this.store.db.selectFrom('applications').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute()
    const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ApplicationState, number>
    for (const r of rows) if ((STATES as readonly string[]).includes(r.state)) out[r.state as ApplicationState] = Number(r.n)
    return out
  }
}

export interface JointReviewRecord {
  recommend: boolean
  record: string
  decidedBy: string
  decidedAt: number
  scores: { reviewer: string; score: number; comments: string }[]
  meanScore: number
}
