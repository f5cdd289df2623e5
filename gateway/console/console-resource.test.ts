// A course-package provider (数字课程资源, kind `resource`) from application to active, in headless
// Chromium against a real gateway on loopback (issue 18): every reviewer step is taken in the
// console's UI (material review, the conformance run, three roadshow scores, the recommendation,
// publicity start); provider steps are signed API calls with a real package (24 courses, real
// ffmpeg media) checked by the real ingest job; the publicity close is the gateway's daily job.
//
// A resource provider has no package when material review passes, so its application waits in
// `awaiting-package` (issue 18) until its first package is checked; the ingest job then moves it
// to conformance, which judges that package.
import t from 'tap'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { CHROMIUM, COMMITMENT_LETTER, embeddedVerdict, foreignRequests, listenOnLoopback, recordingContext, roadshowToPublicity, screenshot, signIn, waitForState } from './browser.test-support.js'
import { testApp } from '../app.test-support.js'
import { drainWorkflowJobs } from '../workflow/jobs.js'
import { ROADSHOW_MIN_SCORERS } from '../workflow/guards.js'
import { applicationBody, documentBodies, signedInject } from '../workflow/workflow.test-support.js'
import type { ProviderCredentials } from '../workflow/workflow.test-support.js'
import { createConformanceRunner } from '../conformance-runner.js'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { uploadPackage } from '../ingest/ingest.test-support.js'

t.test('a course-package provider goes from application to active; every reviewer step in the console', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  // Resource providers are judged by the report of their newest checked package (R5.2-x).
  app.setConformanceRunner(createConformanceRunner(app, { mode: 'deny' }))
  let clock = Date.parse('2026-11-02T09:00:00+08:00') // a Monday with no holiday in the next weeks
  app.workflow.setClock(() => clock)
  const base = await listenOnLoopback(app)
  const reviewers = await Promise.all(Array.from({ length: ROADSHOW_MIN_SCORERS }, (_, i) => store.apiTokens.create({ role: 'reviewer', label: `评审专家 ${i + 1}` })))

  // Provider: apply, every required document, submit (signed API calls).
  const created = await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('resource') })
  t.equal(created.statusCode, 201)
  const appId: string = created.json().application.id
  const creds: ProviderCredentials = created.json().provider
  for (const doc of documentBodies('resource')) t.equal((await signedInject(app, creds, 'POST', `/api/v1/applications/${appId}/documents`, doc)).statusCode, 201)
  t.equal((await signedInject(app, creds, 'POST', `/api/v1/applications/${appId}/submit`)).statusCode, 200)

  const { requests, newPage } = await recordingContext(t)
  const page = await newPage()
  const detailUrl = `${base}/console/#/applications/${appId}`
  const stateIs = (state: string) => waitForState(page, state)

  await t.test('material review in the console: pass with reasons', async (t) => {
    await signIn(page, base, reviewers[0]!.token)
    await page.waitForSelector('#nav:not([hidden])')
    await page.goto(detailUrl)
    await stateIs('material-review')
    await page.fill('form[data-form="material-review"] textarea', '材料齐全\n版权证明有效')
    await page.click('button[data-action="material-review"]')
    await stateIs('awaiting-package')
    t.pass('material review passed by clicking; the application waits for its first package')
  })

  await t.test('the package: uploaded and checked, then judged', async (t) => {
    // Nothing to judge yet: no conformance job is queued while the application awaits its package.
    t.same(await drainWorkflowJobs(app.workflow), [], 'no conformance run without a package')
    const pkg = await generatePackage({ courses: 24 })
    const up = await uploadPackage(app, { ...creds }, await readFile(pkg.path))
    t.equal(up.statusCode, 202, up.body)
    t.match(await app.packageIngest.run(up.json().id), { status: 'checked' }, 'the real ingest job checked it')
    await page.reload()
    await stateIs('conformance')
    const ran = await drainWorkflowJobs(app.workflow)
    t.match(ran, [{ kind: 'workflow.conformance', ok: true, result: { verdict: 'conformant' } }], 'judged by the checked package')
    await page.reload()
    await stateIs('roadshow')
    t.match(await embeddedVerdict(page), /符合规范/, 'the package report, embedded')
  })

  await t.test('roadshow: three reviewers score, one recommends, publicity starts (all in the console)', async (t) => {
    await roadshowToPublicity({
      page, newPage, base, detailUrl, reviewers,
      score: (i) => ({ score: 85 + i, comment: `课程资源完整 ${i + 1}` }),
      minutes: '联合评审纪要：资源质量良好，同意推荐',
    })
    t.pass('publicity started by clicking')
  })

  await t.test('publicity closes (the daily job); the commitment letter makes the provider active', async (t) => {
    clock = Date.parse('2026-11-20T09:00:00+08:00')
    t.same((await app.workflow.closeDuePublicity()).closed, [appId])
    await page.reload()
    await stateIs('commitment')
    t.equal((await signedInject(app, creds, 'POST', `/api/v1/applications/${appId}/commitment-letter`, COMMITMENT_LETTER)).statusCode, 200)
    await page.reload()
    await stateIs('active')
    t.ok(await page.locator('li[data-audit="workflow.submit-commitment"]').isVisible(), 'the audit timeline ends with the letter')
    await screenshot(t, page, 'resource-provider-active')
    t.same(foreignRequests(requests, base), [], 'every request the pages made went to the gateway')
  })
})
