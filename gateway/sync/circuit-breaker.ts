// Per-provider circuit breaker for catalogue sync, persisted in sync_state so every gateway
// instance sees the same state: closed → open after `failureThreshold` consecutive failures →
// half-open once `coolDownMs` has passed (one trial run) → closed on success, open again on failure.
import type { CircuitState } from '../store/schema.js'

export interface CircuitSettings {
  failureThreshold: number
  coolDownMs: number
}

export interface CircuitSnapshot {
  circuit: CircuitState
  consecutiveFailures: number
  openedAt: number | null
}

export const CLOSED: CircuitSnapshot = Object.freeze({ circuit: 'closed', consecutiveFailures: 0, openedAt: null })

/** Whether a run may call the provider now, and the state it runs under. */
export function admit(s: CircuitSnapshot, now: number, settings: CircuitSettings): { allowed: boolean; runAs: CircuitState; retryAt?: number } {
  if (s.circuit !== 'open') return { allowed: true, runAs: s.circuit }
  const retryAt = (s.openedAt ?? 0) + settings.coolDownMs
  return now >= retryAt ? { allowed: true, runAs: 'half-open' } : { allowed: false, runAs: 'open', retryAt }
}

export function afterSuccess(): CircuitSnapshot {
  return { ...CLOSED }
}

export function afterFailure(s: CircuitSnapshot, runAs: CircuitState, now: number, settings: CircuitSettings): CircuitSnapshot {
  const consecutiveFailures = s.consecutiveFailures + 1
  // A failed trial re-opens at once: the provider has not recovered.
  if (runAs === 'half-open' || consecutiveFailures >= settings.failureThreshold) return { circuit: 'open', consecutiveFailures, openedAt: now }
  return { circuit: 'closed', consecutiveFailures, openedAt: null }
}
