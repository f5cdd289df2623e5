// Shared by the console's browser tests: Debian's Chromium through playwright-core, the gateway on
// loopback, sign-in, request recording (to prove the console talks only to the gateway),
// screenshots, and the reviewer steps more than one admission test takes in the console.
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { packageRoot } from '../../specs/lib/paths.js'
import { launchChromium } from '../../fixtures/browser.test-support.js'

export { CHROMIUM, launchChromium } from '../../fixtures/browser.test-support.js'
export const SCREENSHOT_DIR = join(packageRoot, 'artifacts', 'console')

/** Records every request a page makes, so a test can prove none left the gateway's origin. */
export function recordRequests(page: Page, into: string[]): void {
  page.on('request', (r) => into.push(r.url()))
}

/**
 * Requests that left the browser for anywhere but the gateway. Local schemes are not network
 * traffic: blob:/data: (documents and reports shown from memory) and the browser's own built-in
 * PDF viewer (chrome:, chrome-extension:), which loads its UI from inside the browser binary.
 */
export const LOCAL_SCHEMES = ['blob:', 'data:', 'about:', 'chrome:', 'chrome-extension:']
export const foreignRequests = (urls: readonly string[], origin: string): string[] =>
  urls.filter((u) => !(u.startsWith(`${origin}/`) || LOCAL_SCHEMES.some((s) => u.startsWith(s))))

export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/console/`)
  await page.fill('#token', token)
  await page.click('#login button[type=submit]')
}

export async function screenshot(t: Pick<Test, 'comment'>, page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  t.comment(`screenshot: ${path}`)
  return path
}


/** Starts the gateway on a free loopback port; returns its base URL. */
export async function listenOnLoopback(app: { listen(o: { port: number; host: string }): Promise<unknown>; server: { address(): AddressInfo | string | null } }): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  return `http://127.0.0.1:${address.port}`
}

/**
 * Chromium (closed at teardown) with one zh-CN 1280×900 context; `newPage` opens a page in it that
 * records its requests into `requests`.
 */
export async function recordingContext(t: Pick<Test, 'teardown'>): Promise<{ browser: Browser; context: BrowserContext; requests: string[]; newPage: () => Promise<Page> }> {
  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
  const requests: string[] = []
  const newPage = async (): Promise<Page> => {
    const p = await context.newPage()
    recordRequests(p, requests)
    return p
  }
  return { browser, context, requests, newPage }
}

/**
 * Resolves once the application page shows `state` in its heading. Timer polling, not
 * requestAnimationFrame: an open PDF viewer frame can starve rAF in headless mode.
 */
export const waitForState = (page: Page, state: string): Promise<unknown> =>
  page.waitForFunction((sel) => (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(sel) !== null, `h1 [data-state="${state}"]`, { polling: 100 })

/** The verdict of the conformance report embedded in the application page, once it is shown. */
export async function embeddedVerdict(page: Page): Promise<string> {
  const frame = page.frameLocator('iframe[data-report-frame]')
  await frame.locator('#verdict').waitFor()
  return frame.locator('#verdict').innerText()
}

/**
 * The roadshow in the console (R10): each reviewer scores on the application's page (the first on
 * `page`, already signed in; the others each on a new page, signed in and closed after), with
 * `afterScore` run on that page once the score shows; then the first reviewer records the
 * recommendation (`minutes`), starts publicity and waits for the publicity state.
 */
export async function roadshowToPublicity(o: {
  page: Page; newPage: () => Promise<Page>; base: string; detailUrl: string; reviewers: readonly { token: string }[]
  score: (i: number) => { score: number; comment: string }; minutes: string; afterScore?: (p: Page) => Promise<void>
}): Promise<void> {
  for (const [i, r] of o.reviewers.entries()) {
    const p = i === 0 ? o.page : await o.newPage()
    if (i > 0) await signIn(p, o.base, r.token)
    await p.goto(o.detailUrl)
    await p.waitForSelector('form[data-form="roadshow-score"]')
    const { score, comment } = o.score(i)
    await p.fill('form[data-form="roadshow-score"] input[name=score]', String(score))
    await p.fill('form[data-form="roadshow-score"] textarea', comment)
    await p.click('button[data-action="roadshow-score"]')
    await p.waitForSelector(`td:text-is("${comment}")`)
    await o.afterScore?.(p)
    if (i > 0) await p.close()
  }
  await o.page.reload()
  await o.page.fill('form[data-form="roadshow-decision"] textarea', o.minutes)
  await o.page.click('button[data-action="roadshow-decision"]')
  await o.page.waitForSelector('form[data-form="start-publicity"]')
  await o.page.click('button[data-action="start-publicity"]')
  await waitForState(o.page, 'publicity')
}

/** The provider's signed commitment letter (a small PDF), the body of its commitment-letter call. */
export const COMMITMENT_LETTER = { fileName: 'commitment.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4\n% 服务承诺书\n%%EOF\n').toString('base64') }
