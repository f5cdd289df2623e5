// Course review and the provider page in headless Chromium (R13, R14, R15, R19): a resource
// provider's real package (real ffmpeg media) is ingested; a reviewer plays a preview in the page,
// approves one course and takes another down, then acts on the provider. Every request the page
// makes goes to the gateway's origin.
import t from 'tap'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { testApp } from '../app.test-support.js'
import { admittedResourceProvider, seedLiveCourses, uploadPackage } from '../ingest/ingest.test-support.js'
import { CHROMIUM, foreignRequests, launchChromium, listenOnLoopback, recordRequests, screenshot, signIn } from './browser.test-support.js'

t.test('reviewer console: course review and provider page', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const base = await listenOnLoopback(app)
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: '课程评审' })

  const provider = await admittedResourceProvider(app)
  await seedLiveCourses(store, provider.providerId, 20)
  const g = await generatePackage({ courses: 4 })
  const up = await uploadPackage(app, provider, await readFile(g.path))
  t.equal(up.statusCode, 202)
  t.match(await app.packageIngest.run(up.json().id), { status: 'checked', queued: 4 })

  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const requests: string[] = []
  recordRequests(page, requests)
  await signIn(page, base, reviewer.token)
  await page.waitForSelector('#nav:not([hidden])')

  const pending = async (): Promise<string[]> => (await app.inject({ url: '/api/v1/course-review', headers: { authorization: `Bearer ${reviewer.token}` } })).json().items.map((c: { id: string }) => c.id)
  const [first, second] = await pending()

  await t.test('the preview plays from stored media with its measured duration; approve publishes', async (t) => {
    await page.goto(`${base}/console/#/courses`)
    await page.click(`button[data-open-course="${first}"]`)
    await page.waitForSelector(`[data-review="${first}"]`)
    // The course under review is in view, above the queue, not below a long list.
    const box = await page.locator(`[data-review="${first}"]`).boundingBox()
    const list = await page.locator('#c-pending').boundingBox()
    t.ok(box && list && box.y < list.y, 'the review panel is above the pending list')
    t.ok(box && box.y >= 0 && box.y < 900, `the review panel starts in the viewport (y=${box?.y})`)
    await page.click(`button[data-load-preview="${first}"]`)
    const measured = page.locator(`[data-preview="${first}"] [data-measured]`)
    await page.waitForFunction((sel) => Number((globalThis as any).document.querySelector(sel)?.dataset.measured) > 0, `[data-preview="${first}"] [data-measured]`, { polling: 100 })
    const seconds = Number(await measured.getAttribute('data-measured'))
    t.ok(seconds >= 600, `the browser measured ${seconds} s of preview (R5.2-2: ≥ 600 s)`)
    t.match(await page.locator(`[data-preview="${first}"] video`).getAttribute('src'), /^blob:/)
    await screenshot(t, page, 'course-review')
    await page.click(`[data-review="${first}"] button[data-action="approve-course"]`)
    await page.waitForSelector(`tr[data-live="${first}"]`)
    t.notOk((await pending()).includes(String(first)), 'no longer pending')
  })

  await t.test('a second course is approved, then taken down with a reason', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/course-review/${second}/approve`, headers: { authorization: `Bearer ${reviewer.token}` } })).statusCode, 200)
    await page.reload()
    const row = page.locator(`tr[data-live="${second}"]`)
    await row.locator('summary').click()
    await row.locator('textarea').fill('版权证明已过期')
    await row.locator('button[data-action="takedown"]').click()
    await page.waitForFunction((sel) => (globalThis as any).document.querySelector(sel) === null, `tr[data-live="${second}"]`, { polling: 100 })
    const row2 = await store.db.selectFrom('courses').select(['status', 'reasons']).where('id', '=', String(second)).executeTakeFirstOrThrow()
    t.equal(row2.status, 'taken-down')
    t.match(row2.reasons, /版权证明已过期/)
    t.ok(await page.locator(`tr[data-live="${first}"]`).count() === 1, 'the other course stays live')
  })

  await t.test('provider page: charts, run history, a reviewer interview; a reviewer is not offered forced exit (admin only)', async (t) => {
    await page.goto(`${base}/console/#/providers/${provider.providerId}`)
    await page.waitForSelector('#p-courses')
    t.ok(await page.locator('#p-courses ~ .chart svg[role=img]').count() >= 1, 'course count / free share chart')
    await page.fill('form[data-form="provider-interview"] textarea', '反馈响应率偏低，约谈')
    await page.click('button[data-action="provider-interview"]')
    await page.waitForSelector('[data-provider-status="interview"]')
    t.equal(await page.locator('form[data-form="forced-exit"]').count(), 0, 'no forced-exit form for a reviewer')
    const crafted = await app.inject({ method: 'POST', url: `/api/v1/providers/${provider.providerId}/forced-exit`, headers: { authorization: `Bearer ${reviewer.token}` }, payload: { reasonCode: 'R20-3', note: '服务器迁至境外' } })
    t.equal(crafted.json().code, 'SG_ERR_FORBIDDEN', 'and a crafted request is refused by the API')
    await screenshot(t, page, 'provider')
  })

  t.test('every request went to the gateway origin', async (t) => {
    t.ok(requests.length > 10)
    t.same(foreignRequests(requests, base), [])
  })
})
