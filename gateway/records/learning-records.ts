// Learning records (学习记录), the basis of training subsidies. Pushed by providers (signed batches)
// or pulled by the gateway; idempotent on (providerId, statement id) with INSERT … ON CONFLICT DO
// NOTHING on both engines, so a retried batch never duplicates. Statements are immutable: a voiding
// statement marks its target (voided_at, voided_by) and both stay. Records are kept at least 1095
// days: the only delete path is `purgeOlderThan`, which refuses any cutoff inside that window.
import { CompiledQuery } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { LearningRecord } from '../../specs/types.gen.js'
import type { Store } from '../store/open-store.js'
import type { LearningRecordsTable } from '../store/schema.js'

export const RETENTION_DAYS = 1095
const DAY_MS = 86_400_000
export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided'
const CHUNK = 200

export interface IngestResult {
  received: number
  /** Newly stored statements (the rest were already stored: idempotent retries). */
  stored: number
  duplicates: number
  /** Statements marked voided by this batch (including earlier statements voided now). */
  voided: number
}

export interface RecordView {
  providerId: string
  statementId: string
  learnerAccount: string
  verb: string
  courseId: string | null
  lessonId: string | null
  voidsStatementId: string | null
  completion: boolean | null
  effectiveSeconds: number | null
  timestamp: string
  receivedAt: number
  via: 'push' | 'pull'
  voided: boolean
  voidedBy: string | null
}

export interface RecordQuery {
  providerId?: string
  courseId?: string
  learnerAccount?: string
  /** Voided statements and voiding statements are listed too (default: only effective records). */
  includeVoided?: boolean
  cursor?: string
  limit?: number
}

type Row = LearningRecordsTable

function toRow(providerId: string, s: LearningRecord, via: 'push' | 'pull', now: number): Row {
  const isVoid = s.verb.id === VOIDED_VERB
  const object = s.object as { objectType: string; courseId?: string; lessonId?: string; id?: string }
  return {
    provider_id: providerId,
    statement_id: s.id.toLowerCase(),
    learner_account: s.actor.account.name,
    learner_home_page: s.actor.account.homePage,
    verb: s.verb.id,
    course_id: isVoid ? null : (object.courseId ?? null),
    lesson_id: isVoid ? null : (object.lessonId ?? null),
    voids_statement_id: isVoid ? (object.id ?? '').toLowerCase() : null,
    completion: s.result ? (s.result.completion ? 1 : 0) : null,
    effective_seconds: s.result?.effectiveSeconds ?? null,
    statement_at: Date.parse(s.timestamp),
    statement: JSON.stringify(s),
    via,
    received_at: now,
    voided_at: null,
    voided_by: null,
  }
}

const COLUMNS = ['provider_id', 'statement_id', 'learner_account', 'learner_home_page', 'verb', 'course_id', 'lesson_id', 'voids_statement_id', 'completion', 'effective_seconds', 'statement_at', 'statement', 'via', 'received_at', 'voided_at', 'voided_by'] as const satisfies ReadonlyArray<keyof Row>

type MissingColumns = Exclude<keyof Row, (typeof COLUMNS)[number]>
// A column added to the table but not here fails to compile instead of being silently dropped.
const everyColumnListed: [MissingColumns] extends [never] ? true : MissingColumns = true
void everyColumnListed

const rowValues = (r: Row): unknown[] => COLUMNS.map((c) => r[c])

const insertSqlCache = new Map<string, string>()
/** `INSERT … VALUES (…),(…) ON CONFLICT DO NOTHING` for n rows; n ≤ CHUNK keeps SQLite under its variable limit. */
function insertSql(dialect: Store['dialect'], n: number): string {
  const key = `${dialect}:${n}`
  let text = insertSqlCache.get(key)
  if (text === undefined) {
    let p = 0
    const param = dialect === 'postgres' ? () => `$${++p}` : () => '?'
    const tuples = Array.from({ length: n }, () => `(${COLUMNS.map(param).join(', ')})`).join(', ')
    text = `insert into learning_records (${COLUMNS.join(', ')}) values ${tuples} on conflict (provider_id, statement_id) do nothing`
    insertSqlCache.set(key, text)
  }
  return text
}

const encodeCursor = (r: { statement_at: number; provider_id: string; statement_id: string }): string =>
  Buffer.from(JSON.stringify([r.statement_at, r.provider_id, r.statement_id])).toString('base64url')

function decodeCursor(c: string): [number, string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string' && typeof v[2] === 'string') return [v[0], v[1], v[2]]
  } catch { /* the client's error below */ }
  throw sgError('SG_ERR_BAD_CURSOR', 'use the nextCursor of the previous page')
}

export class LearningRecords {
  readonly #store: Store
  readonly #now: () => number

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store
    this.#now = now
  }

  /** Stores a schema-valid batch in one transaction. A voiding statement may not void itself or another voiding statement. */
  async ingest(providerId: string, statements: readonly LearningRecord[], via: 'push' | 'pull'): Promise<IngestResult> {
    const now = this.#now()
    const rows = statements.map((s) => toRow(providerId, s, via, now))
    const unique = [...new Map(rows.map((r) => [r.statement_id, r])).values()]
    for (const r of unique) {
      if (r.voids_statement_id === r.statement_id) throw sgError('SG_ERR_RECORDS_VOID_TARGET', `statement ${r.statement_id} voids itself`)
      if (r.voids_statement_id !== null && unique.some((o) => o.statement_id === r.voids_statement_id && o.voids_statement_id !== null)) {
        throw sgError('SG_ERR_RECORDS_VOID_TARGET', `statement ${r.statement_id} voids a voiding statement`)
      }
    }
    const dialect = this.#store.dialect
    return this.#store.transaction(async (trx) => {
      let stored = 0
      // Plain SQL text: building a 16-column × 200-row insert through the query builder cost more
      // than the engine took to run it (bench/records.ts). PostgreSQL gets multi-row chunks (one
      // round trip each); on SQLite, in-process, one prepared single-row statement run per row
      // costs about a third less than a multi-row VALUES list.
      const rowsPerStatement = dialect === 'sqlite' ? 1 : CHUNK
      for (let i = 0; i < unique.length; i += rowsPerStatement) {
        const chunk = unique.slice(i, i + rowsPerStatement)
        const r = await trx.executeQuery(CompiledQuery.raw(insertSql(dialect, chunk.length), chunk.flatMap(rowValues)))
        stored += Number(r.numAffectedRows ?? 0n)
      }
      const targets = unique.filter((r) => r.voids_statement_id !== null)
      if (targets.length > 0) {
        const stale = await trx.selectFrom('learning_records').select('statement_id').where('provider_id', '=', providerId)
          .where('statement_id', 'in', targets.map((r) => r.voids_statement_id!)).where('verb', '=', VOIDED_VERB).execute()
        if (stale.length > 0) throw sgError('SG_ERR_RECORDS_VOID_TARGET', `statement ${stale[0]!.statement_id} is itself a voiding statement`)
      }
      // Pairs (voiding → target) to apply now: voids in this batch, and earlier voids whose target arrives only now.
      const pairs = targets.map((r) => ({ by: r.statement_id, target: r.voids_statement_id! }))
      const plain = unique.filter((r) => r.voids_statement_id === null).map((r) => r.statement_id)
      // Most providers never void: one index probe saves a lookup per statement.
      const anyVoids = plain.length > 0 && (await trx.selectFrom('learning_records').select('statement_id').where('provider_id', '=', providerId)
        .where('voids_statement_id', 'is not', null).limit(1).executeTakeFirst()) !== undefined
      for (let i = 0; anyVoids && i < plain.length; i += CHUNK) {
        const earlier = await trx.selectFrom('learning_records').select(['statement_id', 'voids_statement_id']).where('provider_id', '=', providerId)
          .where('voids_statement_id', 'in', plain.slice(i, i + CHUNK)).execute()
        for (const e of earlier) pairs.push({ by: e.statement_id, target: e.voids_statement_id! })
      }
      let voided = 0
      for (const p of pairs) {
        const r = await trx.updateTable('learning_records').set({ voided_at: now, voided_by: p.by })
          .where('provider_id', '=', providerId).where('statement_id', '=', p.target).where('voided_at', 'is', null).where('verb', '!=', VOIDED_VERB)
          .executeTakeFirst()
        voided += Number(r.numUpdatedRows)
      }
      return { received: statements.length, stored, duplicates: statements.length - stored, voided }
    })
  }

  async query(q: RecordQuery): Promise<{ items: RecordView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000)
    const rows = await this.#select(q, limit + 1)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
  }

  /** Every matching record in order, a page at a time (CSV export streams this). */
  async *scan(q: Omit<RecordQuery, 'cursor' | 'limit'>, pageSize = 1000): AsyncGenerator<RecordView> {
    let cursor: string | undefined
    for (;;) {
      const rows = await this.#select({ ...q, ...(cursor === undefined ? {} : { cursor }) }, pageSize)
      for (const r of rows) yield toView(r)
      const last = rows.at(-1)
      if (rows.length < pageSize || !last) return
      cursor = encodeCursor(last)
    }
  }

  async #select(q: RecordQuery, limit: number): Promise<Row[]> {
    let s = this.#store.db.selectFrom('learning_records').selectAll()
    if (q.providerId !== undefined) s = s.where('provider_id', '=', q.providerId)
    if (q.courseId !== undefined) s = s.where('course_id', '=', q.courseId)
    if (q.learnerAccount !== undefined) s = s.where('learner_account', '=', q.learnerAccount)
    if (q.includeVoided !== true) s = s.where('voided_at', 'is', null).where('verb', '!=', VOIDED_VERB)
    if (q.cursor !== undefined) {
      const [at, p, id] = decodeCursor(q.cursor)
      s = s.where((eb) => eb.or([
        eb('statement_at', '>', at),
        eb.and([eb('statement_at', '=', at), eb.or([eb('provider_id', '>', p), eb.and([eb('provider_id', '=', p), eb('statement_id', '>', id)])])]),
      ]))
    }
    return s.orderBy('statement_at').orderBy('provider_id').orderBy('statement_id').limit(limit).execute()
  }

  async count(providerId?: string): Promise<number> {
    let s = this.#store.db.selectFrom('learning_records').select((eb) => eb.fn.countAll<number>().as('n'))
    if (providerId !== undefined) s = s.where('provider_id', '=', providerId)
    return Number((await s.executeTakeFirstOrThrow()).n)
  }

  /**
   * The only delete path (R5.3-5b applies the same 3-year rule to stored courses; subsidies need the
   * records as long). Refuses any cutoff later than now − 1095 days, so nothing younger can go.
   */
  async purgeOlderThan(cutoffMs: number): Promise<{ deleted: number }> {
    const latestAllowed = this.#now() - RETENTION_DAYS * DAY_MS
    if (!(cutoffMs <= latestAllowed)) {
      throw sgError('SG_ERR_RECORDS_RETENTION', `cutoff ${new Date(cutoffMs).toISOString()} is inside the ${RETENTION_DAYS}-day retention window (earliest deletable: received before ${new Date(latestAllowed).toISOString()})`, { retentionDays: RETENTION_DAYS })
    }
    const r = await this.#store.db.deleteFrom('learning_records').where('received_at', '<', cutoffMs).executeTakeFirst()
    return { deleted: Number(r.numDeletedRows) }
  }
}

function toView(r: Row): RecordView {
  return {
    providerId: r.provider_id,
    statementId: r.statement_id,
    learnerAccount: r.learner_account,
    verb: r.verb,
    courseId: r.course_id,
    lessonId: r.lesson_id,
    voidsStatementId: r.voids_statement_id,
    completion: r.completion === null ? null : r.completion === 1,
    effectiveSeconds: r.effective_seconds,
    timestamp: (JSON.parse(r.statement) as { timestamp: string }).timestamp,
    receivedAt: r.received_at,
    via: r.via,
    voided: r.voided_at !== null,
    voidedBy: r.voided_by,
  }
}

export const CSV_HEADER = ['provider_id', 'statement_id', 'learner_account', 'course_id', 'lesson_id', 'verb', 'completion', 'effective_seconds', 'timestamp', 'received_at', 'via', 'voided', 'voided_by'] as const

export function csvValues(v: RecordView): Array<string | number | boolean | null> {
  return [v.providerId, v.statementId, v.learnerAccount, v.courseId, v.lessonId, v.verb.replace(/^.*\//, ''), v.completion, v.effectiveSeconds, v.timestamp, new Date(v.receivedAt).toISOString(), v.via, v.voided, v.voidedBy]
}
