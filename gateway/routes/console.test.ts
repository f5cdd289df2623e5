// The console's route module without a browser: the shell's strict CSP, the asset whitelist, the
// allowed-events view of the state machine (R6), report tickets (valid vs tampered vs expired),
// and the course series. Each rule has a passing case and a failing twin.
import t from 'tap'
import { testApp } from '../app.test-support.js'
import { bearer } from '../workflow/workflow.test-support.js'
import { allowedEvents } from '../workflow/state-machine.js'
import { allowedEventsView, CONSOLE_CSP, courseSeries, createTicketSigner } from './console.js'
import { feedbackSeries, mayActions } from './console-views.js'

t.test('shell: public, strict CSP, only listed assets', async (t) => {
  const { app } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const shell = await app.inject({ url: '/console/' })
  t.equal(shell.statusCode, 200)
  t.equal(shell.headers['content-security-policy'], CONSOLE_CSP)
  t.match(CONSOLE_CSP, /^default-src 'self'/)
  t.notMatch(shell.body, /https?:\/\//, 'the shell names no other host')
  t.equal((await app.inject({ url: '/console' })).statusCode, 302)
  t.equal((await app.inject({ url: '/console/assets/js/app.js' })).headers['content-type'], 'text/javascript; charset=utf-8')
  const missing = await app.inject({ url: '/console/assets/../../routes/console.ts' })
  t.not(missing.statusCode, 200, 'the twin: a path outside the list is not served')
  t.equal((await app.inject({ url: '/console/assets/nope.js' })).json().code, 'SG_ERR_CONSOLE_ASSET_NOT_FOUND')
})

t.test('allowed-events mirrors the state machine; reviewers only', async (t) => {
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'r' })
  const r = await app.inject({ url: '/api/v1/console/allowed-events?state=material-review', headers: bearer(reviewer.token) })
  t.equal(r.statusCode, 200)
  t.same(r.json().events.map((e: { event: string }) => e.event), allowedEvents('material-review'))
  t.same(r.json().events.filter((e: { reviewerMay: boolean }) => e.reviewerMay).map((e: { event: string }) => e.event), ['material-pass', 'material-reject'])
  t.same(allowedEventsView('commitment').events.filter((e) => e.reviewerMay), [], 'the commitment letter is the provider\'s step')
  t.equal(allowedEventsView('active').terminal, true)
  t.equal((await app.inject({ url: '/api/v1/console/allowed-events?state=nonsense', headers: bearer(reviewer.token) })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/v1/console/allowed-events?state=draft' })).statusCode, 401, 'the twin: without a token')
})

t.test('report tickets: valid, tampered, expired', async (t) => {
  const signer = createTicketSigner(Buffer.alloc(32, 7))
  const ticket = signer.sign({ applicationId: 'app_1', exp: 1000 })
  t.same(signer.verify(ticket, 999), { applicationId: 'app_1', exp: 1000 })
  t.throws(() => signer.verify(ticket, 1001), { code: 'SG_ERR_CONSOLE_TICKET_INVALID' }, 'expired')
  const [payload, sig] = ticket.split('.')
  const forged = `${Buffer.from(JSON.stringify({ applicationId: 'app_2', exp: 1000 })).toString('base64url')}.${sig}`
  t.throws(() => signer.verify(forged, 999), { code: 'SG_ERR_CONSOLE_TICKET_INVALID' }, 'another application under the same signature')
  t.throws(() => createTicketSigner(Buffer.alloc(32, 8)).verify(`${payload}.${sig}`, 999), { code: 'SG_ERR_CONSOLE_TICKET_INVALID' }, 'another key')
  const { app } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const r = await app.inject({ url: `/console/reports/${forged}` })
  t.equal(r.statusCode, 403)
})

t.test('course series: live count and free share by day, takedowns subtracted', async (t) => {
  const day = (d: string): number => Date.parse(`${d}T10:00:00+08:00`)
  const series = courseSeries([
    { status: 'live', free: 1, published_at: day('2026-11-01'), updated_at: day('2026-11-01') },
    { status: 'live', free: 0, published_at: day('2026-11-01'), updated_at: day('2026-11-01') },
    { status: 'taken-down', free: 1, published_at: day('2026-11-02'), updated_at: day('2026-11-03') },
    { status: 'pending', free: 1, published_at: null, updated_at: day('2026-11-03') },
  ])
  t.same(series, [
    { day: '2026-11-01', live: 2, free: 1, freeShare: 0.5 },
    { day: '2026-11-02', live: 3, free: 2, freeShare: 0.667 },
    { day: '2026-11-03', live: 2, free: 1, freeShare: 0.5 },
  ])
})

t.test('session.may: what the role may do, from the routes\' declared roles (forced exit is admin only)', async (t) => {
  const routes = [
    { method: 'POST', url: '/api/v1/providers/:providerId/forced-exit', roles: ['admin'] as const },
    { method: 'POST', url: '/api/v1/providers/:providerId/actions', roles: ['reviewer'] as const },
  ]
  t.same(mayActions('reviewer', routes), ['provider-action'])
  t.same(mayActions('admin', routes), ['provider-action', 'forced-exit'], 'an admin may what a reviewer may')
  t.same(mayActions('admin', routes.slice(1)), ['provider-action'], 'the twin: an action whose route is absent is not offered')
  const { app, store } = await testApp(t, { overrides: { dataDir: t.testdir({}) } })
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'r' })
  const admin = await store.apiTokens.create({ role: 'admin', label: 'a' })
  const r = (await app.inject({ url: '/api/v1/console/session', headers: bearer(reviewer.token) })).json()
  const a = (await app.inject({ url: '/api/v1/console/session', headers: bearer(admin.token) })).json()
  t.notOk(r.may.includes('forced-exit'))
  t.ok(a.may.includes('forced-exit'))
  const dir = (await app.inject({ url: '/api/v1/console/directory', headers: bearer(reviewer.token) })).json()
  t.same(dir.people[reviewer.identity.id], { role: 'reviewer', label: 'r' }, 'names for token ids, no secrets')
})

t.test('feedback series: cumulative response, resolution and satisfaction by filing day', async (t) => {
  const day = (d: string): number => Date.parse(`${d}T10:00:00+08:00`)
  t.same(feedbackSeries([
    { filed_at: day('2026-11-02'), responded_at: null, resolved_at: null, rating: null },
    { filed_at: day('2026-11-01'), responded_at: day('2026-11-01'), resolved_at: day('2026-11-02'), rating: 4 },
  ]), [
    { day: '2026-11-01', filed: 1, responseRate: 1, resolutionRate: 1, satisfaction: 4 },
    { day: '2026-11-02', filed: 2, responseRate: 0.5, resolutionRate: 0.5, satisfaction: 4 },
  ])
})
