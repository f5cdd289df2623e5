// Replay protection for the signing scheme: a (keyId, nonce) pair is accepted once while live.
import t from 'tap'
import { forEachEngine } from './engines.test-support.js'

forEachEngine(t, async (t, store) => {
  const now = Date.UTC(2026, 0, 5, 8)
  const exp = now + 300_000

  t.test('first use is accepted, a replay is refused', async (t) => {
    t.equal(await store.nonces.checkAndStore('key-1', 'n-1', exp, now), true)
    t.equal(await store.nonces.checkAndStore('key-1', 'n-1', exp, now + 1000), false, 'replay within the window')
  })

  t.test('the same nonce under another key is a different pair', async (t) => {
    t.equal(await store.nonces.checkAndStore('key-2', 'n-1', exp, now), true)
  })

  t.test('concurrent checks of one pair accept exactly one', async (t) => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.nonces.checkAndStore('key-3', 'race', exp, now)))
    t.equal(results.filter(Boolean).length, 1)
  })

  t.test('an expired row may be reused; purge removes only expired rows', async (t) => {
    t.equal(await store.nonces.checkAndStore('key-4', 'old', now - 1, now - 600_000), true)
    t.equal(await store.nonces.checkAndStore('key-4', 'old', exp, now), true, 'expired pair accepted again')
    t.equal(await store.nonces.checkAndStore('key-4', 'old', exp, now), false, 'and is live again')
    await store.nonces.checkAndStore('key-4', 'stale', now - 5, now - 600_000)
    t.equal(await store.nonces.purgeExpired(now), 1, 'only the stale row is purged')
    const left = await store.db.selectFrom('nonces').select('nonce').where('key_id', '=', 'key-4').execute()
    t.same(left.map((r) => r.nonce), ['old'])
  })
})
