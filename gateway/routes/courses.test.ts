// GET /api/v1/courses over both sources, on both engines (R13, R14, R16, R19, R20): package courses
// appear once a reviewer approves them (pending, rejected and taken-down ones never do), filters and
// the Chinese title search cut across synced and package courses, suspended and exited providers'
// courses are hidden, and a provider whose application is not yet active (R12) lists nothing.
// Package course rows are written as the ingest's final transaction leaves them (status 'pending';
// the ingest itself is gateway/ingest/ingest.test.ts); every decision after that goes over HTTP.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { admittedResourceProvider } from '../ingest/ingest.test-support.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { testApp } from '../app.test-support.js'
import { applicationBody, bearer } from '../workflow/workflow.test-support.js'

interface PackageCourse { courseId: string; title: string; category: string; free: boolean; priceFen?: number; lessons?: number }

/** A pending package course version, as a checked package leaves it in the review queue. */
async function pendingPackageCourse(store: Store, providerId: string, c: PackageCourse): Promise<string> {
  const id = `crs_${randomUUID()}`
  const now = Date.now()
  const lessons = Array.from({ length: c.lessons ?? 2 }, (_, i) => ({ lessonId: `${c.courseId}-l${i + 1}`, durationSeconds: 1200 }))
  const manifest = { specVersion: '1.0', courses: [{ courseId: c.courseId, version: 1, title: { 'zh-CN': c.title, en: `EN ${c.courseId}` }, category: c.category, fee: c.free ? { free: true } : { free: false, price: { amountFen: c.priceFen ?? 9900, currency: 'CNY' } }, lessons }] }
  await store.db.insertInto('courses').values({
    id, source: 'package', provider_id: providerId, course_id: c.courseId, version: 1, status: 'pending', title_zh: c.title, category: c.category, free: c.free ? 1 : 0,
    manifest: JSON.stringify(manifest), package_id: null, preview_sha256: null, preview_seconds: 660.4, proof_sha256: null, reasons: null, reviewed_by: null, reviewed_at: null,
    published_at: null, created_at: now, updated_at: now,
  }).execute()
  return id
}

async function syncedCourse(store: Store, providerId: string, courseId: string, title: string, category: string, free: boolean): Promise<void> {
  await store.db.insertInto('centre_courses').values({
    id: `${providerId}:${courseId}`, provider_id: providerId, course_id: courseId, source: 'sync', title_zh: title, title_en: null, title_norm: title.normalize('NFKC').toLowerCase().replace(/\s+/gu, ''),
    category, occupation_code: null, free: free ? 1 : 0, price_fen: free ? null : 19900, duration_seconds: 3600, lesson_count: 3, preview_seconds: 600,
    provider_updated_at: '2026-11-01T09:00:00+08:00', status: 'live', created_at: 1, updated_at: 1,
  }).execute()
}

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}) } })
  const reviewer = bearer((await store.apiTokens.create({ role: 'reviewer', label: 'r' })).token)
  const admin = bearer((await store.apiTokens.create({ role: 'admin', label: 'a' })).token)
  const list = async (app: FastifyInstance, query: string): Promise<Array<{ courseId: string; source: string; providerId: string; free: boolean; priceFen: number | null; lessonCount: number; durationSeconds: number; title: { 'zh-CN': string; en?: string } }>> => {
    const res = await app.inject({ url: `/api/v1/courses?limit=100${query}` })
    if (res.statusCode !== 200) throw new Error(`GET /api/v1/courses answered ${res.statusCode}: ${res.body}`)
    return res.json().items
  }
  const ids = async (query: string): Promise<string[]> => (await list(app, query)).map((c) => c.courseId).sort()
  const approve = async (id: string) => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/course-review/${id}/approve`, headers: reviewer })
    if (res.statusCode !== 200) throw new Error(`approve answered ${res.statusCode}: ${res.body}`)
  }

  // A resource provider with package courses, an on-demand provider with synced courses.
  const res1 = await admittedResourceProvider(app)
  const { provider: od } = await app.workflow.createApplication(applicationBody('on-demand'))
  await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', od.providerId).execute()
  await syncedCourse(store, od.providerId, 's-elec', '电工作业（初级）', '6-31-01', true)
  await syncedCourse(store, od.providerId, 's-cook', '中式烹调师', '4-03-02', false)

  const approved = await pendingPackageCourse(store, res1.providerId, { courseId: 'p-elec', title: '低压电工 实操', category: '6-31-01', free: false, priceFen: 12800, lessons: 3 })
  const approvedFree = await pendingPackageCourse(store, res1.providerId, { courseId: 'p-care', title: '养老护理员', category: '4-10-01', free: true })
  await pendingPackageCourse(store, res1.providerId, { courseId: 'p-pending', title: '电工待审课程', category: '6-31-01', free: true })
  const rejected = await pendingPackageCourse(store, res1.providerId, { courseId: 'p-rejected', title: '电工驳回课程', category: '6-31-01', free: true })
  const takenDown = await pendingPackageCourse(store, res1.providerId, { courseId: 'p-down', title: '电工下架课程', category: '6-31-01', free: true })

  await t.test('R13/R14: approved package courses appear; pending, rejected and taken-down ones do not', async (t) => {
    t.same(await ids(`&providerId=${res1.providerId}`), [], 'nothing is public before review')
    await approve(approved)
    await approve(approvedFree)
    await approve(takenDown)
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/course-review/${rejected}/reject`, headers: reviewer, payload: { reasons: ['预览不足 10 分钟'] } })).statusCode, 200)
    t.same(await ids(`&providerId=${res1.providerId}`), ['p-care', 'p-down', 'p-elec'])
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/courses/${takenDown}/takedown`, headers: reviewer, payload: { reasons: ['版权授权已过期'] } })).statusCode, 200)
    t.same(await ids(`&providerId=${res1.providerId}`), ['p-care', 'p-elec'], 'taken down: gone')
    const elec = (await list(app, `&providerId=${res1.providerId}`)).find((c) => c.courseId === 'p-elec')!
    t.match(elec, { source: 'package', free: false, priceFen: 12800, lessonCount: 3, durationSeconds: 3600, title: { 'zh-CN': '低压电工 实操', en: 'EN p-elec' } }, 'fields come from the stored manifest')
  })

  await t.test('R16: filters and the title search cut across both sources', async (t) => {
    t.same(await ids(''), ['p-care', 'p-elec', 's-cook', 's-elec'])
    t.same(await ids('&category=6-31-01'), ['p-elec', 's-elec'])
    t.same(await ids('&free=true'), ['p-care', 's-elec'])
    t.same(await ids('&free=false'), ['p-elec', 's-cook'])
    t.same(await ids(`&providerId=${od.providerId}`), ['s-cook', 's-elec'])
    t.same(await ids(`&q=${encodeURIComponent('电工')}`), ['p-elec', 's-elec'], 'Chinese title search in both sources')
    t.same(await ids(`&q=${encodeURIComponent('电工实操')}`), ['p-elec'], 'spaces in the stored title do not break a match')
    t.same(await ids(`&q=${encodeURIComponent('电工')}&free=true`), ['s-elec'], 'filters combine')
    t.same(await ids(`&q=${encodeURIComponent('焊工')}`), [], 'no match, no rows')
    // A small page size walks both sources without losing or repeating a course.
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = (await app.inject({ url: `/api/v1/courses?limit=1${cursor ? `&cursor=${cursor}` : ''}` })).json() as { items: Array<{ courseId: string }>; nextCursor: string | null }
      seen.push(...page.items.map((i) => i.courseId))
      cursor = page.nextCursor
    } while (cursor !== null)
    t.same(seen.sort(), ['p-care', 'p-elec', 's-cook', 's-elec'])
  })

  await t.test('R19/R20: a suspended provider\'s package courses are hidden until reinstated; an exited provider\'s are gone', async (t) => {
    const act = (action: string, note: string) => app.inject({ method: 'POST', url: `/api/v1/providers/${res1.providerId}/actions`, headers: reviewer, payload: { action, note } })
    t.equal((await act('suspend', '满意度低于下限，暂停')).statusCode, 200)
    t.same(await ids(''), ['s-cook', 's-elec'])
    t.equal((await act('reinstate', '整改完成')).statusCode, 200)
    t.same(await ids(''), ['p-care', 'p-elec', 's-cook', 's-elec'])
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/providers/${od.providerId}/exit`, headers: admin, payload: { note: '书面申请 第 7 号' } })).statusCode, 200)
    t.same(await ids(''), ['p-care', 'p-elec'], "the exited provider's synced courses are gone")
  })

  await t.test('R12: the same approved course is listed only while its provider is admitted (active)', async (t) => {
    // Twins: one provider, one approved course; only the application state differs.
    const res2 = await admittedResourceProvider(app, { state: 'conformance' })
    await approve(await pendingPackageCourse(store, res2.providerId, { courseId: 'p-weld', title: '焊工（中级）', category: '6-18-02', free: true }))
    t.same(await ids(`&providerId=${res2.providerId}`), [], 'approved during conformance: not public')
    t.same(await ids(`&q=${encodeURIComponent('焊工')}`), [], 'nor found by search')
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', res2.providerId).execute()
    t.same(await ids(`&providerId=${res2.providerId}`), ['p-weld'], 'admitted: public')
    for (const state of ['publicity', 'withdrawn']) {
      await store.db.updateTable('applications').set({ state }).where('provider_id', '=', res2.providerId).execute()
      t.same(await ids(`&providerId=${res2.providerId}`), [], `${state}: not public`)
    }
    // Synced courses follow the same rule.
    const { provider: od2 } = await app.workflow.createApplication(applicationBody('on-demand'))
    await syncedCourse(store, od2.providerId, 's-weld', '焊工（初级）', '6-18-02', true)
    t.same(await ids(`&providerId=${od2.providerId}`), [], 'a synced course of a provider still applying: not public')
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', od2.providerId).execute()
    t.same(await ids(`&providerId=${od2.providerId}`), ['s-weld'], 'admitted: public')
  })
})
