// The data interface's settings are gateway config (`dataInterface` in config.schema.json): defaults
// equal to gateway/sync/settings.ts, nested partial overrides merged with the defaults, unknown keys,
// out-of-range values and unparsable cron expressions refused at boot, and the app hands the values
// to the plugin (R17 schedules, R19 thresholds).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from './config.js'
import { dataInterfaceSettings } from './sync/settings.js'
import { testApp } from './app.test-support.js'
import { applicationBody, bearer } from './workflow/workflow.test-support.js'

function configError(fn: () => unknown): { code?: string; problems: string[] } {
  try {
    fn()
  } catch (err) {
    const e = err as { code?: string; details?: { problems?: string[] } }
    return { ...(e.code ? { code: e.code } : {}), problems: e.details?.problems ?? [] }
  }
  return { problems: [] }
}

t.test('defaults are the ones gateway/sync/settings.ts applies, and frozen', async (t) => {
  const config = loadConfig({ env: {} })
  const { ssrfMode: _mode, ...codeDefaults } = dataInterfaceSettings('deny')
  t.same(config.dataInterface, codeDefaults, 'config.schema.json and settings.ts agree')
  t.ok(Object.isFrozen(config.dataInterface.sync.circuit) && Object.isFrozen(config.dataInterface.r19.takedown), 'deeply frozen')
})

t.test('a config file overrides single nested values; the rest keep their defaults', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'gateway.json')
  writeFileSync(file, JSON.stringify({ dataInterface: { sync: { retries: 0, circuit: { failureThreshold: 5 } }, records: { pullCron: '*/10 * * * *' }, assessment: { sample: 3 }, r19: { minTickets: 2, takedown: { satisfaction: 2 } } } }))
  const di = loadConfig({ env: { SKILLGATE_CONFIG: file } }).dataInterface
  t.equal(di.sync.retries, 0)
  t.equal(di.sync.pageLimit, 200, 'sibling default kept')
  t.same(di.sync.circuit, { failureThreshold: 5, coolDownMs: 1_800_000 })
  t.equal(di.records.pullCron, '*/10 * * * *')
  t.same(di.assessment, { cron: '30 2 * * *', sample: 3 })
  t.same(di.r19.takedown, { responseRate: 0.5, resolutionRate: 0.4, satisfaction: 2 })
  t.equal(di.r19.minTickets, 2)
})

t.test('invalid settings are refused at boot with the path (each with a valid twin)', async (t) => {
  const cases: Array<{ name: string; bad: Record<string, unknown>; good: Record<string, unknown>; path: RegExp }> = [
    { name: 'unknown key', bad: { 'dataInterface.sync.retrys': 1 }, good: { 'dataInterface.sync.retries': 1 }, path: /\/dataInterface\/sync/ },
    { name: 'unknown section', bad: { 'dataInterface.pulls.maxPages': 1 }, good: { 'dataInterface.records.maxPages': 1 }, path: /\/dataInterface/ },
    { name: 'rate above 1', bad: { 'dataInterface.r19.interview.responseRate': 1.5 }, good: { 'dataInterface.r19.interview.responseRate': 0.95 }, path: /\/dataInterface\/r19\/interview\/responseRate/ },
    { name: 'page limit above the provider API maximum', bad: { 'dataInterface.sync.pageLimit': 500 }, good: { 'dataInterface.sync.pageLimit': 100 }, path: /\/dataInterface\/sync\/pageLimit/ },
    { name: 'zero attempts', bad: { 'dataInterface.sync.maxAttempts': 0 }, good: { 'dataInterface.sync.maxAttempts': 1 }, path: /\/dataInterface\/sync\/maxAttempts/ },
    { name: 'unparsable sync cron', bad: { 'dataInterface.sync.cron': '61 * * * *' }, good: { 'dataInterface.sync.cron': '*/5 * * * *' }, path: /\/dataInterface\/sync\/cron/ },
    { name: 'unparsable assessment cron', bad: { 'dataInterface.assessment.cron': 'every day at 2' }, good: { 'dataInterface.assessment.cron': '0 3 * * *' }, path: /\/dataInterface\/assessment\/cron/ },
  ]
  for (const c of cases) {
    const refused = configError(() => loadConfig({ env: {}, overrides: c.bad }))
    t.equal(refused.code, 'SG_ERR_CONFIG', `${c.name}: refused`)
    t.ok(refused.problems.some((p) => c.path.test(p)), `${c.name}: the problem names the path (${refused.problems.join('; ')})`)
    t.doesNotThrow(() => loadConfig({ env: {}, overrides: c.good }), `${c.name}: the valid twin loads`)
  }
})

t.test('the app passes dataInterface to the plugin', async (t) => {
  const { app } = await testApp(t, { overrides: { dataDir: t.testdir({}), 'dataInterface.sync.maxAttempts': 7, 'dataInterface.records.maxPages': 9 } })
  t.equal(app.dataInterface.settings.sync.maxAttempts, 7)
  t.equal(app.dataInterface.settings.records.maxPages, 9)
  t.equal(app.dataInterface.settings.sync.pageLimit, 200)
})

t.test('R19: the configured minTickets decides whether three unanswered tickets recommend action', async (t) => {
  // Twins: the same three tickets, default minTickets 5 (too little evidence) vs configured 2.
  for (const [minTickets, expected] of [[undefined, null], [2, 'takedown']] as const) {
    const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}), ...(minTickets === undefined ? {} : { 'dataInterface.r19.minTickets': minTickets }) } })
    const admin = (await store.apiTokens.create({ role: 'admin', label: 'a' })).token
    const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
    // Only identified training bodies' feedback counts towards R19 (anonymous tickets are kept, never counted).
    const body = (await app.inject({ method: 'POST', url: '/api/v1/admin/training-bodies', headers: bearer(admin), payload: { name: '北京某职业技能培训学校', contact: '010-12345678' } })).json()
    for (let i = 0; i < 3; i++) {
      const filed = await app.inject({ method: 'POST', url: '/api/v1/feedback', headers: bearer(body.token), payload: { providerId: provider.providerId, subject: '无法登录', body: `第 ${i + 1} 次反馈` } })
      t.equal(filed.statusCode, 201)
    }
    const evaluated = (await app.inject({ url: `/api/v1/providers/${provider.providerId}/feedback-metrics`, headers: bearer(admin) })).json()
    t.equal(evaluated.metrics.tickets, 3)
    t.equal(evaluated.recommendation?.action ?? null, expected, `minTickets ${minTickets ?? 'default (5)'}`)
  }
})
