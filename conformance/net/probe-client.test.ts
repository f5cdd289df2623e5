// Every server here is a real node:http server on loopback. Host names that need a "public" or
// "internal" answer come from an injected resolver; a denied target is refused before any socket
// connects, so no traffic ever leaves 127.0.0.0/8.
import t from 'tap'
import type { Test } from 'tap'
import diagnosticsChannel from 'node:diagnostics_channel'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { createProbeClient } from './probe-client.js'
import type { ProbeClientOptions, ProbeWarning } from './probe-client.js'
import type { GuardDecision, ResolvedAddress } from './ssrf-guard.js'
import type { SkillgateError } from '../../specs/lib/errors.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

async function serve(t: Test, handler: Handler, host = '127.0.0.1'): Promise<{ port: number; origin: string; server: Server; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = []
  const server = createServer((req, res) => {
    hits.push(req)
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const port = (server.address() as { port: number }).port
  return { port, origin: `http://${host}:${port}`, server, hits }
}

/** Maps every name to loopback (or to `map[name]`), and counts calls. */
function fixtureResolver(map: Record<string, string[]> = {}) {
  const calls: string[] = []
  const resolver = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host)
    return (map[host] ?? ['127.0.0.1']).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return { resolver, calls }
}

function client(t: Test, o: Partial<ProbeClientOptions> = {}) {
  const warnings: ProbeWarning[] = []
  const c = createProbeClient({ mode: 'local', resolver: fixtureResolver().resolver, backoffBaseMs: 5, onWarning: (w) => warnings.push(w), ...o })
  t.teardown(() => c.close())
  return Object.assign(c, { warnings })
}

async function rejectsCode(t: Test, p: Promise<unknown>, code: string, msg?: string): Promise<SkillgateError> {
  try {
    await p
  } catch (err) {
    t.equal((err as SkillgateError).code, code, msg ?? `fails with ${code}`)
    return err as SkillgateError
  }
  t.fail(`expected ${code}, but it resolved`)
  throw new Error('unreachable')
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

t.test('a normal JSON response is returned with evidence and the socket address', async (t) => {
  const s = await serve(t, (_req, res) => json(res, 200, { courses: 3 }))
  const c = client(t)
  const r = await c.request({ url: `http://provider.test:${s.port}/v1/service-info`, expect: 'json' })
  t.equal(r.status, 200)
  t.same(r.json, { courses: 3 })
  t.equal(r.remoteAddress, '127.0.0.1')
  t.equal(r.url, `http://provider.test:${s.port}/v1/service-info`)
  t.equal(r.evidence.response?.bodyExcerpt, '{"courses":3}')
  t.equal(r.attempts.length, 1)
  t.type(r.timings.totalMs, 'number')
  t.equal(s.hits[0]?.headers['user-agent'], 'skillgate-probe/0.1')
})

t.test('expect json: a 2xx body that is not JSON fails; the same body on a 500 does not', async (t) => {
  const s = await serve(t, (req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 500, { 'content-type': 'text/html' })
    res.end('<html>oops</html>')
  })
  const c = client(t)
  const e = await rejectsCode(t, c.request({ url: `${s.origin}/ok`, expect: 'json' }), 'SG_ERR_NET_BAD_JSON')
  t.match((e.details?.evidence as { response: { bodyExcerpt: string } }).response.bodyExcerpt, /oops/)
  const r = await c.request({ url: `${s.origin}/err`, expect: 'json' })
  t.equal(r.status, 500)
  t.equal(r.json, undefined)
})

t.test('deadline: a server that sends nothing ends as SG_ERR_NET_DEADLINE', async (t) => {
  const s = await serve(t, () => { /* never answers */ })
  const c = client(t)
  const e = await rejectsCode(t, c.request({ url: `${s.origin}/`, deadlineMs: 300 }), 'SG_ERR_NET_DEADLINE')
  t.equal(e.details?.url, `${s.origin}/`)
})

t.test('deadline: a server that trickles a byte at a time cannot hold the request open', async (t) => {
  const timers: NodeJS.Timeout[] = []
  t.teardown(() => timers.forEach(clearInterval))
  const s = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    timers.push(setInterval(() => res.write('x'), 40))
  })
  const c = client(t)
  const e = await rejectsCode(t, c.request({ url: `${s.origin}/`, deadlineMs: 400 }), 'SG_ERR_NET_DEADLINE')
  t.equal((e.details?.evidence as { response?: { status: number } }).response?.status, 200, 'evidence keeps the status that arrived')
})

t.test('body limit: an endless body is cut off at maxBodyBytes; a body at the limit passes', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  const s = await serve(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    if (req.url === '/exact') {
      res.end(Buffer.alloc(1024 * 1024, 0x61))
      return
    }
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) { /* fill the buffer */ }
      if (!res.destroyed) res.once('drain', pump)
    }
    pump()
  })
  const c = client(t)
  await rejectsCode(t, c.request({ url: `${s.origin}/forever`, maxBodyBytes: 1024 * 1024 }), 'SG_ERR_NET_BODY_TOO_LARGE')
  const r = await c.request({ url: `${s.origin}/exact`, maxBodyBytes: 1024 * 1024 })
  t.equal(r.body.length, 1024 * 1024)
})

t.test('body limit: a declared Content-Length over the limit fails before reading', async (t) => {
  const s = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) })
    res.write('x')
  })
  const c = client(t)
  const e = await rejectsCode(t, c.request({ url: `${s.origin}/` , maxBodyBytes: 1024 }), 'SG_ERR_NET_BODY_TOO_LARGE')
  t.match(e.message, /Content-Length/)
})

t.test('body limit: counted on decoded bytes, so a gzip bomb stops at the limit', async (t) => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024))
  const small = { hello: '世界' }
  const s = await serve(t, (req, res) => {
    if (req.url === '/bomb') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
      res.end(bomb)
    } else if (req.url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
      res.end(gzipSync(JSON.stringify(small)))
    } else if (req.url === '/br') {
      res.writeHead(200, { 'content-encoding': 'br', 'content-type': 'application/json' })
      res.end(brotliCompressSync(JSON.stringify(small)))
    } else {
      res.writeHead(200, { 'content-encoding': 'gzip' })
      res.end('this is not gzip')
    }
  })
  t.ok(bomb.length < 1024 * 1024, `the bomb is ${bomb.length} bytes on the wire, under the limit`)
  const c = client(t)
  await rejectsCode(t, c.request({ url: `${s.origin}/bomb`, maxBodyBytes: 1024 * 1024 }), 'SG_ERR_NET_BODY_TOO_LARGE')
  t.same((await c.request({ url: `${s.origin}/gzip`, maxBodyBytes: 1024 * 1024 })).json, small)
  t.same((await c.request({ url: `${s.origin}/br`, maxBodyBytes: 1024 * 1024 })).json, small)
  await rejectsCode(t, c.request({ url: `${s.origin}/corrupt` }), 'SG_ERR_NET_DECODE')
  t.equal(s.hits[0]?.headers['accept-encoding'], 'gzip, deflate, br')
})

t.test('redirects', async (t) => {
  const other = await serve(t, (_req, res) => json(res, 200, { other: true }))
  const s = await serve(t, (req, res) => {
    const to = (location: string) => { res.writeHead(302, { location }); res.end() }
    if (req.url === '/elsewhere') to(`http://cdn.other.test:${other.port}/x`)
    else if (req.url === '/same') to('/hop1')
    else if (req.url === '/hop1') to(`http://provider.test:${(req.socket.localPort)}/final`)
    else if (req.url === '/final') json(res, 200, { final: true })
    else if (req.url?.startsWith('/loop')) to(`/loop${Number(req.url.slice(5) || 0) + 1}`)
    else if (req.url === '/post') { res.writeHead(303, { location: '/final' }); res.end() }
    else json(res, 404, {})
  })
  const c = client(t)

  await t.test('to another host: not followed, returned with redirectedTo and a warning', async (t) => {
    const r = await c.request({ url: `http://provider.test:${s.port}/elsewhere` })
    t.equal(r.status, 302)
    t.equal(r.redirectedTo, `http://cdn.other.test:${other.port}/x`)
    t.equal(other.hits.length, 0, 'the other host was never contacted')
    t.ok(r.warnings.some((w) => w.code === 'CROSS_ORIGIN_REDIRECT'))
  })
  await t.test('to the same origin: followed (up to 3 hops)', async (t) => {
    const r = await c.request({ url: `http://provider.test:${s.port}/same`, expect: 'json' })
    t.equal(r.status, 200)
    t.same(r.json, { final: true })
    t.equal(r.redirectedTo, undefined)
    t.same(r.redirects, [`http://provider.test:${s.port}/hop1`, `http://provider.test:${s.port}/final`])
    t.equal(r.url, `http://provider.test:${s.port}/final`)
  })
  await t.test('more than 3 same-origin hops fail', async (t) => {
    await rejectsCode(t, c.request({ url: `http://provider.test:${s.port}/loop` }), 'SG_ERR_NET_TOO_MANY_REDIRECTS')
  })
  await t.test('303 after POST continues as GET without the body', async (t) => {
    const before = s.hits.length
    const r = await c.request({ method: 'POST', url: `http://provider.test:${s.port}/post`, json: { a: 1 } })
    t.equal(r.status, 200)
    t.equal(s.hits[before + 1]?.method, 'GET')
  })
})

t.test('retries', async (t) => {
  await t.test('503 + Retry-After then 200: retried after the advertised delay', async (t) => {
    let n = 0
    const s = await serve(t, (_req, res) => (n++ === 0 ? json(res, 503, {}, { 'retry-after': '1' }) : json(res, 200, { ok: true })))
    const c = client(t)
    const r = await c.request({ url: `${s.origin}/` })
    t.equal(r.status, 200)
    t.equal(s.hits.length, 2)
    t.same(r.attempts.map((a) => [a.status, a.waitMs, a.waitReason]), [[503, 1000, 'retry-after'], [200, undefined, undefined]])
  })
  await t.test('503 without Retry-After is returned, not retried', async (t) => {
    const s = await serve(t, (_req, res) => json(res, 503, {}))
    const r = await client(t).request({ url: `${s.origin}/` })
    t.equal(r.status, 503)
    t.equal(s.hits.length, 1)
  })
  await t.test('Retry-After is capped; an HTTP date is understood', async (t) => {
    let n = 0
    const s = await serve(t, (_req, res) => (n++ === 0 ? json(res, 429, {}, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }) : json(res, 200, {})))
    const r = await client(t, { retryAfterCapMs: 30 }).request({ url: `${s.origin}/` })
    t.equal(r.status, 200)
    t.equal(r.attempts[0]?.waitMs, 30)
  })
  await t.test('Retry-After beyond the deadline: not retried, the 503 is returned with a warning', async (t) => {
    const s = await serve(t, (_req, res) => json(res, 503, {}, { 'retry-after': '5' }))
    const r = await client(t).request({ url: `${s.origin}/`, deadlineMs: 1000 })
    t.equal(r.status, 503)
    t.equal(s.hits.length, 1)
    t.ok(r.warnings.some((w) => w.code === 'RETRY_AFTER_BEYOND_DEADLINE'))
  })
  await t.test('ECONNRESET then success: a GET is retried and each attempt is signed afresh', async (t) => {
    let n = 0
    const s = await serve(t, (req, res) => (n++ === 0 ? req.socket.destroy() : json(res, 200, { ok: true })))
    let nonce = 0
    const c = client(t, { signer: () => ({ 'x-sg-nonce': `n${++nonce}`, 'x-sg-signature': 'sig-secret' }) })
    const r = await c.request({ url: `${s.origin}/` })
    t.equal(r.status, 200)
    t.equal(r.attempts.length, 2)
    t.match(r.attempts[0]?.error, 'SG_ERR_NET_UNREACHABLE')
    t.same(s.hits.map((h) => h.headers['x-sg-nonce']), ['n1', 'n2'])
    t.equal(r.evidence.request.headers['x-sg-signature'], '[REDACTED]')
  })
  await t.test('a POST is not retried after a reset (it may have been applied)…', async (t) => {
    let n = 0
    const s = await serve(t, (req, res) => (n++ === 0 ? req.socket.destroy() : json(res, 200, {})))
    await rejectsCode(t, client(t).request({ method: 'POST', url: `${s.origin}/`, json: { x: 1 } }), 'SG_ERR_NET_UNREACHABLE')
    t.equal(s.hits.length, 1)
  })
  await t.test('…unless the caller declares it idempotent', async (t) => {
    let n = 0
    const s = await serve(t, (req, res) => (n++ === 0 ? req.socket.destroy() : json(res, 200, {})))
    const r = await client(t).request({ method: 'POST', url: `${s.origin}/`, json: { x: 1 }, idempotent: true })
    t.equal(r.status, 200)
    t.equal(s.hits.length, 2)
  })
  await t.test('connection refused: retried `retries` times, then SG_ERR_NET_UNREACHABLE', async (t) => {
    const s = await serve(t, () => {})
    const port = s.port
    await new Promise<void>((resolve) => s.server.close(() => resolve()))
    const e = await rejectsCode(t, client(t, { retries: 2 }).request({ url: `http://127.0.0.1:${port}/` }), 'SG_ERR_NET_UNREACHABLE')
    t.equal((e.details?.attempts as unknown[]).length, 3)
    t.match(e.message, /ECONNREFUSED/)
  })
})

t.test('concurrency: the server never sees more than `concurrency` requests in flight', async (t) => {
  const bound = 3
  const total = 12
  let inFlight = 0
  let max = 0
  let arrived = 0
  let held: ServerResponse[] = []
  const s = await serve(t, (_req, res) => {
    inFlight++
    arrived++
    max = Math.max(max, inFlight)
    res.on('finish', () => inFlight--)
    held.push(res)
    // Answer a full batch only after a pause, so an unbounded client would have its excess
    // requests arrive meanwhile; a bounded one cannot send them whatever the timing.
    if (held.length === bound || arrived === total) {
      const batch = held
      held = []
      setTimeout(() => batch.forEach((r) => json(r, 200, {})), 20)
    }
  })
  const c = client(t, { concurrency: bound })
  const all = Promise.all(Array.from({ length: total }, (_, i) => c.request({ url: `${s.origin}/${i}` })))
  const results = await all
  t.equal(results.length, total)
  t.equal(max, bound, `max in flight on the server was ${max}`)
  t.equal(c.inFlight, 0)
})

t.test('SSRF guard', async (t) => {
  const connected: string[] = []
  const onConnected = (m: unknown) => connected.push(String((m as { connectParams: { hostname: string } }).connectParams.hostname))
  diagnosticsChannel.subscribe('undici:client:connected', onConnected)
  t.teardown(() => diagnosticsChannel.unsubscribe('undici:client:connected', onConnected))
  const s = await serve(t, (_req, res) => json(res, 200, {}))

  await t.test('deny mode: a loopback literal is refused', async (t) => {
    const c = client(t, { mode: 'deny' })
    const e = await rejectsCode(t, c.request({ url: `${s.origin}/` }), 'SG_ERR_NET_SSRF_BLOCKED')
    t.equal(e.details?.range, 'loopback')
    t.equal(s.hits.length, 0)
  })
  for (const [name, address, range] of [['metadata.test', '169.254.169.254', 'link-local'], ['intranet.test', '10.0.0.1', 'private'], ['mapped.test', '::ffff:127.0.0.1', 'loopback']] as const) {
    await t.test(`deny mode: ${name} → ${address} is refused by the guard before any connection`, async (t) => {
      const r = fixtureResolver({ [name]: [address] })
      const c = client(t, { mode: 'deny', resolver: r.resolver })
      const e = await rejectsCode(t, c.request({ url: `http://${name}:${s.port}/` }), 'SG_ERR_NET_SSRF_BLOCKED')
      t.same(r.calls, [name], 'the guard ran on the resolved answer')
      t.equal(e.details?.address, address.replace(/^\[|\]$/g, ''))
      t.equal(e.details?.range, range)
      t.notOk(connected.includes(name), 'no socket connected')
    })
  }
  await t.test('deny mode: a public decoy in the answer does not smuggle a private address', async (t) => {
    const r = fixtureResolver({ 'decoy.test': ['93.184.215.14', '10.1.2.3'] })
    const c = client(t, { mode: 'deny', resolver: r.resolver })
    const e = await rejectsCode(t, c.request({ url: `http://decoy.test:${s.port}/` }), 'SG_ERR_NET_SSRF_BLOCKED')
    t.equal(e.details?.address, '10.1.2.3')
    t.notOk(connected.includes('decoy.test'))
  })
  await t.test('local mode: loopback is allowed, with one warning per host', async (t) => {
    const c = client(t, { mode: 'local' })
    const r1 = await c.request({ url: `${s.origin}/` })
    const r2 = await c.request({ url: `${s.origin}/` })
    t.equal(r1.status, 200)
    t.match(r1.warnings, [{ code: 'SSRF_NON_PUBLIC_ALLOWED', details: { range: 'loopback' } }])
    t.equal(r2.warnings.length, 1, 'every result says so')
    t.equal(c.warnings.filter((w) => w.code === 'SSRF_NON_PUBLIC_ALLOWED').length, 1, 'onWarning once per host')
  })
  await t.test('non-http(s) schemes and credentials in the URL are refused', async (t) => {
    const c = client(t)
    await rejectsCode(t, c.request({ url: 'file:///etc/passwd' }), 'SG_ERR_NET_BAD_URL')
    await rejectsCode(t, c.request({ url: `ftp://127.0.0.1:${s.port}/` }), 'SG_ERR_NET_BAD_URL')
    const e = await rejectsCode(t, c.request({ url: `http://user:hunter2@127.0.0.1:${s.port}/` }), 'SG_ERR_NET_BAD_URL')
    t.notMatch(e.message, /hunter2/)
  })
  await t.test('an unresolvable name is SG_ERR_NET_DNS', async (t) => {
    const c = client(t, { resolver: async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) } })
    await rejectsCode(t, c.request({ url: `http://nowhere.test:${s.port}/` }), 'SG_ERR_NET_DNS')
  })
})

t.test('pinning: one resolution per connection, and the socket goes to the checked address', async (t) => {
  // 127.0.0.2 is loopback too, but only the injected resolver knows that pinned.test lives there.
  const s = await serve(t, (req, res) => json(res, 200, { local: req.socket.localAddress }), '127.0.0.2')
  const connections: string[] = []
  const onConnected = (m: unknown) => {
    const { connectParams, socket } = m as { connectParams: { hostname: string }; socket: { remoteAddress: string } }
    if (connectParams.hostname === 'pinned.test') connections.push(socket.remoteAddress)
  }
  diagnosticsChannel.subscribe('undici:client:connected', onConnected)
  t.teardown(() => diagnosticsChannel.unsubscribe('undici:client:connected', onConnected))
  const r = fixtureResolver({ 'pinned.test': ['127.0.0.2'] })
  const decisions: GuardDecision[] = []
  const c = client(t, { resolver: r.resolver, onGuardDecision: (d) => decisions.push(d) })
  const results = []
  for (const p of ['/a', '/b', '/c']) results.push(await c.request({ url: `http://pinned.test:${s.port}${p}`, expect: 'json' }))
  t.ok(connections.length >= 1)
  t.equal(r.calls.length, connections.length, `resolver called once per connection (${connections.length} connections for 3 requests)`)
  t.equal(decisions.length, connections.length, 'one guard decision per connection')
  t.ok(decisions.every((d) => d.addresses.length === 1 && d.addresses[0]?.address === '127.0.0.2'))
  t.same(connections, connections.map(() => '127.0.0.2'), 'every socket connected to the checked address')
  for (const res of results) {
    t.equal(res.remoteAddress, '127.0.0.2')
    t.same(res.json, { local: '127.0.0.2' }, 'the server saw the connection arrive on the checked address')
  }
})

t.test('evidence is scrubbed of secrets', async (t) => {
  const s = await serve(t, (_req, res) => json(res, 401, { error: 'bad key k-SECRET-123' }, { 'set-cookie': 'sid=abc' }))
  const c = client(t, { secrets: ['k-SECRET-123'], signer: () => ({ 'x-sg-signature': 'deadbeef', 'x-sg-key-id': 'kid-1' }) })
  const r = await c.request({ url: `${s.origin}/x?access_token=tok123&page=2`, headers: { authorization: 'Bearer k-SECRET-123' } })
  const text = JSON.stringify(r.evidence)
  for (const secret of ['k-SECRET-123', 'tok123', 'deadbeef', 'sid=abc']) t.notOk(text.includes(secret), `${secret} is gone`)
  t.equal(r.evidence.request.headers['x-sg-key-id'], 'kid-1', 'non-secret headers stay')
  t.match(r.evidence.request.url, /page=2/)
  t.equal(r.evidence, r.evidence, 'built once, on first use, then kept')
  // The response itself (evidence included) is what checks copy into reports.
  const copied = JSON.parse(JSON.stringify({ ...r, body: undefined })) as { evidence: unknown }
  t.match(copied, { evidence: { response: { status: 401 } } }, 'a spread or JSON copy carries the evidence')
  for (const secret of ['deadbeef', 'sid=abc']) t.notOk(JSON.stringify(copied.evidence).includes(secret), `${secret} is gone from the copied evidence`)
})

t.test('download streams to a file under the same guards', async (t) => {
  const media = Buffer.alloc(300 * 1024, 7)
  const s = await serve(t, (req, res) => {
    if (req.url === '/media.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4' })
      res.end(media)
    } else json(res, 404, { error: 'no' })
  })
  const dir = t.testdir({})
  const c = client(t)
  const ok = await c.download(`${s.origin}/media.mp4`, join(dir, 'a.mp4'), { maxBytes: 1024 * 1024 })
  t.equal(ok.status, 200)
  t.equal(ok.bytes, media.length)
  t.equal(ok.sha256, createHash('sha256').update(media).digest('hex'))
  t.ok(readFileSync(join(dir, 'a.mp4')).equals(media))
  await rejectsCode(t, c.download(`${s.origin}/media.mp4`, join(dir, 'b.mp4'), { maxBytes: 100 * 1024 }), 'SG_ERR_NET_BODY_TOO_LARGE')
  t.notOk(existsSync(join(dir, 'b.mp4')) || existsSync(join(dir, 'b.mp4.partial')), 'nothing left behind')
  const missing = await c.download(`${s.origin}/nope.mp4`, join(dir, 'c.mp4'), { maxBytes: 1024 })
  t.equal(missing.status, 404)
  t.equal(missing.path, undefined)
  t.notOk(existsSync(join(dir, 'c.mp4')))
})

t.test('a failing signer surfaces unchanged and is not retried', async (t) => {
  const s = await serve(t, (_req, res) => json(res, 200, {}))
  let calls = 0
  const c = client(t, { signer: () => { calls++; throw new Error('no key configured') } })
  await t.rejects(c.request({ url: `${s.origin}/` }), /no key configured/)
  t.equal(calls, 1)
  t.equal(s.hits.length, 0)
  t.equal((await c.request({ url: `${s.origin}/`, sign: false })).status, 200, 'sign:false skips the signer')
})
