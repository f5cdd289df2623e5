// R18–R20 and R19 thresholds over HTTP, on both engines: feedback rates → recommendation → reviewer
// action; voluntary and forced exit revoke keys, stop sync, close courses, keep records, audit.
import t from 'tap'
import { forEachEngine } from '../store/engines.test-support.js'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer, signedInject } from '../workflow/workflow.test-support.js'
import { statement } from '../records/statements.test-support.js'
import { DEFAULT_R19_THRESHOLDS, recommendR19 } from './r19-thresholds.js'
import type { FeedbackMetrics } from './feedback.js'

const metrics = (m: Partial<FeedbackMetrics>): FeedbackMetrics => ({ providerId: 'p', windowDays: 30, from: 0, to: 1, tickets: 10, responseRate: 1, resolutionRate: 1, satisfaction: 5, rated: 10, anonymousTickets: 0, ...m })

t.test('R19 thresholds: each level has a passing case and a failing twin', async (t) => {
  t.equal(recommendR19(metrics({}), DEFAULT_R19_THRESHOLDS), null)
  t.equal(recommendR19(metrics({ responseRate: 0.85 }), DEFAULT_R19_THRESHOLDS)?.action, 'interview')
  t.equal(recommendR19(metrics({ resolutionRate: 0.55 }), DEFAULT_R19_THRESHOLDS)?.action, 'suspension')
  t.equal(recommendR19(metrics({ satisfaction: 2.0 }), DEFAULT_R19_THRESHOLDS)?.action, 'takedown')
  t.equal(recommendR19(metrics({ satisfaction: 2.0, tickets: 4 }), DEFAULT_R19_THRESHOLDS), null, 'too few tickets')
})

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}) } })
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'a' })).token
  async function admitted() {
    const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
    await store.db.insertInto('centre_courses').values({
      id: `${provider.providerId}:c-1`, provider_id: provider.providerId, course_id: 'c-1', source: 'sync', title_zh: '电工作业（初级）', title_en: null, title_norm: '电工作业(初级)',
      category: '6-31-01', occupation_code: null, free: 1, price_fen: null, duration_seconds: 60, lesson_count: 1, preview_seconds: 600, provider_updated_at: '2026-01-01T00:00:00+08:00', status: 'live', created_at: 1, updated_at: 1,
    }).execute()
    return provider
  }
  const listed = async (providerId: string) => (await app.inject({ url: `/api/v1/courses?providerId=${providerId}&q=电工` })).json().items.length as number

  await t.test('feedback: filed by a training body, answered and resolved by the provider, rated; poor handling recommends action (R19)', async (t) => {
    const p = await admitted()
    const trainingBody = (await app.inject({ method: 'POST', url: '/api/v1/admin/training-bodies', headers: bearer(admin), payload: { name: '北京某职业技能培训学校', contact: '010-12345678' } })).json()
    const ratingTokens: Array<[string, string]> = []
    for (let i = 0; i < 5; i++) {
      const filed = await app.inject({ method: 'POST', url: '/api/v1/feedback', headers: bearer(trainingBody.token), payload: { providerId: p.providerId, subject: '视频无法播放', body: '第3课时视频加载失败' } })
      t.equal(filed.statusCode, 201)
      ratingTokens.push([filed.json().ticket.id, filed.json().ratingToken])
    }
    const [id, token] = ratingTokens[0]!
    t.equal((await signedInject(app, p, 'POST', `/api/v1/feedback/${id}/response`, { response: '已收到，正在排查' })).statusCode, 200)
    t.equal((await signedInject(app, p, 'POST', `/api/v1/feedback/${id}/resolution`, { resolution: '已修复 CDN 配置' })).json().state, 'resolved')
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/feedback/${id}/rating`, payload: { ratingToken: 'fbt_wrong', rating: 5 } })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/feedback/${id}/rating`, payload: { ratingToken: token, rating: 1 } })).json().rating, 1)
    const evaluated = await app.inject({ url: `/api/v1/providers/${p.providerId}/feedback-metrics`, headers: bearer(admin) })
    const body = evaluated.json()
    t.equal(body.metrics.tickets, 5)
    t.equal(body.metrics.resolutionRate, 0.2)
    t.equal(body.recommendation.action, 'takedown', 'resolution 20 % and satisfaction 1 are below the takedown floors')
    const cases = (await app.inject({ url: `/api/v1/assessment/cases?providerId=${p.providerId}`, headers: bearer(admin) })).json().items
    t.same(cases.map((c: { kind: string; recommendation: string }) => [c.kind, c.recommendation]), [['feedback', 'takedown']])
    const act = await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/actions`, headers: bearer(admin), payload: { action: 'suspend', note: '约谈后暂停', caseId: cases[0].id } })
    t.equal(act.json().status, 'suspended')
    t.equal(await listed(p.providerId), 0, "a suspended provider's courses are hidden")
    await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/actions`, headers: bearer(admin), payload: { action: 'reinstate', note: '整改完成' } })
    t.equal(await listed(p.providerId), 1)
  })

  await t.test('voluntary exit (R18): keys revoked, courses closed, records kept, audited', async (t) => {
    const p = await admitted()
    await signedInject(app, p, 'POST', '/api/v1/learning-records', { statements: [statement({ learner: 'lrn_exit_0001' })] })
    // The provider's portal token works, and is now in the verification cache (TTL 5 s).
    const portal = await app.inject({ url: '/api/v1/learning-records', headers: bearer(p.token) })
    t.equal(portal.statusCode, 200, 'the provider token works before the exit')
    t.equal(portal.json().items.length, 1)
    const exit = await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/exit`, headers: bearer(admin), payload: { note: '书面申请 2026-11-27 第 12 号' } })
    t.equal(exit.statusCode, 200, exit.body)
    t.equal(exit.json().reasonCode, 'R18')
    t.equal((await signedInject(app, p, 'POST', '/api/v1/learning-records', { statements: [statement()] })).statusCode, 401, 'the interface is shut')
    const afterExit = await app.inject({ url: '/api/v1/learning-records', headers: bearer(p.token) })
    t.equal(afterExit.statusCode, 401, 'the cached provider token stops working at once, not after the cache TTL (R18)')
    t.equal(afterExit.json().code, 'SG_ERR_AUTH_REQUIRED')
    t.equal(await listed(p.providerId), 0, 'closed to new learners')
    t.equal((await store.db.selectFrom('centre_courses').select('status').where('provider_id', '=', p.providerId).executeTakeFirstOrThrow()).status, 'closed', 'kept for existing learners')
    t.equal((await app.inject({ url: `/api/v1/learning-records?learnerAccount=lrn_exit_0001`, headers: bearer(admin) })).json().items.length, 1, 'records kept')
    t.equal((await app.dataInterface.sync.syncProvider(p.providerId)).reason, 'not-operating', 'sync stopped')
    const audit = await app.workflow.audit.forSubject('provider', p.providerId)
    t.same(audit.map((a) => a.action), ['provider.exit'])
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/forced-exit`, headers: bearer(admin), payload: { reasonCode: 'R20-3', note: 'x' } })).statusCode, 409, 'an exited provider cannot exit again')
  })

  await t.test('forced exit (R20) needs one of the seven reason codes', async (t) => {
    const p = await admitted()
    const bad = await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/forced-exit`, headers: bearer(admin), payload: { reasonCode: 'R20-8', note: '服务器迁往境外' } })
    t.equal(bad.json().code, 'SG_ERR_EXIT_REASON')
    const ok = await app.inject({ method: 'POST', url: `/api/v1/providers/${p.providerId}/forced-exit`, headers: bearer(admin), payload: { reasonCode: 'R20-3', note: '服务器迁往境外' } })
    t.equal(ok.json().reasonCode, 'R20-3')
    t.equal(await store.apiTokens.verify(p.token), undefined, 'the provider token is revoked with the keys')
    const status = (await app.inject({ url: `/api/v1/providers/${p.providerId}/status`, headers: bearer(admin) })).json()
    t.equal(status.provider.status, 'exited')
    t.equal(status.history[0].action, 'forced-exit')
    t.equal((await store.db.selectFrom('provider_keys').select('revoked_at').where('provider_id', '=', p.providerId).executeTakeFirstOrThrow()).revoked_at !== null, true)
  })
})
// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) data.course-centre (R16), data.feedback-r19, data.exit.
