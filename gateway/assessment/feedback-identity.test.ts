// R19 on both engines (issue 16): only feedback filed by an identified training body (参培主体, with
// the token an admin issued it) moves a provider's R19 rates; anonymous tickets are kept for
// reviewers and never counted; providers and reviewers cannot file; filing is rate-limited per
// identity, not per address.
import t from 'tap'
import { forEachEngine } from '../store/engines.test-support.js'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer, signedInject } from '../workflow/workflow.test-support.js'

const LIMIT = 6

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}), 'rateLimit.perIdentityMax': LIMIT } })
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'a' })).token
  const reviewer = (await store.apiTokens.create({ role: 'reviewer', label: 'r' })).token
  async function admitted() {
    const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
    return provider
  }
  async function trainingBody(name: string) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/admin/training-bodies', headers: bearer(admin), payload: { name, contact: '010-12345678' } })
    t.equal(r.statusCode, 201, r.body)
    return r.json() as { trainingBody: { id: string; name: string }; token: string }
  }
  const file = (providerId: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/feedback', headers, payload: { providerId, subject: '视频无法播放', body: '第3课时视频加载失败', ...extra } })
  const metricsOf = async (providerId: string) => (await app.inject({ url: `/api/v1/providers/${providerId}/feedback-metrics`, headers: bearer(reviewer) })).json()

  await t.test('anonymous feedback is kept but never moves the R19 rates (R19)', async (t) => {
    const p = await admitted()
    const before = await metricsOf(p.providerId)
    for (let i = 0; i < 5; i++) {
      const r = await file(p.providerId, {}, { entityName: '匿名举报人' })
      t.equal(r.statusCode, 201, r.body)
      t.equal(r.json().ticket.identified, false)
      t.notOk('ratingToken' in r.json(), 'no rating token for an anonymous ticket')
    }
    const after = await metricsOf(p.providerId)
    t.same(after.metrics.tickets, before.metrics.tickets, 'no ticket counted')
    t.same([after.metrics.responseRate, after.metrics.resolutionRate, after.metrics.satisfaction], [null, null, null], 'no rate moved')
    t.equal(after.metrics.anonymousTickets, 5, 'kept, and shown to reviewers apart')
    t.equal(after.recommendation, null, 'five unanswered anonymous tickets recommend nothing')
    const reviewerList = (await app.inject({ url: `/api/v1/feedback?providerId=${p.providerId}&identified=false`, headers: bearer(reviewer) })).json().items
    t.equal(reviewerList.length, 5, 'reviewers see anonymous tickets')
    t.equal((await app.inject({ url: '/api/v1/feedback', headers: bearer(p.token) })).json().items.length, 0, 'the provider does not')
    const answer = await signedInject(app, p, 'POST', `/api/v1/feedback/${reviewerList[0].id}/response`, { response: 'x' })
    t.equal(answer.json().code, 'SG_ERR_FEEDBACK_NOT_FOUND', 'nor can it answer one')
    t.equal((await file(p.providerId)).json().code, 'SG_ERR_VALIDATION', 'an anonymous ticket must name the entity')
  })

  await t.test('identified feedback from a training body moves the rates and can force action (R19)', async (t) => {
    const p = await admitted()
    const body = await trainingBody('北京某机械制造有限公司')
    const ids: Array<[string, string]> = []
    for (let i = 0; i < 5; i++) {
      const r = await file(p.providerId, bearer(body.token), { entityName: 'ignored: the registered name is used' })
      t.equal(r.statusCode, 201, r.body)
      t.equal(r.json().ticket.identified, true)
      t.equal(r.json().ticket.entityName, '北京某机械制造有限公司')
      ids.push([r.json().ticket.id, r.json().ratingToken])
    }
    const [id, ratingToken] = ids[0]!
    t.equal((await signedInject(app, p, 'POST', `/api/v1/feedback/${id}/resolution`, { resolution: '已修复' })).json().state, 'resolved')
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/feedback/${id}/rating`, payload: { ratingToken, rating: 1 } })).json().rating, 1)
    const m = await metricsOf(p.providerId)
    t.equal(m.metrics.tickets, 5)
    t.equal(m.metrics.resolutionRate, 0.2)
    t.equal(m.metrics.satisfaction, 1)
    t.equal(m.recommendation.action, 'takedown', 'identified tickets can force the provider out')
    t.equal((await app.inject({ url: '/api/v1/feedback', headers: bearer(p.token) })).json().items.length, 5, 'the provider sees identified tickets')
  })

  await t.test('providers and reviewers cannot file; a revoked training body cannot either', async (t) => {
    const p = await admitted()
    t.equal((await file(p.providerId, bearer(p.token))).json().code, 'SG_ERR_FEEDBACK_IDENTITY', 'a provider cannot file about anyone')
    t.equal((await file(p.providerId, bearer(reviewer))).json().code, 'SG_ERR_FEEDBACK_IDENTITY')
    const body = await trainingBody('北京某建筑工程有限公司')
    t.equal((await file(p.providerId, bearer(body.token))).statusCode, 201)
    const revoked = await app.inject({ method: 'POST', url: `/api/v1/admin/training-bodies/${body.trainingBody.id}/revoke`, headers: bearer(admin) })
    t.ok(revoked.json().revokedAt)
    const after = await file(p.providerId, bearer(body.token))
    t.equal(after.statusCode, 401, 'its token stops at once')
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/admin/training-bodies/${body.trainingBody.id}/tokens`, headers: bearer(admin) })).json().code, 'SG_ERR_TRAINING_BODY_NOT_FOUND')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/training-bodies', headers: bearer(reviewer), payload: { name: 'x', contact: 'y' } })).statusCode, 403, 'only an admin registers training bodies')
    const listed = (await app.inject({ url: '/api/v1/admin/training-bodies', headers: bearer(admin) })).json().items
    t.ok(listed.some((b: { id: string; revokedAt: number | null }) => b.id === body.trainingBody.id && b.revokedAt !== null))
  })

  await t.test('a training-body token names its body and nothing else: no provider token can be one', async (t) => {
    const body = await trainingBody('丙公司')
    await t.rejects(store.apiTokens.create({ role: 'training-body', label: 'x' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' }, 'without a body')
    await t.rejects(store.apiTokens.create({ role: 'training-body', trainingBodyId: body.trainingBody.id, providerId: 'prv_x', label: 'x' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' }, 'with a provider too')
    await t.rejects(store.apiTokens.create({ role: 'provider', providerId: 'prv_x', trainingBodyId: body.trainingBody.id, label: 'x' }), { code: 'SG_ERR_TOKEN_INVALID_INPUT' }, 'a provider token naming a body')
    t.match(await store.apiTokens.verify(body.token), { role: 'training-body', trainingBodyId: body.trainingBody.id, providerId: null })
  })

  await t.test('filing is rate-limited per training body, not per address', async (t) => {
    const p = await admitted()
    const a = await trainingBody('甲公司')
    const b = await trainingBody('乙公司')
    for (let i = 0; i < LIMIT; i++) t.equal((await file(p.providerId, bearer(a.token))).statusCode, 201)
    const over = await file(p.providerId, bearer(a.token))
    t.equal(over.statusCode, 429)
    t.equal(over.json().code, 'SG_ERR_RATE_LIMITED')
    t.ok(Number(over.headers['retry-after']) > 0, 'Retry-After says when')
    t.equal((await file(p.providerId, bearer(b.token))).statusCode, 201, 'another body from the same address is not affected')
    t.equal((await metricsOf(p.providerId)).metrics.tickets, LIMIT + 1, 'the refused ticket was not stored')
  })
})
