// R7: the specification as an outsider reads it, in Debian's Chromium (playwright-core): the /spec/
// site served by a real gateway on 127.0.0.1 (index, a schema page, the provider API in Swagger UI,
// the signing page) and the same site written by `spec export --html`, opened from disk. Every
// request the browser makes is intercepted: one for another origin is aborted and fails the test.
// Screenshots go to artifacts/spec-site/.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { packageRoot } from '../../specs/lib/paths.js'
import { exportSite } from '../../specs/lib/site/site.js'
import { launchChromium } from '../../fixtures/browser.test-support.js'
import { testApp } from '../app.test-support.js'

const SCREENSHOTS = join(packageRoot, 'artifacts', 'spec-site')

const launch = (): Promise<Browser> => launchChromium()

/** A page whose every request is checked: same origin (or the site's own folder on disk) goes on, anything else is aborted and recorded. */
async function guardedPage(browser: Browser, allowed: (url: string) => boolean, foreign: string[], errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.route('**/*', async (route) => {
    const url = route.request().url()
    if (allowed(url) || url.startsWith('data:')) await route.continue()
    else {
      foreign.push(url)
      await route.abort()
    }
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return page
}

async function shot(t: { comment: (...args: unknown[]) => void }, page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: name !== 'provider-api' })
  t.comment(`screenshot: ${path}`)
}

t.test('the /spec/ site in Chromium: index, schema page, provider API in Swagger UI, signing page; nothing leaves the origin', async (t) => {
  const { app } = await testApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const browser = await launch()
  t.teardown(() => browser.close())
  const foreign: string[] = []
  const errors: string[] = []
  const page = await guardedPage(browser, (u) => u.startsWith(`${origin}/`), foreign, errors)

  await page.goto(`${origin}/spec/`)
  t.match(await page.textContent('h1'), /统一技术规范/)
  t.ok(await page.locator('a[href="checks.html"]').count() > 0, 'the index links the check catalogue')
  await shot(t, page, 'index')
  await page.click('.langs button[data-lang="en"]')
  t.equal(await page.locator('h1 .zh').isVisible(), false, 'the English toggle hides Chinese')
  t.equal(await page.locator('h1 .en').isVisible(), true)
  await page.click('.langs button[data-lang="both"]')

  await page.goto(`${origin}/spec/schemas/course-detail.schema.html`)
  const row = page.locator('tr[id="field-previewSeconds"]')
  t.match(await row.textContent(), /不少于 600 秒/, 'field descriptions in Chinese')
  t.match(await row.textContent(), /at least 600 s/, 'and in English')
  t.ok(await page.locator('#examples + pre').count() > 0, 'examples are shown')
  await shot(t, page, 'schema-course-detail')

  await page.goto(`${origin}/spec/openapi/index.html`)
  await page.waitForSelector('.swagger-ui .opblock-summary', { timeout: 30_000 })
  t.ok(await page.locator('.swagger-ui .opblock').count() >= 11, 'every provider operation is rendered')
  t.match(await page.locator('.swagger-ui').textContent(), /课程目录分页/, 'summaries in Chinese')
  await shot(t, page, 'provider-api')

  await page.goto(`${origin}/spec/signing/`)
  t.match(await page.textContent('h1'), /请求签名/)
  await shot(t, page, 'signing')

  t.same(foreign, [], 'no request left the gateway origin')
  t.same(errors, [], 'no script error')
})

t.test('the site spec export --html writes works opened from disk, Swagger UI included', async (t) => {
  const dir = t.testdir({})
  await exportSite(dir)
  const browser = await launch()
  t.teardown(() => browser.close())
  const foreign: string[] = []
  const errors: string[] = []
  const root = pathToFileURL(dir).href
  const page = await guardedPage(browser, (u) => u.startsWith(`${root}/`), foreign, errors)
  await page.goto(`${root}/index.html`)
  t.match(await page.textContent('h1'), /统一技术规范/)
  await page.click('a[href="openapi/index.html"] >> nth=0')
  await page.waitForSelector('.swagger-ui .opblock-summary', { timeout: 30_000 })
  t.ok(await page.locator('.swagger-ui .opblock').count() >= 11, 'Swagger UI renders from disk (the API is bundled, nothing is fetched)')
  t.same(foreign, [], 'no request left the folder')
  t.same(errors, [], 'no script error')
})
