// Replay protection for signed requests (see the signing scheme in specs/): a (keyId, nonce) pair
// is accepted once while it is live. The unique primary key makes the check atomic across gateway
// instances sharing one database; an expired row may be reused, so purging is an optimisation.
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

export class NonceRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /**
   * Records the nonce and returns true when it was not seen (or only seen expired) before;
   * returns false on a replay. `nowMs` is injectable for tests.
   */
  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number, nowMs: number = Date.now()): Promise<boolean> {
    const result = await this.#db
      .insertInto('nonces')
      .values({ key_id: keyId, nonce, expires_at: expiresAtMs })
      .onConflict((oc) =>
        oc
          .columns(['key_id', 'nonce'])
          .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
          .where('nonces.expires_at', '<=', nowMs),
      )
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
  }

  /** Deletes nonces that expired at or before `nowMs`; returns how many. Run it from a scheduled job. */
  async purgeExpired(nowMs: number = Date.now()): Promise<number> {
    const result = await this.#db.deleteFrom('nonces').where('expires_at', '<=', nowMs).executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
