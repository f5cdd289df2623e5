// Replay protection storage. The verifier only records a nonce after the MAC checks out, so the
// store grows with authentic traffic alone and an attacker cannot fill it or burn others' nonces.
import { sgError } from '../../specs/lib/errors.js'

export interface NonceStore {
  /** Atomically: true if (keyId, nonce) was unseen (and is now recorded until expiresAtMs), false if seen. */
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean>
}

export interface MemoryNonceStoreOptions {
  /** Hard cap; when reached with nothing expired, verification fails closed (SG_ERR_SIG_NONCE_CAPACITY). */
  maxEntries?: number
  /** Epoch-ms clock, injectable for tests. */
  now?: () => number
}

/**
 * In-process store for reference providers, tests and single-instance servers. Entries are bucketed
 * by expiry second, so purging touches only buckets that are due instead of scanning every nonce.
 */
export class MemoryNonceStore implements NonceStore {
  readonly maxEntries: number
  readonly #now: () => number
  readonly #expiry = new Map<string, number>()
  readonly #buckets = new Map<number, string[]>()
  #lastPurgeMs = -Infinity

  constructor(options: MemoryNonceStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1_000_000
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#expiry.size
  }

  /** Drops every entry whose expiry has passed; returns how many were dropped. */
  purgeExpired(): number {
    const now = this.#now()
    this.#lastPurgeMs = now
    let dropped = 0
    for (const [second, keys] of this.#buckets) {
      if ((second + 1) * 1000 > now) continue
      for (const key of keys) {
        const exp = this.#expiry.get(key)
        // A key re-stored later sits in a newer bucket with a later expiry; leave it alone.
        if (exp !== undefined && exp <= now) {
          this.#expiry.delete(key)
          dropped++
        }
      }
      this.#buckets.delete(second)
    }
    return dropped
  }

  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const now = this.#now()
    if (now - this.#lastPurgeMs >= 1000 || this.#expiry.size >= this.maxEntries) this.purgeExpired()
    const key = `${keyId}\n${nonce}`
    const seen = this.#expiry.get(key)
    if (seen !== undefined && seen > now) return false
    if (this.#expiry.size >= this.maxEntries) {
      throw sgError('SG_ERR_SIG_NONCE_CAPACITY', `${this.#expiry.size} unexpired nonces held`)
    }
    this.#expiry.set(key, expiresAtMs)
    const second = Math.floor(expiresAtMs / 1000)
    const bucket = this.#buckets.get(second)
    if (bucket) bucket.push(key)
    else this.#buckets.set(second, [key])
    return true
  }
}
