// Shared by the console's browser tests: Debian's Chromium through playwright-core, sign-in,
// request recording (to prove the console talks only to the gateway) and screenshots.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Page } from 'playwright-core'
import { packageRoot } from '../../specs/lib/paths.js'

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

