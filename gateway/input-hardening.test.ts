// Issue 16: one input-hardening layer for every route, proven by a fuzz run over every route in
// Fastify's own route list (app.guardedRoutes, so later routes are covered too), on SQLite and on
// PostgreSQL, over real sockets: NUL and lone surrogates in path, query and body, 100,000-deep
// JSON, 50 MB bodies with and without `Expect: 100-continue`, wrong content types. Zero 5xx, every
// error answer problem+json, the documented code wherever the request reaches the layer, and on
// routes that need a login an anonymous call gets 401 before any 400. The scanner functions get
// their twins first (each pass/fail pair differs by exactly the defect).
import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { signRequest } from '../conformance/signing/index.js'
import { testApp } from './app.test-support.js'
import { checkJsonText, checkRequestTarget, JSON_MAX_DEPTH } from './plugins/input-hardening.js'
import { forEachEngine } from './store/engines.test-support.js'
import { applicationBody } from './workflow/workflow.test-support.js'

t.test('scanner twins', async (t) => {
  const refuses = (f: () => void, code: string, what: string): void => { t.throws(f, { code }, what) }
  t.doesNotThrow(() => checkJsonText('{"a":"x\\u0001y"}'), '\\u0001 is storable')
  refuses(() => checkJsonText('{"a":"x\\u0000y"}'), 'SG_ERR_INPUT_UNSTORABLE', '\\u0000 is not')
  t.doesNotThrow(() => checkJsonText('{"a":"\\ud83d\\ude00"}'), 'a surrogate pair (an emoji) is fine')
  refuses(() => checkJsonText('{"a":"\\ud83d x"}'), 'SG_ERR_INPUT_UNSTORABLE', 'a lone high surrogate is not')
  refuses(() => checkJsonText('{"a":"\\ude00"}'), 'SG_ERR_INPUT_UNSTORABLE', 'a lone low surrogate is not')
  t.doesNotThrow(() => checkJsonText('{"\\\\u0000":"\\\\"}'), 'an escaped backslash before u0000 is text, not an escape')
  t.doesNotThrow(() => checkJsonText(`${'['.repeat(JSON_MAX_DEPTH)}${']'.repeat(JSON_MAX_DEPTH)}`), `${JSON_MAX_DEPTH} levels pass`)
  refuses(() => checkJsonText(`${'['.repeat(JSON_MAX_DEPTH + 1)}${']'.repeat(JSON_MAX_DEPTH + 1)}`), 'SG_ERR_JSON_TOO_DEEP', `${JSON_MAX_DEPTH + 1} do not`)
  t.doesNotThrow(() => checkJsonText(`{"a":"${'['.repeat(100)}"}`), 'brackets inside a string are not nesting')
  t.doesNotThrow(() => checkRequestTarget('/api/v1/x?q=%01'), '%01 is storable')
  refuses(() => checkRequestTarget('/api/v1/x?q=%00'), 'SG_ERR_INPUT_UNSTORABLE', '%00 is not')
  t.doesNotThrow(() => checkRequestTarget('/api/v1/x/%ED%9F%BF'), 'U+D7FF is a character')
  refuses(() => checkRequestTarget('/api/v1/x/%ED%A0%80'), 'SG_ERR_INPUT_UNSTORABLE', 'U+D800 encoded is not')
  t.doesNotThrow(() => checkRequestTarget('/api/v1/x?q=%E7%94%B5'), 'UTF-8 Chinese is fine')
  refuses(() => checkRequestTarget('/api/v1/x?q=%E7%94'), 'SG_ERR_INPUT_UNSTORABLE', 'a truncated UTF-8 sequence is not')
})

interface RawResponse { status: number; interim: number[]; headers: Record<string, string>; body: string }
interface RawRequest { method: string; path: string; headers: Record<string, string>; body?: Buffer; hugeBytes?: number; rawLine?: string }

const CHUNK = Buffer.alloc(256 * 1024, 0x20)

/** One HTTP/1.1 exchange on its own socket, reading interim (1xx) answers too. Never rejects: status 0 = no answer. */
function rawExchange(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data = Buffer.alloc(0)
    const interim: number[] = []
    let final: { status: number; headers: Record<string, string>; bodyStart: number } | undefined
    let sent = 0
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(final ? { status: final.status, interim, headers: final.headers, body: data.subarray(final.bodyStart).toString('utf8') } : { status: 0, interim, headers: {}, body: data.toString('latin1').slice(0, 200) })
    }
    const timer = setTimeout(finish, 60_000)
    const pump = (): void => {
      // Sends the huge body until the server has answered (or all of it went out).
      while (!final && !done && req.hugeBytes !== undefined && sent < req.hugeBytes) {
        const n = Math.min(CHUNK.length, req.hugeBytes - sent)
        sent += n
        if (!socket.write(CHUNK.subarray(0, n))) return void socket.once('drain', pump)
      }
    }
    const parse = (): void => {
      for (;;) {
        const start = final ? -1 : data.indexOf('\r\n\r\n')
        if (start < 0) break
        const head = data.subarray(0, start).toString('latin1').split('\r\n')
        const status = Number(head[0]!.split(' ')[1])
        const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
        if (status >= 100 && status < 200) {
          interim.push(status)
          data = data.subarray(start + 4)
          if (status === 100) pump()
          continue
        }
        final = { status, headers, bodyStart: start + 4 }
      }
      if (final?.headers['content-length'] !== undefined && data.length - final.bodyStart >= Number(final.headers['content-length'])) finish()
    }
    socket.on('data', (chunk) => { data = Buffer.concat([data, chunk]); parse() })
    socket.on('error', () => finish())
    socket.on('close', () => finish())
    socket.on('connect', () => {
      const line = req.rawLine ?? `${req.method} ${req.path} HTTP/1.1`
      const all: Record<string, string> = { connection: 'close', ...req.headers }
      if (req.body) all['content-length'] = String(req.body.length)
      if (req.hugeBytes !== undefined) all['content-length'] = String(req.hugeBytes)
      socket.write(`${line}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
      if (req.body) socket.write(req.body)
      if (req.hugeBytes !== undefined && !/100-continue/i.test(all.expect ?? '')) pump()
    })
  })
}

const MB50 = 50 * 1024 * 1024
const DEEP = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)
const JSON_TYPE = { 'content-type': 'application/json' }

interface Case { name: string; path?: (params: string) => string; query?: string; body?: Buffer; headers?: Record<string, string>; huge?: boolean; expect?: [number, string] }

/** The bad inputs, each with what a request that reaches the layer must get. */
function cases(hasParams: boolean, hasBody: boolean): Case[] {
  const out: Case[] = [
    { name: 'NUL in the query', query: 'q=a%00b', expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] },
    { name: 'lone surrogate in the query', query: 'q=%ED%A0%80', expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] },
    { name: '50 MB body', huge: true, headers: JSON_TYPE, expect: [413, ''] },
    { name: '50 MB body with Expect: 100-continue', huge: true, headers: { ...JSON_TYPE, expect: '100-continue' }, expect: [413, ''] },
  ]
  if (hasParams) {
    out.push({ name: 'NUL in the path', path: () => 'a%00b', expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] })
    out.push({ name: 'lone surrogate in the path', path: () => '%ED%A0%80', expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] })
  }
  if (hasBody) {
    out.push({ name: 'NUL in the body', body: Buffer.from('{"text":"a\\u0000b","reasons":["x\\u0000"]}'), headers: JSON_TYPE, expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] })
    out.push({ name: 'lone surrogate in the body', body: Buffer.from('{"text":"\\ud800","note":"x"}'), headers: JSON_TYPE, expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] })
    out.push({ name: 'invalid UTF-8 in the body', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), headers: JSON_TYPE, expect: [400, 'SG_ERR_INPUT_UNSTORABLE'] })
    out.push({ name: '100,000-deep JSON', body: DEEP, headers: JSON_TYPE, expect: [400, 'SG_ERR_JSON_TOO_DEEP'] })
    out.push({ name: 'text/plain body', body: Buffer.from('hello'), headers: { 'content-type': 'text/plain' }, expect: [415, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE'] })
    out.push({ name: 'XML body', body: Buffer.from('<a/>'), headers: { 'content-type': 'application/xml' }, expect: [415, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE'] })
  }
  return out
}

forEachEngine(t, async (t, store) => {
  const { app } = await testApp(t, { store, overrides: { dataDir: t.testdir({}), 'rateLimit.max': 1_000_000, uploadLimitBytes: 10 * 1024 * 1024 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const admin = (await store.apiTokens.create({ role: 'admin', label: 'fuzz admin' })).token
  const { application, provider } = await app.workflow.createApplication(applicationBody('resource'))
  await store.db.updateTable('applications').set({ state: 'active' }).where('id', '=', application.id).execute()

  const routes = app.guardedRoutes.filter((r) => r.method !== 'OPTIONS')
  t.ok(routes.length >= 50, `${routes.length} routes from Fastify's route list`)
  const tally = { requests: 0, fiveXx: [] as string[], notProblem: [] as string[], anonymousNot401: [] as string[], wrongAnswer: [] as string[], interim100: [] as string[], byStatus: {} as Record<number, number> }

  for (const route of routes) {
    const hasParams = /[:*]/.test(route.url)
    const hasBody = !['GET', 'HEAD'].includes(route.method)
    const needsLogin = !route.roles.includes('public')
    const asProvider = needsLogin && route.roles.length === 1 && route.roles[0] === 'provider'
    for (const c of cases(hasParams, hasBody)) {
      for (const who of needsLogin ? (['anonymous', 'authorised'] as const) : (['public'] as const)) {
        const value = c.path?.('') ?? 'x'
        const path = route.url.replace(/:[A-Za-z]+/g, value).replace('*', value) + (c.query ? `?${c.query}` : '')
        const headers: Record<string, string> = { host: 'gateway.test', ...c.headers }
        if (who === 'authorised' && asProvider) Object.assign(headers, signRequest({ method: route.method, url: path, headers: { host: 'gateway.test' }, body: c.body, keyId: provider.keyId, secret: provider.secret }))
        else if (who === 'authorised') headers.authorization = `Bearer ${admin}`
        const res = await rawExchange(port, { method: route.method, path, headers, ...(c.body ? { body: c.body } : {}), ...(c.huge ? { hugeBytes: MB50 } : {}) })
        const label = `${who} ${route.method} ${route.url} · ${c.name} → ${res.status}`
        tally.requests++
        tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1
        if (res.status >= 500 || res.status === 0) tally.fiveXx.push(`${label} ${res.body.slice(0, 160)}`)
        if (res.status >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json')) tally.notProblem.push(`${label} ${res.headers['content-type']}`)
        if (c.huge && res.interim.includes(100)) tally.interim100.push(label)
        // A path the router cannot decode names no route, so it is 400 for everyone (frameworkErrors).
        const unroutable = c.name === 'lone surrogate in the path'
        if (who === 'anonymous' && !unroutable && res.status !== 401) tally.anonymousNot401.push(label)
        if (who === 'anonymous' && unroutable && res.status !== 400) tally.wrongAnswer.push(label)
        if (who !== 'anonymous' && c.expect) {
          const [status, code] = c.expect
          const got = route.method === 'HEAD' || !code ? '' : (JSON.parse(res.body || '{}') as { code?: string }).code
          if (res.status !== status || got !== (route.method === 'HEAD' ? '' : code)) tally.wrongAnswer.push(`${label} ${got ?? ''}`)
        }
      }
    }
  }
  t.comment(`${tally.requests} requests over ${routes.length} routes: ${JSON.stringify(tally.byStatus)}`)
  t.ok(tally.requests > 500, `${tally.requests} requests`)
  t.same(tally.fiveXx, [], 'zero 5xx (and no dropped connection)')
  t.same(tally.notProblem, [], 'every error answer is problem+json')
  t.same(tally.anonymousNot401, [], 'routes that need a login: anonymous calls get 401 before any 400, 413 or 415')
  t.same(tally.interim100, [], 'an oversize body never gets 100 Continue')
  t.same(tally.wrongAnswer, [], 'the documented code wherever the request reaches the layer')

  t.test('malformed HTTP (a raw NUL in the request line) is problem+json too', async (t) => {
    const res = await rawExchange(port, { method: 'GET', path: '/', headers: { host: 'gateway.test' }, rawLine: 'GET /api/v1/health\u0000x HTTP/1.1' })
    t.equal(res.status, 400)
    t.equal(res.headers['content-type'], 'application/problem+json')
  })

  t.test('why the layer exists: the database itself cannot take a NUL', async (t) => {
    const probe = store.db.selectFrom('applications').select('id').where('id', '=', 'a\u0000b').execute()
    if (store.dialect === 'postgres') await t.rejects(probe, /invalid byte sequence|0x00/, 'PostgreSQL refuses U+0000 in text (a 500 without the layer)')
    else t.same(await probe, [], 'SQLite stores it, which is no better: the refusal must not depend on the engine')
  })

  t.test('nothing was stored from the fuzz run', async (t) => {
    t.equal((await store.db.selectFrom('learning_records').select('statement_id').execute()).length, 0)
    t.equal((await store.db.selectFrom('packages').select('id').execute()).length, 0)
    t.equal((await store.db.selectFrom('applications').select('id').execute()).length, 1, 'only the application created for the run')
  })

  t.test('the twins: the same routes with storable input are not refused by the layer', async (t) => {
    const ok = await rawExchange(port, { method: 'GET', path: '/api/v1/applications/document-types?kind=resource', headers: { host: 'gateway.test' } })
    t.equal(ok.status, 200)
    const chinese = await rawExchange(port, { method: 'GET', path: `/api/v1/learning-records?learnerAccount=${encodeURIComponent('学员甲')}`, headers: { host: 'gateway.test', authorization: `Bearer ${admin}` } })
    t.equal(chinese.status, 200, chinese.body)
    const body = Buffer.from(JSON.stringify(applicationBody('on-demand', { organisation: { name: '有表情😀的公司', uscc: '91110108MA01ABCD1E' } })))
    const created = await rawExchange(port, { method: 'POST', path: '/api/v1/applications', headers: { host: 'gateway.test', ...JSON_TYPE }, body })
    t.equal(created.status, 201, created.body.slice(0, 300))
    const withContinue = await rawExchange(port, { method: 'POST', path: '/api/v1/applications', headers: { host: 'gateway.test', ...JSON_TYPE, expect: '100-continue' }, body: Buffer.from(JSON.stringify(applicationBody('on-demand'))) })
    t.equal(withContinue.status, 201, 'a body within the limit sent after Expect: 100-continue is taken')
  })
})
