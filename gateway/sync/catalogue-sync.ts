// Catalogue sync from every operating API provider (on-demand, self-hosted): incremental from the
// provider's last serverTime, collected whole and applied atomically, one circuit breaker per
// provider (persisted, so all instances agree), and a cap on providers synced at once.
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import type { Logger } from 'pino'
import { isSkillgateError } from '../../specs/lib/errors.js'
import { createProbeClient } from '../../conformance/net/probe-client.js'
import type { Resolver } from '../../conformance/net/ssrf-guard.js'
import { Semaphore } from '../../conformance/net/semaphore.js'
import { makeSigner } from '../../conformance/signing/index.js'
import type { Store } from '../store/open-store.js'
import type { CircuitState } from '../store/schema.js'
import { admit, afterFailure, afterSuccess, CLOSED } from './circuit-breaker.js'
import type { CircuitSettings, CircuitSnapshot } from './circuit-breaker.js'
import { applyDelta } from './apply-delta.js'
import { collectDelta } from './collect-delta.js'
import type { DeltaLimits } from './collect-delta.js'
import { isOperatingApiProvider } from './provider-directory.js'
import type { ProviderDirectory } from './provider-directory.js'

export interface SyncSettings extends DeltaLimits {
  ssrfMode: 'deny' | 'local'
  /** Wall-clock deadline of one HTTP exchange. */
  deadlineMs: number
  /** Transport-level retries inside one exchange (the probe client backs off between them). */
  retries: number
  /** Providers synced at once by this process. */
  concurrency: number
  circuit: CircuitSettings
  resolver?: Resolver
}

export type SyncOutcomeKind = 'applied' | 'failed' | 'skipped'

export interface SyncOutcome {
  providerId: string
  runId: string
  outcome: SyncOutcomeKind
  /** Why a run was skipped: circuit-open, not-operating, no-key. */
  reason?: string
  pages: number
  upserted: number
  removed: number
  bytes: number
  errorCode?: string
  errorDetail?: string
  circuit: CircuitState
  /** Transient failures (network, deadline, 5xx) are worth a retry; lying data is not. */
  retryable?: boolean
}

const TRANSIENT = new Set(['SG_ERR_NET_DEADLINE', 'SG_ERR_NET_UNREACHABLE', 'SG_ERR_NET_DNS', 'SG_ERR_SYNC_UPSTREAM'])

export class CatalogueSync {
  readonly #store: Store
  readonly #directory: ProviderDirectory
  readonly #settings: SyncSettings
  readonly #now: () => number
  readonly #log: Logger
  readonly #gate: Semaphore

  constructor(opts: { store: Store; directory: ProviderDirectory; settings: SyncSettings; now?: () => number; logger?: Logger }) {
    this.#store = opts.store
    this.#directory = opts.directory
    this.#settings = opts.settings
    this.#now = opts.now ?? Date.now
    this.#log = opts.logger ?? pino({ level: 'silent' })
    this.#gate = new Semaphore(opts.settings.concurrency)
  }

  /** Every operating API provider, at most `concurrency` at once; one provider's failure never stops the others. */
  async syncAll(): Promise<SyncOutcome[]> {
    const providers = await this.#directory.operatingApiProviders()
    return Promise.all(providers.map((p) => this.syncProvider(p.providerId)))
  }

  async syncProvider(providerId: string, signal?: AbortSignal): Promise<SyncOutcome> {
    return this.#gate.run(() => this.#sync(providerId, signal))
  }

  async circuitOf(providerId: string): Promise<CircuitSnapshot & { updatedSince: string | null; lastError: string | null }> {
    const row = await this.#store.db.selectFrom('sync_state').selectAll().where('provider_id', '=', providerId).executeTakeFirst()
    if (!row) return { ...CLOSED, updatedSince: null, lastError: null }
    return { circuit: row.circuit, consecutiveFailures: row.consecutive_failures, openedAt: row.opened_at, updatedSince: row.updated_since, lastError: row.last_error }
  }

  async #sync(providerId: string, signal?: AbortSignal): Promise<SyncOutcome> {
    const started = this.#now()
    const runId = `syn_${randomUUID()}`
    const base = { providerId, runId, pages: 0, upserted: 0, removed: 0, bytes: 0 }
    const provider = await this.#directory.get(providerId)
    const state = await this.circuitOf(providerId)
    if (!isOperatingApiProvider(provider)) return this.#record(started, { ...base, outcome: 'skipped', reason: 'not-operating', circuit: state.circuit })
    const gate = admit(state, started, this.#settings.circuit)
    if (!gate.allowed) return this.#record(started, { ...base, outcome: 'skipped', reason: 'circuit-open', circuit: 'open' })
    const key = await this.#directory.credentials(providerId)
    if (!key) return this.#record(started, { ...base, outcome: 'skipped', reason: 'no-key', circuit: state.circuit })

    const client = createProbeClient({
      mode: this.#settings.ssrfMode,
      deadlineMs: this.#settings.deadlineMs,
      retries: this.#settings.retries,
      concurrency: 1,
      signer: makeSigner({ keyId: key.keyId, secret: key.secret }),
      secrets: [key.secret],
      userAgent: 'skillgate-gateway-sync/0.1',
      ...(this.#settings.resolver ? { resolver: this.#settings.resolver } : {}),
    })
    try {
      const delta = await collectDelta(client, provider.baseUrl, state.updatedSince, this.#settings, signal)
      const now = this.#now()
      const applied = await this.#store.transaction(async (trx) => {
        const counts = await applyDelta(trx, providerId, delta, now)
        await this.#saveState(trx, providerId, afterSuccess(), { updated_since: delta.serverTime, last_attempt_at: now, last_success_at: now, last_error: null })
        return counts
      })
      this.#log.info({ providerId, pages: delta.pages, ...applied }, 'catalogue sync applied')
      return this.#record(started, { ...base, outcome: 'applied', pages: delta.pages, bytes: delta.bytes, ...applied, circuit: 'closed' })
    } catch (err) {
      const code = isSkillgateError(err) ? err.code : 'SG_ERR_INTERNAL'
      const detail = (err as Error).message.slice(0, 1000)
      const next = afterFailure(state, gate.runAs, this.#now(), this.#settings.circuit)
      await this.#saveState(this.#store.db, providerId, next, { last_attempt_at: this.#now(), last_error: `${code}: ${detail}`.slice(0, 2000) })
      this.#log.warn({ providerId, code, circuit: next.circuit }, 'catalogue sync failed; nothing applied')
      return this.#record(started, { ...base, outcome: 'failed', errorCode: code, errorDetail: detail, circuit: next.circuit, retryable: TRANSIENT.has(code) })
    } finally {
      await client.close()
    }
  }

  async #saveState(db: Store['db'], providerId: string, c: CircuitSnapshot, extra: { updated_since?: string; last_attempt_at: number; last_success_at?: number; last_error: string | null }): Promise<void> {
    const values = { circuit: c.circuit, consecutive_failures: c.consecutiveFailures, opened_at: c.openedAt, ...extra }
    await db.insertInto('sync_state').values({ provider_id: providerId, updated_since: null, records_since: null, last_success_at: null, ...values })
      .onConflict((oc) => oc.column('provider_id').doUpdateSet(values)).execute()
  }

  async #record(started: number, o: SyncOutcome): Promise<SyncOutcome> {
    await this.#store.db.insertInto('sync_runs').values({
      id: o.runId, provider_id: o.providerId, started_at: started, finished_at: this.#now(),
      outcome: o.outcome, pages: o.pages, upserted: o.upserted, removed: o.removed, bytes: o.bytes,
      error_code: o.errorCode ?? (o.reason ? `skipped:${o.reason}` : null), error_detail: o.errorDetail ?? null,
    }).execute()
    return o
  }
}
