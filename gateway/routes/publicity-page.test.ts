// /publicity in Debian's Chromium (issue 18; R11): Chinese and English at 1366×768 and 390×844,
// one card per provider (no wide table, the company name not one character per line), no raw enum
// value, `null`, `undefined` or `[object Object]` in the visible text, axe-core (no rule disabled)
// without serious or critical violations, and the objection form: validated in place, filed under
// the objector's name and contact (unconfirmed: publicity not paused), rate-limited per contact.
// Screenshots are kept in artifacts/publicity/ (gitignored).
import t from 'tap'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { Test } from 'tap'
import { packageRoot } from '../../specs/lib/paths.js'
import { testApp } from '../app.test-support.js'
import { CHROMIUM, launchChromium } from '../console/browser.test-support.js'
import { STATES } from '../workflow/state-machine.js'
import { PROVIDER_KINDS } from '../workflow/requirements-by-kind.js'
import { applicationBody } from '../workflow/workflow.test-support.js'

const SHOTS = join(packageRoot, 'artifacts', 'publicity')
const VIEWPORTS = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const
const LIMIT = 3
const LONG_NAME = '北京市海淀区中关村职业技能培训学校有限责任公司'

/** Enum values a reader must never see raw: application states and provider kinds, and every enum in the gateway's OpenAPI. */
function enumValues(doc: unknown): Set<string> {
  const out = new Set<string>([...STATES, ...PROVIDER_KINDS])
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'enum' && Array.isArray(x)) for (const e of x) if (typeof e === 'string') out.add(e)
        walk(x)
      }
    }
  }
  walk(doc)
  return out
}

/** Raw values in visible text: Chinese text has none at all; English text none with a hyphen (plain words like "open" are English). */
function rawValuesIn(text: string, enums: Set<string>, lang: 'zh-CN' | 'en'): string[] {
  const found = [...enums].filter((e) => (lang === 'zh-CN' || /[-_]/.test(e)) && new RegExp(`(^|[^A-Za-z0-9_-])${e.replace(/[-]/g, '\\-')}($|[^A-Za-z0-9_-])`).test(text))
  return [...found, ...['null', 'undefined', '[object Object]', 'NaN'].filter((w) => text.includes(w))]
}

async function axeSerious(page: Page, axeSource: string): Promise<string[]> {
  await page.evaluate(axeSource)
  // Every rule axe-core has, none disabled; only serious and critical findings fail the test.
  const violations = await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))') as Array<{ id: string; impact: string | null; nodes: number }>
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`)
}

t.test('/publicity in Chromium: bilingual, phone-readable, accessible, with a working objection form', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async (t) => {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  mkdirSync(SHOTS, { recursive: true })
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), 'rateLimit.perIdentityMax': LIMIT } })
  const reviewer = { role: 'reviewer' as const, id: 'reviewer:t' }
  const ids: string[] = []
  for (const [kind, org] of [['on-demand', LONG_NAME], ['self-hosted', '北京某在线教育科技有限公司']] as const) {
    const { application } = await app.workflow.createApplication(applicationBody(kind))
    await store.db.updateTable('applications').set({ state: 'roadshow', org_name: org, roadshow_decision: JSON.stringify({ recommend: true }) }).where('id', '=', application.id).execute()
    for (const r of ['a', 'b', 'c']) await store.db.insertInto('roadshow_scores').values({ application_id: application.id, reviewer: r, score: 80, comments: '', scored_at: 0 }).execute()
    await app.workflow.startPublicity(application.id, reviewer)
    ids.push(application.id)
  }
  const enums = enumValues((await app.inject('/openapi.json')).json())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const browser: Browser = await launchChromium()
  t.teardown(() => browser.close())

  const open = async (vp: (typeof VIEWPORTS)[number]) => {
    // bypassCSP only so the test can inject axe-core; the page itself runs no script.
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, bypassCSP: true })
    t.teardown(() => context.close())
    return context.newPage()
  }
  const check = async (t: Test, page: Page, lang: 'zh-CN' | 'en', shot: string) => {
    const text = await page.evaluate('document.body.innerText') as string
    t.same(rawValuesIn(text, enums, lang), [], `${shot}: no raw enum value, null, undefined or [object Object]`)
    t.same(await axeSerious(page, axeSource), [], `${shot}: axe-core reports no serious or critical violation`)
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number
    t.ok(overflow <= 0, `${shot}: nothing wider than the viewport (overflow ${overflow}px)`)
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true })
  }

  for (const vp of VIEWPORTS) {
    for (const lang of ['zh-CN', 'en'] as const) {
      await t.test(`${vp.name} ${vp.width}×${vp.height}, ${lang}`, async (t) => {
        const page = await open(vp)
        await page.goto(`${base}/publicity?lang=${lang}`)
        t.equal(await page.getAttribute('html', 'lang'), lang)
        t.equal(await page.locator('table').count(), 0, 'no table')
        t.equal(await page.locator('li.card').count(), 2, 'one card per provider')
        const name = page.locator('li.card h3', { hasText: LONG_NAME })
        const box = (await name.boundingBox())!
        const card = (await page.locator('li.card', { hasText: LONG_NAME }).boundingBox())!
        // Lines the name's text wraps onto: distinct tops of its line boxes.
        const lines = await name.evaluate((el) => {
          const r = (globalThis as unknown as { document: { createRange(): { selectNodeContents(n: unknown): void; getClientRects(): ArrayLike<{ top: number }> } } }).document.createRange()
          r.selectNodeContents(el)
          return new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size
        })
        t.ok(box.width >= card.width * 0.8, `the company name uses the card's width (${Math.round(box.width)} of ${Math.round(card.width)}px)`)
        t.ok(lines >= 1 && lines <= 2, `the ${[...LONG_NAME].length}-character company name takes at most two lines (${lines})`)
        t.match(await page.locator('li.card').first().innerText(), lang === 'en' ? /Under publicity/ : /公示中/, 'the state is translated')
        t.equal(await page.locator('form[action="/publicity/objections"]').count(), 1, 'the objection form is on the page')
        await check(t, page, lang, `publicity-${vp.name}-${lang}`)
      })
    }
  }

  await t.test('phone, Chinese: an incomplete form is answered in place; a complete one is filed, unconfirmed', async (t) => {
    const page = await open(VIEWPORTS[1])
    await page.goto(`${base}/publicity`)
    await page.selectOption('#applicationId', ids[0]!)
    await page.fill('#contact', 'not a contact')
    await page.fill('#text', '该单位课程版权存疑：第3课时视频与某出版社教材雷同。')
    const bad = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')])
    t.equal(bad[0]?.status(), 400)
    t.equal(await page.locator('[role=alert] li').count(), 2, 'name and contact are named as wrong')
    t.equal(await page.locator('#name[aria-invalid=true]').count(), 1)
    t.equal(await page.inputValue('#text'), '该单位课程版权存疑：第3课时视频与某出版社教材雷同。', 'what was typed is kept')
    await check(t, page, 'zh-CN', 'publicity-phone-zh-CN-errors')
    t.equal((await store.db.selectFrom('publicity_objections').selectAll().execute()).length, 0, 'nothing filed')
    await page.fill('#name', '王五')
    await page.fill('#contact', '138 0013 8000')
    await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')])
    t.match(page.url(), /\/publicity\?lang=zh-CN&received=obj_/)
    t.match(await page.locator('[role=status]').innerText(), /已收到您的异议/)
    const rows = await store.db.selectFrom('publicity_objections').selectAll().execute()
    t.match(rows, [{ application_id: ids[0], objector_name: '王五', contact: '138 0013 8000', confirmed_at: null }])
    t.equal((await app.workflow.get(ids[0]!, reviewer)).state, 'publicity', 'an unconfirmed objection does not pause publicity')
    await check(t, page, 'zh-CN', 'publicity-phone-zh-CN-received')
  })

  await t.test('desktop, English: filed; past the per-contact limit the page says when to retry', async (t) => {
    const page = await open(VIEWPORTS[0])
    const file = async () => {
      await page.goto(`${base}/publicity?lang=en`)
      await page.selectOption('#applicationId', ids[1]!)
      await page.fill('#name', 'Li Si')
      await page.fill('#contact', 'li.si@example.cn')
      await page.fill('#text', 'The advertised course hours do not match the videos.')
      const [response] = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')])
      return response?.status()
    }
    t.equal(await file(), 200, 'redirected to the page')
    t.match(await page.locator('[role=status]').innerText(), /Your objection was received/)
    await check(t, page, 'en', 'publicity-desktop-en-received')
    for (let i = 1; i < LIMIT; i++) t.equal(await file(), 200)
    t.equal(await file(), 429, 'the same contact past the limit')
    t.match(await page.locator('[role=alert]').innerText(), /Too many objections from this contact/)
    await check(t, page, 'en', 'publicity-desktop-en-limited')
    t.equal((await store.db.selectFrom('publicity_objections').selectAll().where('application_id', '=', ids[1]!).execute()).length, LIMIT, 'the refused one was not stored')
  })
})
