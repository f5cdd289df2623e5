// Gateway throughput on loopback (prints JSON). `rounds` rounds (default 3) of `seconds` each:
//  1. an authenticated read (reviewer bearer → GET /api/v1/applications/:id, with audit trail;
//     on SQLite a repeat is answered from the detail cache while the store's change stamp holds,
//     on PostgreSQL every read runs the five-table query)
//  2. bare Fastify returning the same JSON bytes (the ceiling); ratio goal ≥ 0.6
//  3. signed provider writes (POST …/documents, a fresh SG-SIGNATURE-V1 signature per request)
// The load generator (autocannon) runs in a child process for every run, so it never shares the
// server's event loop; both servers live in this process, so both sides of the ratio see the same
// layout. The order of 1 and 2 alternates per round and medians are reported (the machine is noisy).
// Run: npm run bench:gateway -- [seconds] [rounds] [--postgres[=URL]]
import { forkWithPayload, median } from './support.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import { signRequest } from '../conformance/signing/index.js'

interface LoadSpec {
  url: string
  connections: number
  seconds: number
  headers?: Record<string, string>
  /** A signed POST: the worker signs every request afresh (a nonce is accepted once). */
  signed?: { keyId: string; secret: string; body: string }
}
interface Summary {
  requestsPerSec: number
  latencyP99Ms: number
  non2xx: number
  errors: number
  /** CPU time of this (server) process per request: steadier than requests/s on a shared machine. */
  serverCpuUsPerRequest?: number
}

async function generateLoad(spec: LoadSpec): Promise<Summary> {
  const target = new URL(spec.url)
  const signed = spec.signed
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(signed
      ? {
          requests: [{
            method: 'POST',
            path: target.pathname,
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              body: signed.body,
              headers: { 'content-type': 'application/json', host: target.host, ...signRequest({ method: 'POST', url: spec.url, body: Buffer.from(signed.body), keyId: signed.keyId, secret: signed.secret }) },
            }),
          }],
        }
      : {}),
  })
  return { requestsPerSec: r.requests.average, latencyP99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total } as Summary
}

const LOAD_SPEC_ENV = 'SG_BENCH_LOAD_SPEC'
if (process.env[LOAD_SPEC_ENV]) {
  process.send!(await generateLoad(JSON.parse(process.env[LOAD_SPEC_ENV]) as LoadSpec))
  process.disconnect()
} else {
  await main()
}

/** Runs autocannon in a child process (autocannon in a worker thread skips its own aggregation). */
async function inChild(spec: LoadSpec): Promise<Summary> {
  const cpu = process.cpuUsage()
  const { total, ...summary } = await forkWithPayload<Summary & { total: number }>(import.meta.url, LOAD_SPEC_ENV, spec)
  const used = process.cpuUsage(cpu)
  return { ...summary, serverCpuUsPerRequest: Math.round(((used.user + used.system) / Math.max(1, total)) * 10) / 10 }
}

async function main(): Promise<void> {
  const { buildApp } = await import('../gateway/app.js')
  const { loadConfig } = await import('../gateway/config.js')
  const { openStore } = await import('../gateway/store/open-store.js')
  const { applicationBody, documentBodies } = await import('./application-bodies.js')
  const { createPgTestSchema, TEST_DATABASE_URL } = await import('./pg-test-schema.js')

  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const seconds = Number(positional[0] ?? 5)
  const rounds = Number(positional[1] ?? 3)
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'))
  const config = loadConfig({ env: { SKILLGATE_MASTER_KEY: 'ab'.repeat(32) }, overrides: { logLevel: 'silent', dataDir: dir, 'worker.enabled': false, 'scheduler.enabled': false, 'rateLimit.max': 1e9 } })
  // SQLite as main.ts opens it (the gateway's own file, held exclusively), or PostgreSQL in a
  // throw-away schema with --postgres[=URL] (no change stamp there, so every detail read is live).
  const pgArg = process.argv.find((a) => a.startsWith('--postgres'))
  const pgSchema = pgArg ? await createPgTestSchema(pgArg.includes('=') ? pgArg.slice(pgArg.indexOf('=') + 1) : TEST_DATABASE_URL) : undefined
  const store = pgSchema
    ? openStore({ databaseUrl: pgSchema.databaseUrl, pgSchema: pgSchema.schema })
    : openStore({ sqlitePath: join(dir, 'skillgate.db'), sqliteExclusive: true })
  await store.migrate()
  const app = await buildApp({ config, store })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const created = (await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('on-demand') })).json()
  const id: string = created.application.id
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'bench' })
  const readPath = `/api/v1/applications/${id}`
  // Writes go to a second application, so the read's response stays the same size in every round.
  const writer = (await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('on-demand') })).json()
  const creds = writer.provider as { keyId: string; secret: string }
  const docPath = `/api/v1/applications/${writer.application.id as string}/documents`
  const docBody = JSON.stringify(documentBodies('on-demand')[0])
  const sampleRes = await app.inject({ url: readPath, headers: { authorization: `Bearer ${reviewer.token}` } })
  const sample = sampleRes.body
  const contentType = String(sampleRes.headers['content-type'])

  const bare = Fastify({ logger: false })
  bare.get('/x', async (_req, reply) => reply.type(contentType).send(sample))
  await bare.listen({ host: '127.0.0.1', port: 0 })
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/x`
  const bareBody = await (await fetch(bareUrl)).text()
  const authBody = await (await fetch(base + readPath, { headers: { authorization: `Bearer ${reviewer.token}` } })).text()
  if (bareBody !== authBody) throw new Error('the bare server does not return the same bytes as the gateway')

  const authRuns: Summary[] = []
  const bareRuns: Summary[] = []
  const writeRuns: Summary[] = []
  const authRead = () => inChild({ url: base + readPath, connections: 20, seconds, headers: { authorization: `Bearer ${reviewer.token}` } })
  const bareRead = () => inChild({ url: bareUrl, connections: 20, seconds })
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      authRuns.push(await authRead())
      bareRuns.push(await bareRead())
    } else {
      bareRuns.push(await bareRead())
      authRuns.push(await authRead())
    }
    writeRuns.push(await inChild({ url: base + docPath, connections: 10, seconds, signed: { keyId: creds.keyId, secret: creds.secret, body: docBody } }))
  }

  // The same comparison for an authenticated read that needs no query beyond the (cached) token:
  // it separates what auth and the plugins cost from what the application's SQL costs.
  const sessionPath = '/api/v1/console/session'
  const sessionSample = await app.inject({ url: sessionPath, headers: { authorization: `Bearer ${reviewer.token}` } })
  const bareSession = Fastify({ logger: false })
  bareSession.get('/x', async (_req, reply) => reply.type(String(sessionSample.headers['content-type'])).send(sessionSample.body))
  await bareSession.listen({ host: '127.0.0.1', port: 0 })
  const bareSessionUrl = `http://127.0.0.1:${(bareSession.server.address() as { port: number }).port}/x`
  const sessionRuns: Summary[] = []
  const bareSessionRuns: Summary[] = []
  for (let round = 0; round < rounds; round++) {
    const a = () => inChild({ url: base + sessionPath, connections: 20, seconds, headers: { authorization: `Bearer ${reviewer.token}` } })
    const b = () => inChild({ url: bareSessionUrl, connections: 20, seconds })
    if (round % 2 === 0) { sessionRuns.push(await a()); bareSessionRuns.push(await b()) } else { bareSessionRuns.push(await b()); sessionRuns.push(await a()) }
  }
  const sessionRatios = sessionRuns.map((a, i) => a.requestsPerSec / bareSessionRuns[i]!.requestsPerSec)
  await bareSession.close()

  const ratios = authRuns.map((a, i) => a.requestsPerSec / bareRuns[i]!.requestsPerSec)
  const medianOf = (runs: Summary[]) => ({ requestsPerSec: median(runs.map((r) => r.requestsPerSec)), latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)), serverCpuUsPerRequest: median(runs.map((r) => r.serverCpuUsPerRequest ?? 0)), non2xx: runs.reduce((n, r) => n + r.non2xx, 0), errors: runs.reduce((n, r) => n + r.errors, 0) })
  const result = {
    seconds,
    rounds,
    engine: store.dialect,
    responseBytes: Buffer.byteLength(sample),
    authenticatedRead: medianOf(authRuns),
    bareFastify: medianOf(bareRuns),
    ratio: Math.round(median(ratios) * 1000) / 1000,
    ratios: ratios.map((r) => Math.round(r * 1000) / 1000),
    ratioGoal: 0.6,
    signedWrites: medianOf(writeRuns),
    sessionRead: { path: sessionPath, authenticated: medianOf(sessionRuns), bareFastify: medianOf(bareSessionRuns), ratio: Math.round(median(sessionRatios) * 1000) / 1000 },
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  await bare.close()
  await app.close()
  await store.close()
  await pgSchema?.drop()
  rmSync(dir, { recursive: true, force: true })
}
