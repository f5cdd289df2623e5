import t from 'tap'
import { isSkillgateError } from '../../specs/lib/errors.js'
import { MemoryNonceStore } from './nonce-store.js'

t.test('a nonce is fresh once per key, and again after it expires', async (t) => {
  let now = 1_000_000
  const store = new MemoryNonceStore({ now: () => now })
  t.equal(await store.checkAndStore('k1', 'n-aaaaaaaaaaaaaaaa', now + 600_000), true, 'first use')
  t.equal(await store.checkAndStore('k1', 'n-aaaaaaaaaaaaaaaa', now + 600_000), false, 'second use is a replay')
  t.equal(await store.checkAndStore('k2', 'n-aaaaaaaaaaaaaaaa', now + 600_000), true, 'scoped per key id')
  now += 600_001
  t.equal(await store.checkAndStore('k1', 'n-aaaaaaaaaaaaaaaa', now + 600_000), true, 'fresh again once expired')
})

t.test('expired entries are purged, unexpired ones kept', async (t) => {
  let now = 5_000_000
  const store = new MemoryNonceStore({ now: () => now })
  for (let i = 0; i < 100; i++) await store.checkAndStore('k', `short-lived-${String(i).padStart(6, '0')}`, now + 1_000)
  for (let i = 0; i < 10; i++) await store.checkAndStore('k', `long-lived-${String(i).padStart(6, '0')}`, now + 900_000)
  t.equal(store.size, 110)
  now += 2_000
  t.equal(store.purgeExpired(), 100)
  t.equal(store.size, 10)
  t.equal(await store.checkAndStore('k', 'long-lived-000003', now + 900_000), false, 'survivors still count as seen')
})

t.test('a nonce re-stored after expiry survives the purge of its old bucket', async (t) => {
  let now = 10_000_000
  const store = new MemoryNonceStore({ now: () => now })
  await store.checkAndStore('k', 'reused-nonce-000001', now + 1_000)
  now += 1_500
  t.equal(await store.checkAndStore('k', 'reused-nonce-000001', now + 600_000), true)
  now += 1_000
  store.purgeExpired()
  t.equal(await store.checkAndStore('k', 'reused-nonce-000001', now + 600_000), false)
})

t.test('bounded: when full of unexpired nonces it fails closed; once they expire it accepts again', async (t) => {
  let now = 20_000_000
  const store = new MemoryNonceStore({ maxEntries: 3, now: () => now })
  for (const n of ['a', 'b', 'c']) t.equal(await store.checkAndStore('k', `${n}`.repeat(16), now + 10_000), true)
  const err = await store.checkAndStore('k', 'd'.repeat(16), now + 10_000).then(() => undefined, (e: unknown) => e)
  t.ok(isSkillgateError(err))
  t.match(err, { code: 'SG_ERR_SIG_NONCE_CAPACITY', statusCode: 503 })
  t.equal(await store.checkAndStore('k', 'a'.repeat(16), now + 10_000), false, 'a replay is still reported as one when full')
  now += 11_000
  t.equal(await store.checkAndStore('k', 'd'.repeat(16), now + 10_000), true, 'room again after expiry')
  t.equal(store.size, 1)
})
