// Every console page and the HTML report, in Debian's Chromium at 1366×768 and 390×844, in both
// languages: the visible text holds no raw enum value (taken from the schemas: specs/schemas, the
// provider OpenAPI, the gateway's own OpenAPI built from its route schemas, and the gateway's
// document-type table, never from the console's translation tables), no `null`, `undefined`,
// `NaN` or `[object Object]`; axe-core (no rule disabled) finds no serious or critical violation;
// a screenshot of each is kept under artifacts/console/pages/. One browser for the whole file.
// Data: an on-demand provider with a real conformance report (reference platform on loopback) and
// 120 synced courses (the provider dashboard's charts, R19 feedback), a second application waiting.
import t from 'tap'
import type { Test } from 'tap'
import { existsSync, readFileSync, readdirSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type { Frame, Page } from 'playwright-core'
import { CHROMIUM, SCREENSHOT_DIR, launchChromium, listenOnLoopback, signIn, waitForState } from './browser.test-support.js'
import { testApp } from '../app.test-support.js'
import { drainWorkflowJobs } from '../workflow/jobs.js'
import { applicationBody, bearer, documentBodies, signedInject, USCC } from '../workflow/workflow.test-support.js'
import type { ProviderCredentials } from '../workflow/workflow.test-support.js'
import { startProvider } from '../../fixtures/providers/index.js'
import { createConformanceRunner } from '../conformance-runner.js'
import { DOCUMENT_TYPES } from '../workflow/requirements-by-kind.js'
import { packageRoot } from '../../specs/lib/paths.js'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
declare const axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> }

/** Product names that are also schema constants (the tool's own name) are not enum leaks. */
// 'ffprobe' is also a tool's name (the report's environment names the ffprobe it ran), besides the probe config's mediaMethod value.
const NOT_ENUM_LEAKS = new Set(['skillgate', 'ffprobe'])

/** String enum/const values of every schema, lower-case ASCII tokens (what a raw value looks like). */
export function schemaEnums(extra: unknown[]): Set<string> {
  const out = new Set<string>()
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) { o.forEach(walk); return }
    if (!o || typeof o !== 'object') return
    const r = o as Record<string, unknown>
    for (const v of [...(Array.isArray(r.enum) ? r.enum : []), r.const]) if (typeof v === 'string' && /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(v) && !NOT_ENUM_LEAKS.has(v)) out.add(v)
    Object.values(r).forEach(walk)
  }
  const dir = join(packageRoot, 'specs', 'schemas')
  for (const f of readdirSync(dir)) walk(JSON.parse(readFileSync(join(dir, f), 'utf8')))
  walk(JSON.parse(readFileSync(join(packageRoot, 'specs', 'openapi', 'provider-api.openapi.json'), 'utf8')))
  extra.forEach(walk)
  return out
}

/**
 * Visible text problems: raw enum values (whole tokens), null/undefined/NaN/[object Object].
 * `verbatim` is the text of code/pre elements (check ids, commands, measured values quoted as
 * evidence): checked for null/undefined/[object Object] like the rest, not for enum words.
 */
export function textProblems(text: string, enums: Set<string>, lang: 'zh-CN' | 'en', verbatim = ''): string[] {
  const found = new Set<string>()
  for (const m of `${text}\n${verbatim}`.matchAll(/\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]/g)) found.add(m[0])
  // A token is a maximal run of ASCII word characters, dots, slashes, colons and hyphens, so a
  // check id (preview.media-duration), a file name or a URL is one token and never matches.
  for (const m of text.matchAll(/[A-Za-z0-9_.:/+-]+/g)) {
    const token = m[0].replace(/[.:]+$/, '')
    // English prose uses plain words that are also enum values (pass, active, draft): in English
    // only hyphenated values count (not-conformant, material-review, business-licence).
    if (enums.has(token) && (lang === 'zh-CN' || token.includes('-'))) found.add(`${token} in «${text.slice(Math.max(0, m.index - 20), m.index + token.length + 20).replace(/\s+/g, ' ')}»`)
  }
  return [...found]
}

t.test('textProblems: catches what it should, and only that (the twins)', async (t) => {
  const enums = new Set(['conformant', 'not-conformant', 'material-review', 'pass'])
  t.same(textProblems('结论 符合规范 状态 材料审核', enums, 'zh-CN'), [])
  t.same(textProblems('结论 not-conformant 无失信记录 true null', enums, 'zh-CN'), ['null', 'not-conformant in «结论 not-conformant 无失信记录 true null»'])
  t.same(textProblems('check preview.media-duration pass', enums, 'zh-CN'), ['pass in «view.media-duration pass»'])
  t.same(textProblems('Checks pass · Not conformant', enums, 'en'), [], 'English words are prose')
  t.same(textProblems('State: material-review [object Object]', enums, 'en'), ['[object Object]', 'material-review in «State: material-review [object Object]»'])
  t.same(textProblems('实测', enums, 'zh-CN', '{"verdict":"pass","x":null}'), ['null'], 'quoted evidence: null counts, enum words do not')
})

/**
 * The visible text of a page in three parts, run inside the page: the English passages (rendered
 * elements marked lang="en" on a Chinese page, such as a requirement's English summary), the
 * verbatim code/pre text (check ids, commands, measured values quoted as evidence), and the prose
 * around them. The passages are taken out by hiding them (visibility, so nothing reflows) while the
 * prose is read, never by cutting their text out of the page's text: a hidden short span such as
 * the English "spec" label would otherwise cut "specification" inside a summary, which then no
 * longer matched and reached the Chinese scan whole. Elements not rendered (the other language's
 * spans) are not passages at all.
 */
export function pageText(): { text: string; verbatim: string; english: string } {
  const doc = (globalThis as any).document
  const shown = (el: any): boolean => el.checkVisibility({ visibilityProperty: true })
  const outermost = (sel: string): any[] => [...doc.querySelectorAll(sel)].filter((el: any) => el !== doc.documentElement && shown(el) && !el.parentElement?.closest(`${sel}, code, pre`))
  const english = outermost('[lang="en"]')
  const quoted = outermost('code, pre').filter((el: any) => !el.closest('[lang="en"]'))
  const read = (els: any[]): string => els.map((el) => el.innerText as string).filter(Boolean).join('\n')
  const out = { english: read(english), verbatim: read(quoted), text: '' }
  const hidden = [...english, ...quoted].map((el) => [el, el.style.visibility] as const)
  for (const [el] of hidden) el.style.visibility = 'hidden'
  try { out.text = doc.body.innerText } finally { for (const [el, v] of hidden) el.style.visibility = v }
  return out
}

const VIEWPORTS = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const

t.test('console pages and the HTML report: words, not raw values; accessible; both sizes and languages', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), ssrfMode: 'local' } })
  app.setConformanceRunner(createConformanceRunner(app, { mode: 'local', sample: 1 }))
  const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) }) })
  const base = await listenOnLoopback(app)
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: '王评审' })
  const admin = await store.apiTokens.create({ role: 'admin', label: '平台管理员' })

  // An on-demand provider through submit and material review by the API; the gateway's job probes
  // the reference platform, which leaves a real report; the application is then in the roadshow.
  const created = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('on-demand', { endpointBaseUrl: `http://127.0.0.1:${port}/` }) })
  const appId: string = created.json().application.id
  const creds: ProviderCredentials = created.json().provider
  const platform = await startProvider({ kind: 'on-demand', port, courses: 120, keys: { [creds.keyId]: creds.secret } })
  t.teardown(() => platform.close())
  for (const doc of documentBodies('on-demand')) await signedInject(app, creds, 'POST', `/api/v1/applications/${appId}/documents`, doc)
  await signedInject(app, creds, 'POST', `/api/v1/applications/${appId}/submit`)
  t.equal((await app.inject({ method: 'POST', url: `/api/v1/applications/${appId}/material-review`, headers: bearer(reviewer.token), payload: { decision: 'pass', reasons: ['材料齐全'] } })).statusCode, 200)
  await drainWorkflowJobs(app.workflow)
  // A second application waits for material review (the queues' reviewer column).
  const second = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('resource', { organisation: { name: '第二家资源方', uscc: USCC.valid } }) })
  const c2: ProviderCredentials = second.json().provider
  for (const doc of documentBodies('resource')) await signedInject(app, c2, 'POST', `/api/v1/applications/${second.json().application.id}/documents`, doc)
  await signedInject(app, c2, 'POST', `/api/v1/applications/${second.json().application.id}/submit`)

  await t.test('the dashboard shows the reference platform\'s courses after a sync (demo fix)', async (t) => {
    const before = await app.inject({ url: `/api/v1/console/providers/${creds.providerId}/history`, headers: bearer(reviewer.token) })
    t.same(before.json().courses, [], 'the twin: before the provider is admitted and synced, no courses')
    // Admitted (the roadshow, publicity and commitment are the admission test's subject).
    await store.db.updateTable('applications').set({ state: 'active' }).where('id', '=', appId).execute()
    const sync = await app.inject({ method: 'POST', url: '/api/v1/sync/run', headers: bearer(admin.token), payload: { providerId: creds.providerId } })
    t.equal(sync.json().runs[0].upserted, 120, 'the sync stored all 120 courses')
    const after = (await app.inject({ url: `/api/v1/console/providers/${creds.providerId}/history`, headers: bearer(reviewer.token) })).json()
    t.equal(after.courses.at(-1).live, 120, 'and the dashboard counts them (it read only package courses before)')
    t.equal(after.courses.at(-1).free, platform.catalogue.freeCount)
  })
  const now = Date.now()
  for (const [i, r] of [[3, 1], [2, null], [1, 5]].entries()) {
    await store.db.insertInto('feedback_tickets').values({
      id: `fbt_${i}`, provider_id: creds.providerId, course_id: null, entity_name: '某单位', entity_uscc: null, contact: null, subject: '课程无法播放', body: '第二课无法播放',
      rating_token_hash: `h${i}`, filed_at: now - (r[0]! * 86_400_000), responded_at: r[1] === null ? null : now, resolved_at: r[1] === null ? null : now, response: null, resolution: null, rating: r[1], rated_at: r[1] === null ? null : now,
    }).execute()
  }

  const enums = schemaEnums([app.swagger(), DOCUMENT_TYPES.map((d) => ({ enum: [d.type] }))])
  t.ok(enums.has('not-conformant') && enums.has('material-review') && enums.has('business-licence') && enums.has('on-demand'), `${enums.size} enum values from the schemas`)
  const ticket = (await app.inject({ method: 'POST', url: '/api/v1/console/report-tickets', headers: bearer(reviewer.token), payload: { applicationId: appId } })).json()

  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const dir = join(SCREENSHOT_DIR, 'pages')
  mkdirSync(dir, { recursive: true })

  await t.test('pageText: an English passage is read whole, as English; the Chinese prose keeps no part of it (the twins)', async (t) => {
    const page = await browser.newPage()
    t.teardown(() => page.close())
    // The report's shape: a hidden English label ("spec") that is also a word inside the English summary.
    await page.setContent(`<html lang="zh-CN"><style>.en{display:none}</style><body><p>规范版本<span class="en" lang="en">spec</span></p>
      <table><tr><th>要求摘要</th><td lang="en">The management platform publishes one technical specification.</td></tr></table><p>命令 <code>skillgate probe --kind on-demand</code></p><p>PLANTED</p></body></html>`)
    const clean = await page.evaluate(pageText)
    t.equal(clean.english, 'The management platform publishes one technical specification.', 'the summary whole; the hidden label is no passage')
    t.equal(clean.verbatim, 'skillgate probe --kind on-demand')
    t.same(textProblems(clean.text, new Set(['platform', 'on-demand']), 'zh-CN', clean.verbatim), [], 'the Chinese prose holds neither the summary nor the command')
    t.same(textProblems(clean.english, new Set(['platform', 'on-demand']), 'en'), [], 'under English rules, plain words are prose')
    // The twin: the same summary without lang="en" is Chinese-page text, and its enum word is caught.
    await page.evaluate(() => (globalThis as any).document.querySelector('td').removeAttribute('lang'))
    const leaked = await page.evaluate(pageText)
    t.match(textProblems(leaked.text, new Set(['platform']), 'zh-CN').join(), /^platform in /, 'unmarked English reaches the Chinese scan')
    t.match(leaked.text, /规范版本[\s\S]*PLANTED/, 'the prose around the passages is read')
  })

  const audit = async (t: Test, target: Page | Frame, name: string): Promise<void> => {
    await target.evaluate(AXE_SOURCE)
    const result = await target.evaluate(() => axe.run((globalThis as any).document, { resultTypes: ['violations'], iframes: false }))
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    t.same(bad.map((v) => `${v.id}: ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`), [], `${name}: no serious or critical axe violation`)
  }
  const visible = async (t: Test, target: Page | Frame, name: string, lang: 'zh-CN' | 'en'): Promise<void> => {
    const { text, verbatim, english } = await target.evaluate(pageText)
    t.same([...textProblems(text, enums, lang, verbatim), ...textProblems(english, enums, 'en')], [], `${name}: no raw value in the visible text`)
  }

  const PAGES: { name: string; hash: string; ready: string }[] = [
    { name: 'queues', hash: '#/queues', ready: 'section[aria-labelledby="q-cases"] table, section[aria-labelledby="q-cases"] p:not([data-loading])' },
    { name: 'applications', hash: '#/applications', ready: `tr[data-app="${appId}"]` },
    { name: 'application', hash: `#/applications/${appId}`, ready: 'iframe[data-report-frame]:not([hidden])' },
    { name: 'courses', hash: '#/courses', ready: '#c-live' },
    { name: 'providers', hash: '#/providers', ready: `tr[data-provider="${creds.providerId}"]` },
    { name: 'provider', hash: `#/providers/${creds.providerId}`, ready: '[data-chart="feedback"] svg' },
  ]

  for (const vp of VIEWPORTS) {
    for (const lang of ['zh-CN', 'en'] as const) {
      await t.test(`${vp.name} ${vp.width}×${vp.height}, ${lang}`, async (t) => {
        const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: lang })
        t.teardown(() => context.close())
        await context.addInitScript((l) => { (globalThis as any).localStorage.setItem('sg.console.lang', l) }, lang)
        const page = await context.newPage()
        await page.goto(`${base}/console/`)
        await page.waitForSelector('#login')
        await visible(t, page, 'login', lang)
        await audit(t, page, 'login')
        await signIn(page, base, reviewer.token)
        await page.waitForSelector('#nav:not([hidden])')
        t.match(await page.locator('#whoami').innerText(), lang === 'en' ? /Reviewer · 王评审/ : /评审专家 · 王评审/, 'who is signed in, in words')
        for (const p of PAGES) {
          await page.goto(`${base}/console/${p.hash}`)
          await page.waitForSelector(p.ready)
          await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-loading]') === null, undefined, { polling: 100 })
          await visible(t, page, p.name, lang)
          await audit(t, page, p.name)
          if (p.name === 'application') {
            const frame = page.frames().find((f) => f.url().includes('/console/reports/'))!
            t.match(frame.url(), lang === 'en' ? /lang=en&embedded=1/ : /lang=zh-CN&embedded=1/)
            t.equal(await frame.locator('#lang-toggle').count(), 0, 'the embedded report has no toggle of its own')
            t.equal(await frame.locator('html').getAttribute('lang'), lang, 'it follows the console\'s language')
            await visible(t, frame, 'embedded report', lang)
            t.ok(await page.locator('ol.timeline li').count() >= 5, 'the audit trail is a timeline')
            t.equal(await page.locator('ol.timeline pre.raw').first().isVisible(), false, 'the raw record is one click away, not shown')
          }
          if (p.name === 'provider') {
            t.equal(await page.locator('form[data-form="forced-exit"]').count(), 0, 'a reviewer is not offered the admin-only forced exit')
            t.ok(await page.locator('[data-chart="courses"] svg[role=img]').count() === 2, 'course count and free share charts')
          }
          await page.screenshot({ path: join(dir, `${p.name}-${vp.name}-${lang}.png`), fullPage: true })
        }
        // The report on its own (what the CLI writes), in this language.
        await page.goto(`${base}${ticket.url}?lang=${lang}`)
        await page.waitForSelector('#verdict')
        await visible(t, page, 'report', lang)
        await audit(t, page, 'report')
        t.equal(await page.locator('#lang-toggle').count(), 1, 'standalone, the report keeps its toggle')
        await page.screenshot({ path: join(dir, `report-${vp.name}-${lang}.png`), fullPage: true })
      })
    }
  }

  await t.test('an admin is offered forced exit; the session lists what each role may do', async (t) => {
    const r = (await app.inject({ url: '/api/v1/console/session', headers: bearer(reviewer.token) })).json()
    const a = (await app.inject({ url: '/api/v1/console/session', headers: bearer(admin.token) })).json()
    t.notOk(r.may.includes('forced-exit'), 'reviewer: no forced exit')
    t.ok(r.may.includes('material-review') && r.may.includes('provider-action'))
    t.ok(a.may.includes('forced-exit') && a.may.includes('run-workflow-jobs'), 'admin: forced exit and jobs')
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await signIn(page, base, admin.token)
    await page.waitForSelector('#nav:not([hidden])')
    await page.goto(`${base}/console/#/providers/${creds.providerId}`)
    await page.waitForSelector('form[data-form="forced-exit"]')
    await page.goto(`${base}/console/#/queues`)
    await page.waitForSelector('button.secondary')
    t.notMatch(await page.locator('main').innerText(), /\bnull\b/, 'the admin card, and no literal null after it')
  })

  await t.test('a page still loading when the reviewer moves on never draws over the next one', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await signIn(page, base, reviewer.token)
    await page.waitForSelector('[data-tile="material-review"]')
    // The queues' list request is held until the application page is up; then it is answered.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    await page.route('**/api/v1/applications?limit=500', async (route) => { await held; await route.continue() })
    await page.goto(`${base}/console/#/queues`)
    await page.waitForSelector('main [data-loading]')
    const state: string = (await app.inject({ url: `/api/v1/applications/${appId}`, headers: bearer(reviewer.token) })).json().application.state
    await page.goto(`${base}/console/#/applications/${appId}`)
    await waitForState(page, state)
    const answered = page.waitForResponse('**/api/v1/applications?limit=500')
    release()
    await answered
    // The overtaken queues render finishes now (two more requests at most): give it the time.
    await page.waitForLoadState('networkidle')
    await page.waitForTimeout(300)
    t.equal(await page.locator('[data-tile="material-review"]').count(), 0, 'the queues did not draw over the application')
    t.equal(await page.locator(`h1 [data-state="${state}"]`).count(), 1, `the application page (${state}) is still shown`)
  })
})
