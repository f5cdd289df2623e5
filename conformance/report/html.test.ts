import t from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CHROMIUM, launchChromium } from '../../fixtures/browser.test-support.js'
import { packageRoot } from '../../specs/lib/paths.js'
import { generateSigningKeys } from './json.js'
import { escapeHtml, renderHtml } from './html.js'
import { sampleReport } from './sample-report.test-support.js'
import { writeReports } from './write.js'

t.test('HTML escapes every provider string: a <script> in a check message never becomes a tag', async (t) => {
  const html = renderHtml(await sampleReport())
  t.equal((html.match(/<script\b/gi) ?? []).length, 1, 'only our own inline script')
  t.notOk(html.includes('<script>alert'), 'the hostile script is not a tag')
  t.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'it is shown as text')
  t.notOk(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external resource or link')
  t.match(html, /Content-Security-Policy" content="default-src 'none'/)
  t.equal(escapeHtml(`<a href='x'>&"`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;')
  t.not(escapeHtml('<b>'), '<b>', 'the twin: unescaped text would be markup')
})


t.test('the HTML report in headless Chromium: verdict, failure, language toggle, evidence, no network', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser test skipped` }, async (t) => {
  const dir = t.testdir({})
  const keys = generateSigningKeys()
  const paths = await writeReports(await sampleReport(), dir, ['html', 'json'], { signing: { ...keys, keyId: 'browser-test' } })
  const fileUrl = pathToFileURL(paths.html as string).href
  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const requests: string[] = []
  page.on('request', (r) => requests.push(r.url()))
  const dialogs: string[] = []
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })
  await page.goto(fileUrl)

  const verdict = page.locator('#verdict')
  t.ok(await verdict.isVisible())
  t.match(await verdict.innerText(), /不符合规范/, 'verdict in Chinese by default')
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
  const failed = page.locator('details#check-preview-media-duration')
  t.ok(await failed.locator('summary').isVisible(), 'the failing check is visible')
  t.match(await failed.locator('summary').innerText(), /未通过.*preview\.media-duration/s)

  const evidence = failed.locator('.evidence')
  t.notOk(await evidence.isVisible(), 'evidence collapsed at first')
  await failed.locator('summary').focus()
  await page.keyboard.press('Enter')
  t.ok(await evidence.isVisible(), 'keyboard expands the evidence')
  t.match(await evidence.innerText(), /GET http:\/\/127\.0\.0\.1:8080\/v1\/courses/)
  t.match(await failed.locator('.repro pre').innerText(), /^curl /m)
  t.match(await failed.innerText(), /<script>alert\("x"\)<\/script>/, 'hostile text is rendered as text')

  const toggle = page.locator('#lang-toggle')
  await toggle.click()
  t.match(await verdict.innerText(), /Not conformant/, 'verdict label switched to English')
  t.notMatch(await verdict.innerText(), /不符合规范/)
  t.equal(await page.getAttribute('html', 'lang'), 'en')
  t.equal(await toggle.getAttribute('aria-pressed'), 'true')
  t.match(await page.locator('#integrity').innerText(), /Digest matches and the signature verifies/)

  mkdirSync(join(packageRoot, 'artifacts'), { recursive: true })
  const shot = join(packageRoot, 'artifacts', 'report-html.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.comment(`screenshot: ${shot}`)

  t.same(dialogs, [], 'no script from the report ran')
  t.same([...new Set(requests)], [fileUrl], 'the only request is the file itself')
})

t.test('renderHtml options: the language shown first, and an embedded page without its own toggle', async (t) => {
  const report = await sampleReport()
  const zh = renderHtml(report)
  t.match(zh, /<html lang="zh-CN" class="lang-zh">/)
  t.match(zh, /id="lang-toggle"/, 'standalone: the report toggles its own language')
  const en = renderHtml(report, { lang: 'en', embedded: true })
  t.match(en, /<html lang="en" class="lang-en">/, 'the console\'s language')
  t.notMatch(en, /id="lang-toggle"/, 'embedded: no second language toggle')
  t.notMatch(en, /Subject<\/span>: <strong>platform|· on-demand<\/strong>|Mode<\/span>: (local|gateway) /, 'subject type, kind and mode in words, not raw values')
  t.match(en, /<span class="en" lang="en">(Platform|Course package)<\/span>/)
})
