// Append-only, hash-chained audit log (every admission-workflow transition is written here).
//
// Row n stores hash_n = sha256hex(canonicalJson({ seq, at, actor, action, subjectType, subjectId,
// data, prevHash })) with prevHash = hash_{n-1} (64 zeros for seq 1). Editing any field of a row
// breaks its own hash; deleting a row leaves a gap in seq and breaks the next link. Deleting the
// newest rows cannot be seen from inside the table, so publish `head()` elsewhere (a report, a
// second system) and pass it to `verify({ expectHead })`.
//
// Appends are serialised so two writers never chain onto the same head: on PostgreSQL with a
// transaction-scoped advisory lock per schema, on SQLite by the BEGIN IMMEDIATE write lock.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Transaction } from 'kysely'
import type { Store } from '../store/open-store.js'
import type { AuditRow, Database } from '../store/schema.js'
import { canonicalJson } from '../../specs/lib/canonical-json.js'

export const GENESIS_HASH = '0'.repeat(64)
// First key of pg_advisory_xact_lock(int, int); the second is the schema, so schemas do not contend.
const AUDIT_LOCK_CLASS = 0x5347_4155 // 'SGAU'

export interface AuditEntryInput {
  /** Who: 'reviewer:<tokenId>', 'provider:<id>', 'system:<job kind>', … */
  actor: string
  /** What happened, e.g. 'application.submitted', 'publicity.started'. */
  action: string
  subjectType: string
  subjectId: string
  data?: unknown
  /** Epoch ms; default now. */
  at?: number
}

export interface AuditEntry {
  seq: number
  at: number
  actor: string
  action: string
  subjectType: string
  subjectId: string
  data: unknown
  prevHash: string
  hash: string
}

export type AuditVerifyProblem = 'missing' | 'broken-link' | 'hash-mismatch' | 'head-mismatch'

export interface AuditVerifyResult {
  ok: boolean
  /** Rows checked before the first problem (or all of them). */
  checked: number
  firstBadSeq?: number
  problem?: AuditVerifyProblem
}

export function auditHash(fields: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, subjectType, subjectId, data, prevHash } = fields
  const canonical = canonicalJson({ seq, at, actor, action, subjectType, subjectId, data, prevHash })
  return createHash('sha256').update(canonical, 'utf8').digest('hex')
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: JSON.parse(row.data) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}

export class AuditLog {
  readonly #store: Store
  constructor(store: Store) {
    this.#store = store
  }

  /**
   * Appends one entry. Pass the caller's transaction to make the entry atomic with the change it
   * records (a workflow transition and its audit row commit or roll back together).
   */
  async append(input: AuditEntryInput, trx?: Transaction<Database>): Promise<AuditEntry> {
    if (trx) return this.#appendIn(trx, input)
    return this.#store.transaction((t) => this.#appendIn(t, input))
  }

  async #appendIn(trx: Transaction<Database>, input: AuditEntryInput): Promise<AuditEntry> {
    if (this.#store.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(current_schema()))`.execute(trx)
    }
    const head = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()
    // Round-trip data through canonical JSON so what is hashed is exactly what is stored and re-read.
    const dataText = canonicalJson(input.data ?? null)
    const fields = {
      seq: (head?.seq ?? 0) + 1,
      at: input.at ?? Date.now(),
      actor: input.actor,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      data: JSON.parse(dataText) as unknown,
      prevHash: head?.hash ?? GENESIS_HASH,
    }
    const hash = auditHash(fields)
    await trx
      .insertInto('audit_log')
      .values({
        seq: fields.seq,
        at: fields.at,
        actor: fields.actor,
        action: fields.action,
        subject_type: fields.subjectType,
        subject_id: fields.subjectId,
        data: dataText,
        prev_hash: fields.prevHash,
        hash,
      })
      .execute()
    return { ...fields, hash }
  }

  /** The newest entry's seq and hash (seq 0 and the genesis hash when empty): publish it as an anchor. */
  async head(): Promise<{ seq: number; hash: string }> {
    const row = await this.#store.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()
    return row ?? { seq: 0, hash: GENESIS_HASH }
  }

  /** Entries about one subject, oldest first. */
  async forSubject(subjectType: string, subjectId: string): Promise<AuditEntry[]> {
    const rows = await this.#store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_type', '=', subjectType)
      .where('subject_id', '=', subjectId)
      .orderBy('seq')
      .execute()
    return rows.map(toEntry)
  }

  /** Re-computes the whole chain, page by page, and reports the first row that does not hold. */
  async verify(options: { expectHead?: { seq: number; hash: string }; pageSize?: number } = {}): Promise<AuditVerifyResult> {
    const pageSize = options.pageSize ?? 1000
    let expectedSeq = 1
    let prevHash = GENESIS_HASH
    let checked = 0
    for (;;) {
      const rows = await this.#store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(pageSize)
        .execute()
      for (const row of rows) {
        if (row.seq !== expectedSeq) return { ok: false, checked, firstBadSeq: expectedSeq, problem: 'missing' }
        if (row.prev_hash !== prevHash) return { ok: false, checked, firstBadSeq: row.seq, problem: 'broken-link' }
        let recomputed: string
        try {
          recomputed = auditHash({ ...toEntry(row) })
        } catch {
          recomputed = ''
        }
        if (recomputed !== row.hash) return { ok: false, checked, firstBadSeq: row.seq, problem: 'hash-mismatch' }
        prevHash = row.hash
        expectedSeq++
        checked++
      }
      if (rows.length < pageSize) break
    }
    const anchor = options.expectHead
    if (anchor && anchor.seq > 0) {
      if (checked < anchor.seq) return { ok: false, checked, firstBadSeq: checked + 1, problem: 'missing' }
      const row = await this.#store.db.selectFrom('audit_log').select('hash').where('seq', '=', anchor.seq).executeTakeFirst()
      if (row?.hash !== anchor.hash) return { ok: false, checked, firstBadSeq: anchor.seq, problem: 'head-mismatch' }
    }
    return { ok: true, checked }
  }
}
