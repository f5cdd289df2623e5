// Bearer tokens for reviewers, admins and providers' portal users. Only sha256(token) is stored:
// a database leak yields no usable token. The token is shown once, at creation.
import { hash, randomBytes, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { ApiTokenRole, Database } from './schema.js'

export const API_TOKEN_PREFIX = 'sgt_'
const ROLES: readonly ApiTokenRole[] = ['reviewer', 'admin', 'provider', 'training-body']

export interface ApiTokenIdentity {
  id: string
  role: ApiTokenRole
  providerId: string | null
  /** Set for role 'training-body': the 参培主体 (gateway/assessment/training-bodies.ts). */
  trainingBodyId?: string | null
  label: string
  createdAt: number
}

export interface CreateApiTokenInput {
  role: ApiTokenRole
  /** Required for role 'provider' (whose data the token may touch), forbidden otherwise. */
  providerId?: string | null
  /** Required for role 'training-body', forbidden otherwise. */
  trainingBodyId?: string | null
  label: string
}

// One-shot digest: a Hash object per request was a tenth of an authenticated read's CPU (bench/gateway).
export const hashApiToken = (token: string): string => hash('sha256', token, 'hex')

/**
 * Verified tokens are remembered briefly so an authenticated read costs no extra query. A revoke on
 * this instance takes effect at once; on another instance sharing the database, within the TTL.
 * The cache is keyed by the presented token itself (process memory only, like the request header
 * it came in), so a hit costs no digest; only the database holds hashes.
 */
export const TOKEN_CACHE_TTL_MS = 5000
const TOKEN_CACHE_MAX = 10_000

export class ApiTokenRepository {
  readonly #db: Kysely<Database>
  readonly #cache = new Map<string, { identity: ApiTokenIdentity; until: number }>()
  readonly #ttlMs: number
  readonly #now: () => number
  constructor(db: Kysely<Database>, opts: { cacheTtlMs?: number; now?: () => number } = {}) {
    this.#db = db
    this.#ttlMs = opts.cacheTtlMs ?? TOKEN_CACHE_TTL_MS
    this.#now = opts.now ?? Date.now
  }

  /** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
  async create(input: CreateApiTokenInput, nowMs: number = Date.now()): Promise<{ token: string; identity: ApiTokenIdentity }> {
    if (!ROLES.includes(input.role)) throw sgError('SG_ERR_TOKEN_INVALID_INPUT', `unknown role ${String(input.role)}`)
    const providerId = input.providerId ?? null
    if ((input.role === 'provider') !== (providerId !== null)) {
      throw sgError('SG_ERR_TOKEN_INVALID_INPUT', 'providerId is required for role provider and forbidden for other roles')
    }
    const trainingBodyId = input.trainingBodyId ?? null
    if ((input.role === 'training-body') !== (trainingBodyId !== null)) {
      throw sgError('SG_ERR_TOKEN_INVALID_INPUT', 'trainingBodyId is required for role training-body and forbidden for other roles')
    }
    if (input.label.trim() === '') throw sgError('SG_ERR_TOKEN_INVALID_INPUT', 'label must not be empty')
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url')
    const identity: ApiTokenIdentity = { id: randomUUID(), role: input.role, providerId, trainingBodyId, label: input.label, createdAt: nowMs }
    await this.#db
      .insertInto('api_tokens')
      .values({
        id: identity.id,
        token_hash: hashApiToken(token),
        role: identity.role,
        provider_id: providerId,
        training_body_id: trainingBodyId,
        label: identity.label,
        created_at: nowMs,
      })
      .execute()
    return { token, identity }
  }

  /** The identity of a token verified within the TTL (no query, no digest), else undefined. */
  cached(token: string): ApiTokenIdentity | undefined {
    const hit = this.#cache.get(token)
    return hit && hit.until > this.#now() ? hit.identity : undefined
  }

  /** The identity behind a presented bearer token, or undefined when unknown or revoked. */
  async verify(token: string): Promise<ApiTokenIdentity | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined
    const hit = this.cached(token)
    if (hit) return hit
    const now = this.#now()
    const hash = hashApiToken(token)
    const row = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (!row) {
      this.#cache.delete(token)
      return undefined
    }
    const identity = { id: row.id, role: row.role, providerId: row.provider_id, trainingBodyId: row.training_body_id, label: row.label, createdAt: row.created_at }
    if (this.#ttlMs > 0) {
      if (this.#cache.size >= TOKEN_CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value as string)
      this.#cache.set(token, { identity, until: now + this.#ttlMs })
    }
    return identity
  }

  /** Revokes a token by id; returns false when it does not exist or was already revoked. */
  async revoke(id: string, nowMs: number = Date.now()): Promise<boolean> {
    for (const [key, entry] of this.#cache) if (entry.identity.id === id) this.#cache.delete(key)
    const result = await this.#db
      .updateTable('api_tokens')
      .set({ revoked_at: nowMs })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /**
   * Revokes every live token of a provider (exit, R18/R20) and drops them from this instance's
   * cache. `db` may be an open transaction: then call `forgetProvider` once more after the commit,
   * because a verification racing the transaction can re-cache a token before the commit is seen.
   */
  async revokeAllForProvider(providerId: string, nowMs: number = Date.now(), db: Kysely<Database> = this.#db): Promise<number> {
    this.forgetProvider(providerId)
    const result = await db
      .updateTable('api_tokens')
      .set({ revoked_at: nowMs })
      .where('provider_id', '=', providerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    this.forgetProvider(providerId)
    return Number(result.numUpdatedRows)
  }

  /** Drops a provider's tokens from the verification cache (the next use reads the database). */
  forgetProvider(providerId: string): void {
    for (const [hash, entry] of this.#cache) if (entry.identity.providerId === providerId) this.#cache.delete(hash)
  }

  /** Revokes every live token of a training body and drops them from this instance's cache. */
  async revokeAllForTrainingBody(trainingBodyId: string, nowMs: number = Date.now()): Promise<number> {
    const result = await this.#db.updateTable('api_tokens').set({ revoked_at: nowMs })
      .where('training_body_id', '=', trainingBodyId).where('revoked_at', 'is', null).executeTakeFirst()
    for (const [key, entry] of this.#cache) if (entry.identity.trainingBodyId === trainingBodyId) this.#cache.delete(key)
    return Number(result.numUpdatedRows)
  }

  /** Active and revoked tokens for an admin listing (never the hash). */
  async list(): Promise<Array<ApiTokenIdentity & { revokedAt: number | null }>> {
    const rows = await this.#db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      providerId: r.provider_id,
      label: r.label,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }))
  }
}
