// Load run: 200 concurrent signed learning-record batches against a real gateway on loopback for
// SKILLGATE_LOAD_SECONDS (default 60), then counts lost, duplicated and 5xx. Prints JSON.
//   node --import @tapjs/typescript/import bench/records-load.ts   (DATABASE_URL=postgres://… for PostgreSQL)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../gateway/store/open-store.js'
import { runRecordsLoad } from './records-load-driver.js'
import { startRecordsGateway } from './records-gateway.js'

const seconds = Number(process.env.SKILLGATE_LOAD_SECONDS ?? 60)
const concurrency = Number(process.env.SKILLGATE_LOAD_CONCURRENCY ?? 200)
const dir = mkdtempSync(join(tmpdir(), 'sg-load-'))
const databaseUrl = process.env.DATABASE_URL
const store = openStore({ databaseUrl, sqlitePath: join(dir, 'skillgate.db'), pgPoolMax: 20 })
await store.migrate()
const { app, baseUrl, provider } = await startRecordsGateway(store, dir, databaseUrl ? { databaseUrl } : {})
const load = await runRecordsLoad({ baseUrl, keyId: provider.keyId, secret: provider.secret, concurrency, durationMs: seconds * 1000, batchSize: 10, resendEvery: 5 })
const rows = await store.db.selectFrom('learning_records').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', provider.providerId).executeTakeFirstOrThrow()
const stored = Number(rows.n)
const fiveXx = Object.entries(load.status).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0)
process.stdout.write(`${JSON.stringify({
  engine: store.dialect, seconds, concurrency, batches: load.batches, resentBatches: load.resent, statementsSent: load.statementsSent, stored,
  lost: load.statementsSent - stored > 0 ? load.statementsSent - stored : 0, duplicated: stored > load.statementsSent ? stored - load.statementsSent : 0,
  fiveXx, transportErrors: load.errors, status: load.status, statementsPerSecond: Math.round(load.statementsSent / (load.elapsedMs / 1000)),
}, null, 2)}\n`)
await app.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
