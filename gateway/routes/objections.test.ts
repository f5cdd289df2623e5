// R11 objections over HTTP on both engines (issue 16): the objector must give a name and a contact,
// the objection waits unconfirmed (publicity not paused) until a reviewer confirms the objector,
// spam is dismissed in bulk, all or none, and filing is rate-limited per contact, not per address.
import t from 'tap'
import { forEachEngine } from '../store/engines.test-support.js'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer } from '../workflow/workflow.test-support.js'

const LIMIT = 3

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}), 'rateLimit.perIdentityMax': LIMIT } })
  const rv = bearer((await store.apiTokens.create({ role: 'reviewer', label: 'r' })).token)
  async function underPublicity(): Promise<string> {
    const { application } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'roadshow', roadshow_decision: JSON.stringify({ recommend: true }) }).where('id', '=', application.id).execute()
    for (const r of ['a', 'b', 'c']) await store.db.insertInto('roadshow_scores').values({ application_id: application.id, reviewer: r, score: 80, comments: '', scored_at: 0 }).execute()
    await app.workflow.startPublicity(application.id, { role: 'reviewer', id: 'reviewer:t' })
    return application.id
  }
  const object = (id: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/v1/publicity/${id}/objections`, payload })
  const state = async (id: string) => (await app.inject({ url: `/api/v1/applications/${id}`, headers: rv })).json().application.state as string

  await t.test('an objection names its objector and waits for a reviewer to confirm them (R11)', async (t) => {
    const id = await underPublicity()
    for (const [payload, why] of [[{ text: '异议' }, 'no name or contact'], [{ text: '异议', name: '王五' }, 'no contact'], [{ text: '异议', name: '王五', contact: 'call me' }, 'not a phone or e-mail']] as const) {
      const r = await object(id, payload)
      t.equal(r.statusCode, 400, why)
      t.equal(r.json().code, 'SG_ERR_VALIDATION', why)
    }
    const filed = await object(id, { text: '课程版权存疑', name: '王五', contact: '13800138000' })
    t.equal(filed.statusCode, 201, filed.body)
    t.match(filed.json(), { status: 'unconfirmed', state: 'publicity' })
    t.equal(await state(id), 'publicity', 'filing alone pauses nothing')
    const queue = await app.inject({ url: '/api/v1/objections?status=unconfirmed', headers: rv })
    t.match(queue.json().items, [{ id: filed.json().objectionId, applicationId: id, objectorName: '王五', contact: '13800138000', confirmed: false }])
    t.equal((await app.inject({ url: '/api/v1/objections' })).statusCode, 401, 'the queue (with contacts) is for reviewers')
    const oid = filed.json().objectionId as string
    const early = await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/objections/${oid}/resolve`, headers: rv, payload: { outcome: 'upheld', reasons: ['x'] } })
    t.equal(early.json().code, 'SG_ERR_WORKFLOW_OBJECTOR_UNCONFIRMED')
    const detail = (await app.inject({ url: `/api/v1/applications/${id}`, headers: rv })).json()
    t.notOk(JSON.stringify(detail).includes('13800138000'), "the application detail (which the provider also reads) carries no objector's contact")
    const confirmed = await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/objections/${oid}/confirm`, headers: rv, payload: { confirmation: '2026-11-02 电话回访，本人确认' } })
    t.equal(confirmed.statusCode, 200, confirmed.body)
    t.match(confirmed.json(), { paused: true, application: { state: 'publicity-paused' } })
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/objections/${oid}/confirm`, headers: rv, payload: { confirmation: 'again' } })).json().code, 'SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND', 'confirmed once')
    const upheld = await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/objections/${oid}/resolve`, headers: rv, payload: { outcome: 'upheld', reasons: ['经核实，版权证明伪造'] } })
    t.equal(upheld.json().application.state, 'rejected')
  })

  await t.test('a reviewer dismisses spam in bulk, all or none', async (t) => {
    const id = await underPublicity()
    const spam: string[] = []
    for (let i = 0; i < 3; i++) spam.push((await object(id, { text: `刷屏 ${i}`, name: '某人', contact: `spam${i}@example.cn` })).json().objectionId)
    const real = (await object(id, { text: '课时虚标', name: '李四', contact: '010-62345678' })).json().objectionId as string
    await app.inject({ method: 'POST', url: `/api/v1/applications/${id}/objections/${real}/confirm`, headers: rv, payload: { confirmation: '电话回访' } })
    const mixed = await app.inject({ method: 'POST', url: '/api/v1/objections/dismiss-spam', headers: rv, payload: { objectionIds: [...spam, real], reason: '无法联系' } })
    t.equal(mixed.statusCode, 409)
    t.equal(mixed.json().code, 'SG_ERR_WORKFLOW_OBJECTION_CONFIRMED')
    t.equal((await app.inject({ url: '/api/v1/objections?status=unconfirmed', headers: rv })).json().items.filter((o: { applicationId: string }) => o.applicationId === id).length, 3, 'nothing dismissed')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/objections/dismiss-spam', headers: rv, payload: { objectionIds: [], reason: 'x' } })).statusCode, 400)
    const ok = await app.inject({ method: 'POST', url: '/api/v1/objections/dismiss-spam', headers: rv, payload: { objectionIds: spam, reason: '三次电话均无法联系' } })
    t.same(ok.json(), { dismissed: 3, applications: [id] })
    t.equal(await state(id), 'publicity-paused', 'the confirmed objection still holds it')
    t.same((await app.inject({ url: '/api/v1/objections?status=open', headers: rv })).json().items.filter((o: { applicationId: string }) => o.applicationId === id).map((o: { id: string }) => o.id), [real])
  })

  await t.test('the HTML form refuses control characters and blank fields (400, nothing stored); the JSON API takes no form body', async (t) => {
    const id = await underPublicity()
    const form = (fields: Record<string, string>) => app.inject({ method: 'POST', url: '/publicity/objections', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
    const base = { applicationId: id, name: '孙八', contact: '13700001111', text: '异议', lang: 'en' }
    for (const [field, value] of [['name', 'a\u0000b'], ['text', '  '], ['contact', '137\u00000001111'], ['applicationId', 'app_nope']] as const) {
      const r = await form({ ...base, [field]: value })
      t.equal(r.statusCode, 400, `${field}: ${JSON.stringify(value)}`)
      t.match(r.headers['content-type'], /text\/html/)
      t.match(r.body, /role="alert"/)
    }
    t.equal((await store.db.selectFrom('publicity_objections').select('id').where('application_id', '=', id).execute()).length, 0, 'nothing stored')
    const ok = await form(base)
    t.equal(ok.statusCode, 303)
    t.match(ok.headers.location, /^\/publicity\?lang=en&received=obj_/)
    const json = await app.inject({ method: 'POST', url: `/api/v1/publicity/${id}/objections`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'text=x&name=y&contact=13700001111' })
    t.equal(json.statusCode, 415)
    t.equal(json.json().code, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE')
  })

  await t.test('filing is rate-limited per contact (spaces and dashes do not make a new one), not per address', async (t) => {
    const id = await underPublicity()
    for (let i = 0; i < LIMIT; i++) t.equal((await object(id, { text: `异议 ${i}`, name: '赵六', contact: i % 2 ? '139-0000-1111' : '13900001111' })).statusCode, 201)
    const over = await object(id, { text: '再一条', name: '赵六', contact: '139 0000 1111' })
    t.equal(over.statusCode, 429)
    t.equal(over.json().code, 'SG_ERR_RATE_LIMITED')
    t.ok(Number(over.headers['retry-after']) > 0)
    t.equal((await object(id, { text: '另一人', name: '钱七', contact: '13900002222' })).statusCode, 201, 'another objector from the same address is not affected')
  })
})
