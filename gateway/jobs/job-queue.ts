// Durable job queue with leases, shared by every gateway instance that uses the same database.
//
// A job is claimable when it is queued and due, or when it is running but its lease has expired
// (its worker died): claiming sets status=running, a lease and attempts+1. Each lease is fenced
// by (locked_by, attempts), so a worker that lost its lease cannot complete or fail a job that
// another worker has since taken over. PostgreSQL claims with SELECT … FOR UPDATE SKIP LOCKED so
// concurrent claimers never wait on or receive the same row; SQLite has a single writer and claims
// with one UPDATE … WHERE id = (SELECT …) RETURNING statement.
//
// A dead job finishes its subject: `onDead(kind, hook)` registers what the job was about (a package,
// an application, a provider's sync) and the hook runs in the same transaction that marks the job
// dead, whether the last attempt failed or its worker died (lease expired with no attempts left),
// so a subject never stays 'checking' behind a dead job. The reason starts with SG_ERR_JOB_DIED.
import { randomUUID } from 'node:crypto'
import type { Expression, ExpressionBuilder, Kysely, SqlBool, Transaction, UpdateQueryBuilder, UpdateResult } from 'kysely'
import type { Store } from '../store/open-store.js'
import type { Database, JobRow, JobStatus } from '../store/schema.js'

export type { JobStatus }

export interface EnqueueInput<P = unknown> {
  kind: string
  payload: P
  /** Not before this instant (epoch ms or Date); default now. */
  runAt?: number | Date
  /** Unique: enqueueing the same key again is a no-op that returns the existing job. */
  idempotencyKey?: string
  /** Claims allowed before the job is dead (default 5). */
  maxAttempts?: number
}

export interface Job<P = unknown> {
  id: string
  kind: string
  payload: P
  status: JobStatus
  idempotencyKey: string | null
  runAt: number
  attempts: number
  maxAttempts: number
  lockedBy: string | null
  leaseUntil: number | null
  lastError: string | null
  result: unknown
  createdAt: number
  updatedAt: number
  finishedAt: number | null
}

/** A job this worker holds a lease on. The lease is identified by id + lockedBy + attempts. */
export interface ClaimedJob<P = unknown> extends Job<P> {
  status: 'running'
  lockedBy: string
  leaseUntil: number
}

export type LeaseRef = Pick<ClaimedJob, 'id' | 'lockedBy' | 'attempts' | 'maxAttempts'>
export type FailOutcome = 'retry' | 'dead' | 'lost'

export interface JobQueueOptions {
  /** Clock (epoch ms); injectable so tests can move past a lease without waiting. */
  now?: () => number
  /** Delay before retry number `attempts + 1` (default 1 s · 2^(attempts−1), capped at 1 h). */
  backoffMs?: (attempts: number) => number
  defaultMaxAttempts?: number
  /** Told when a dead-job hook throws (the job is then left to be buried again later). */
  onHookError?: (err: unknown, job: Job) => void
}

/**
 * Settles a dead job's subject inside the transaction that marks the job dead. `reason` is
 * `SG_ERR_JOB_DIED: <why>` (the last error, or that the lease expired with no attempts left).
 */
export type DeadJobHook = (job: Job, reason: string, trx: Transaction<Database>) => Promise<void>

export const JOB_DIED = 'SG_ERR_JOB_DIED'
export const LEASE_EXPIRED = 'lease expired with no attempts left'

export const defaultBackoffMs = (attempts: number): number => Math.min(1000 * 2 ** Math.max(0, attempts - 1), 3_600_000)

/** Thrown by a handler to mark the job dead at once instead of retrying it. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PermanentJobError'
  }
}

type Db = Kysely<Database>

function toJob<P>(row: JobRow): Job<P> {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as P,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.slice(0, 4000)
}

export class JobQueue {
  readonly store: Store
  readonly #now: () => number
  readonly #backoffMs: (attempts: number) => number
  readonly #defaultMaxAttempts: number
  readonly #deadHooks = new Map<string, DeadJobHook>()
  readonly #onHookError: (err: unknown, job: Job) => void

  constructor(store: Store, options: JobQueueOptions = {}) {
    this.store = store
    this.#now = options.now ?? Date.now
    this.#backoffMs = options.backoffMs ?? defaultBackoffMs
    this.#defaultMaxAttempts = options.defaultMaxAttempts ?? 5
    this.#onHookError = options.onHookError ?? (() => undefined)
  }

  /**
   * Registers how a dead job of `kind` settles its subject (one hook per kind). Register it on the
   * queue the kind's Worker claims with: a claim buries the expired jobs of the kinds it claims.
   */
  onDead(kind: string, hook: DeadJobHook): this {
    this.#deadHooks.set(kind, hook)
    return this
  }

  /**
   * Adds a job. Pass `trx` to enqueue atomically with the caller's own writes (transactional
   * outbox). With an idempotency key that exists already, nothing is written and the existing job
   * is returned with `created: false`.
   */
  async enqueue<P>(input: EnqueueInput<P>, trx: Db = this.store.db): Promise<{ job: Job<P>; created: boolean }> {
    const now = this.#now()
    const runAt = input.runAt === undefined ? now : input.runAt instanceof Date ? input.runAt.getTime() : input.runAt
    const id = randomUUID()
    const result = await trx
      .insertInto('jobs')
      .values({
        id,
        kind: input.kind,
        payload: JSON.stringify(input.payload ?? null),
        status: 'queued',
        idempotency_key: input.idempotencyKey ?? null,
        run_at: runAt,
        max_attempts: input.maxAttempts ?? this.#defaultMaxAttempts,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst()
    const created = Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
    const row = created
      ? await trx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      : await trx.selectFrom('jobs').selectAll().where('idempotency_key', '=', input.idempotencyKey ?? '').executeTakeFirstOrThrow()
    return { job: toJob<P>(row), created }
  }

  async get<P = unknown>(id: string): Promise<Job<P> | undefined> {
    const row = await this.store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toJob<P>(row) : undefined
  }

  async getByIdempotencyKey<P = unknown>(key: string): Promise<Job<P> | undefined> {
    const row = await this.store.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst()
    return row ? toJob<P>(row) : undefined
  }

  /** Claims the next due job of one of `kinds` for `leaseMs`, or returns undefined when none is due. */
  async claim<P = unknown>(workerId: string, kinds: readonly string[], leaseMs: number): Promise<ClaimedJob<P> | undefined> {
    if (kinds.length === 0) return undefined
    const now = this.#now()
    await this.#buryExhausted(now, kinds)
    const claimable = (eb: ExpressionBuilder<Database, 'jobs'>): Expression<SqlBool> =>
      eb.and([
        eb('kind', 'in', kinds),
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', now), eb('attempts', '<', eb.ref('max_attempts'))]),
        ]),
      ])
    const take = {
      status: 'running' as const,
      locked_by: workerId,
      lease_until: now + leaseMs,
      attempts: (eb: ExpressionBuilder<Database, 'jobs'>) => eb('attempts', '+', 1),
      updated_at: now,
    }
    let row: JobRow | undefined
    if (this.store.dialect === 'postgres') {
      row = await this.store.transaction(async (trx) => {
        const candidate = await trx
          .selectFrom('jobs')
          .select('id')
          .where(claimable)
          .orderBy('run_at')
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst()
        if (!candidate) return undefined
        return trx.updateTable('jobs').set(take).where('id', '=', candidate.id).returningAll().executeTakeFirst()
      })
    } else {
      const db = this.store.db
      row = await db
        .updateTable('jobs')
        .set(take)
        .where('id', '=', (eb) => eb.selectFrom('jobs').select('id').where(claimable).orderBy('run_at').orderBy('id').limit(1))
        .returningAll()
        .executeTakeFirst()
    }
    return row ? (toJob<P>(row) as ClaimedJob<P>) : undefined
  }

  /** Extends the lease; false means the lease was lost (expired and taken over) and work should stop. */
  async heartbeat(lease: LeaseRef, leaseMs: number): Promise<boolean> {
    const now = this.#now()
    const r = await this.#fenced(lease).set({ lease_until: now + leaseMs, updated_at: now }).executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Marks the job done with an optional JSON result; false when the lease was lost. */
  async complete(lease: LeaseRef, result?: unknown): Promise<boolean> {
    const now = this.#now()
    const r = await this.#fenced(lease)
      .set({
        status: 'done',
        result: result === undefined ? null : JSON.stringify(result),
        lease_until: null,
        finished_at: now,
        updated_at: now,
        last_error: null,
      })
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /**
   * Records a failure: the job is queued again after the back-off, or dead once it has used
   * maxAttempts claims (or at once for a PermanentJobError / `permanent`). 'lost' = lease lost.
   */
  async fail(lease: LeaseRef, error: unknown, options: { permanent?: boolean } = {}): Promise<FailOutcome> {
    const now = this.#now()
    const dead = options.permanent === true || error instanceof PermanentJobError || lease.attempts >= lease.maxAttempts
    if (dead) {
      const buried = await this.#bury((trx) => this.#fenced(lease, trx), now, errorText(error))
      return buried ? 'dead' : 'lost'
    }
    const r = await this.#fenced(lease)
      .set({
        status: 'queued',
        last_error: errorText(error),
        locked_by: null,
        lease_until: null,
        run_at: now + this.#backoffMs(lease.attempts),
        updated_at: now,
      })
      .executeTakeFirst()
    return Number(r.numUpdatedRows) !== 1 ? 'lost' : 'retry'
  }

  /** Job counts per status (for /metrics). */
  async countByStatus(): Promise<Record<JobStatus, number>> {
    const rows = await this.store.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute()
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 }
    for (const r of rows) out[r.status] = Number(r.n)
    return out
  }

  #fenced(lease: LeaseRef, db: Db = this.store.db) {
    return db
      .updateTable('jobs')
      .where('id', '=', lease.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', lease.lockedBy)
      .where('attempts', '=', lease.attempts)
  }

  /**
   * Marks one job dead with `error` and, in the same transaction, runs its kind's dead hook. The
   * update is conditional (`fence`), so of several instances burying one job only one settles it.
   */
  async #bury(fence: (trx: Db) => UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>, now: number, error: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const r = await fence(trx).set({ status: 'dead', last_error: error, lease_until: null, finished_at: now, updated_at: now }).returningAll().executeTakeFirst()
      if (!r) return false
      const hook = this.#deadHooks.get(r.kind)
      if (hook) await hook(toJob(r), `${JOB_DIED}: ${error}`, trx)
      return true
    })
  }

  // A job whose worker keeps dying (say, it crashes the process) would otherwise be taken over
  // forever: once its lease expires with no attempts left it is dead, and its subject is settled.
  async #buryExhausted(now: number, kinds: readonly string[]): Promise<void> {
    const expired = await this.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', 'in', kinds)
      .where('status', '=', 'running')
      .where('lease_until', '<=', now)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .execute()
    for (const row of expired) {
      const error = row.last_error ? `${LEASE_EXPIRED} (last error: ${row.last_error})`.slice(0, 4000) : LEASE_EXPIRED
      try {
        await this.#bury((trx) => this.#fenced({ id: row.id, lockedBy: row.locked_by ?? '', attempts: row.attempts, maxAttempts: row.max_attempts }, trx).where('lease_until', '<=', now), now, error)
      } catch (err) {
        // A hook that cannot settle its subject leaves the job expired: the next claim tries again.
        this.#onHookError(err, toJob(row))
      }
    }
  }
}
