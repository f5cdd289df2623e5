// Gateway throughput on loopback (prints JSON). Three runs of `seconds` each with autocannon:
//  1. an authenticated read (reviewer bearer → GET /api/v1/applications/:id, with audit trail)
//  2. bare Fastify returning the same JSON bytes (the ceiling); ratio goal ≥ 0.6
//  3. signed provider writes (POST …/documents, a fresh SG-SIGNATURE-V1 signature per request)
// Run: node --import @tapjs/typescript/import bench/gateway.ts [seconds]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import { signRequest } from '../conformance/signing/index.js'
import { buildApp } from '../gateway/app.js'
import { loadConfig } from '../gateway/config.js'
import { openStore } from '../gateway/store/open-store.js'
import { applicationBody, documentBodies } from '../gateway/workflow/test-support.js'

const seconds = Number(process.argv[2] ?? 5)
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'))
const config = loadConfig({ env: { SKILLGATE_MASTER_KEY: 'ab'.repeat(32) }, overrides: { logLevel: 'silent', dataDir: dir, 'worker.enabled': false, 'scheduler.enabled': false, 'rateLimit.max': 1e9 } })
const store = openStore({ sqlitePath: join(dir, 'skillgate.db') })
await store.migrate()
const app = await buildApp({ config, store })
await app.listen({ host: '127.0.0.1', port: 0 })
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

const created = (await app.inject({ method: 'POST', url: '/api/v1/applications', payload: applicationBody('on-demand') })).json()
const id: string = created.application.id
const creds = created.provider as { keyId: string; secret: string; token: string }
const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'bench' })
const readPath = `/api/v1/applications/${id}`
const sample = (await app.inject({ url: readPath, headers: { authorization: `Bearer ${reviewer.token}` } })).body

const bare = Fastify({ logger: false })
bare.get('/x', async (_req, reply) => reply.type('application/json; charset=utf-8').send(sample))
await bare.listen({ host: '127.0.0.1', port: 0 })
const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/x`

const run = (opts: autocannon.Options) => autocannon({ connections: 20, duration: seconds, ...opts })
const summary = (r: autocannon.Result) => ({ requestsPerSec: r.requests.average, latencyP99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors })

const authRead = await run({ url: base + readPath, headers: { authorization: `Bearer ${reviewer.token}` } })
const bareRead = await run({ url: bareUrl })
const docPath = `/api/v1/applications/${id}/documents`
const docBody = JSON.stringify(documentBodies('on-demand')[0])
const signedWrite = await run({
  url: base + docPath,
  connections: 10,
  requests: [{
    method: 'POST',
    path: docPath,
    setupRequest: (req) => ({
      ...req,
      body: docBody,
      headers: { 'content-type': 'application/json', host: new URL(base).host, ...signRequest({ method: 'POST', url: base + docPath, body: Buffer.from(docBody), keyId: creds.keyId, secret: creds.secret }) },
    }),
  }],
})

const result = {
  seconds,
  engine: 'sqlite',
  authenticatedRead: summary(authRead),
  bareFastify: summary(bareRead),
  ratio: Math.round((authRead.requests.average / bareRead.requests.average) * 1000) / 1000,
  ratioGoal: 0.6,
  signedWrites: summary(signedWrite),
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
await bare.close()
await app.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
