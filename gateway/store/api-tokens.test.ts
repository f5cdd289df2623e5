import t from 'tap'
import { hashApiToken } from './api-tokens.js'
import { forEachEngine } from './engines.test-support.js'

forEachEngine(t, async (t, store) => {
  t.test('a created token verifies to its identity and is stored only as a hash', async (t) => {
    const { token, identity } = await store.apiTokens.create({ role: 'reviewer', label: 'Zhang San' })
    t.match(token, /^sgt_[A-Za-z0-9_-]{43}$/)
    t.same(await store.apiTokens.verify(token), identity)
    const row = await store.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow()
    t.equal(row.token_hash, hashApiToken(token))
    t.notOk(JSON.stringify(row).includes(token.slice(4)), 'the secret is not in the row')
  })

  t.test('a token differing in one character does not verify', async (t) => {
    const { token } = await store.apiTokens.create({ role: 'admin', label: 'ops' })
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    t.equal(await store.apiTokens.verify(token.slice(0, -1) + last), undefined)
    t.equal(await store.apiTokens.verify('Bearer ' + token), undefined)
  })

  t.test('revoked tokens stop verifying; revoke twice reports false', async (t) => {
    const { token, identity } = await store.apiTokens.create({ role: 'provider', providerId: 'p-1', label: 'portal' })
    t.equal((await store.apiTokens.verify(token))?.providerId, 'p-1')
    t.equal(await store.apiTokens.revoke(identity.id), true)
    t.equal(await store.apiTokens.verify(token), undefined)
    t.equal(await store.apiTokens.revoke(identity.id), false)
    const listed = (await store.apiTokens.list()).find((x) => x.id === identity.id)
    t.type(listed?.revokedAt, 'number')
  })

  t.test('a revoke through another instance takes effect once the short cache entry expires', async (t) => {
    const { ApiTokenRepository } = await import('./api-tokens.js')
    let clock = 1_000_000
    const instanceA = new ApiTokenRepository(store.db, { cacheTtlMs: 5000, now: () => clock })
    const instanceB = new ApiTokenRepository(store.db)
    const { token, identity } = await instanceB.create({ role: 'reviewer', label: 'cache' })
    t.equal(instanceA.cached(token), undefined, 'nothing cached before a verification')
    t.equal((await instanceA.verify(token))?.id, identity.id, 'A verifies (and caches)')
    t.equal(instanceA.cached(token)?.id, identity.id, 'the synchronous cache path sees it')
    t.equal(instanceA.cached(`${token}x`), undefined, 'another token string is not a hit')
    t.equal(await instanceB.revoke(identity.id), true)
    clock += 4999
    t.equal((await instanceA.verify(token))?.id, identity.id, 'A still trusts its cache within the TTL')
    clock += 2
    t.equal(instanceA.cached(token), undefined, 'the cache path expires with the TTL')
    t.equal(await instanceA.verify(token), undefined, 'after the TTL A sees the revocation')
  })

  t.test('provider role needs a providerId, other roles refuse one', async (t) => {
    await t.rejects(store.apiTokens.create({ role: 'provider', label: 'x' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' })
    await t.rejects(store.apiTokens.create({ role: 'admin', providerId: 'p', label: 'x' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' })
    await t.rejects(store.apiTokens.create({ role: 'admin', label: ' ' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' })
  })
})
