// Learning records ingested over HTTP (signed, schema-validated, durable, idempotent) vs raw
// better-sqlite3 inserts of the same rows in the same run; goal: HTTP ≥ 0.5 × raw. Runs the HTTP
// side on SQLite and, when reachable, on PostgreSQL (SKILLGATE_TEST_DATABASE_URL). Prints JSON.
//   node --import @tapjs/typescript/import bench/records.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { buildApp } from '../gateway/app.js'
import { loadConfig } from '../gateway/config.js'
import { openStore } from '../gateway/store/open-store.js'
import { createPgTestSchema, TEST_DATABASE_URL } from '../gateway/store/test-engines.js'
import { runRecordsLoad } from '../gateway/records/load-driver.js'
import { applicationBody } from '../gateway/workflow/test-support.js'

const seconds = Number(process.env.SKILLGATE_BENCH_SECONDS ?? 10)
const concurrency = Number(process.env.SKILLGATE_BENCH_CONCURRENCY ?? 32)
const batchSize = Number(process.env.SKILLGATE_BENCH_BATCH ?? 100)

async function httpRun(engine: 'sqlite' | 'postgres'): Promise<{ engine: string; statements: number; perSecond: number; rows: Array<Record<string, unknown>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'))
  const pg = engine === 'postgres' ? await createPgTestSchema(TEST_DATABASE_URL) : undefined
  const store = pg ? openStore({ databaseUrl: pg.databaseUrl, pgSchema: pg.schema, pgPoolMax: 20 }) : openStore({ sqlitePath: join(dir, 'skillgate.db') })
  try {
    await store.migrate()
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', dataDir: dir, 'worker.enabled': false, 'scheduler.enabled': false, 'rateLimit.max': 100_000_000, bodyLimitBytes: 4 * 1024 * 1024 } })
    const app = await buildApp({ config, store })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
    const load = await runRecordsLoad({ baseUrl: `http://127.0.0.1:${port}`, keyId: provider.keyId, secret: provider.secret, concurrency, durationMs: seconds * 1000, batchSize })
    const rows = await store.db.selectFrom('learning_records').selectAll().where('provider_id', '=', provider.providerId).execute()
    await app.close()
    return { engine, statements: rows.length, perSecond: rows.length / (load.elapsedMs / 1000), rows }
  } finally {
    await store.close()
    await pg?.drop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The floor: the same rows through one prepared better-sqlite3 INSERT in transactions of `batchSize`, WAL, synchronous=NORMAL. */
function rawSqlite(rows: Array<Record<string, unknown>>): number {
  const dir = mkdtempSync(join(tmpdir(), 'sg-raw-'))
  const db = new BetterSqlite3(join(dir, 'raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const cols = Object.keys(rows[0] ?? {})
  db.exec(`create table learning_records (${cols.join(', ')}, primary key (provider_id, statement_id))`)
  const insert = db.prepare(`insert into learning_records (${cols.join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')}) on conflict do nothing`)
  const batch = db.transaction((chunk: Array<Record<string, unknown>>) => { for (const r of chunk) insert.run(r) })
  const started = process.hrtime.bigint()
  for (let i = 0; i < rows.length; i += batchSize) batch(rows.slice(i, i + batchSize))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return rows.length / seconds
}

const results: Record<string, unknown>[] = []
for (const engine of ['sqlite', 'postgres'] as const) {
  try {
    const run = await httpRun(engine)
    const raw = rawSqlite(run.rows)
    results.push({ engine, httpStatementsPerSecond: Math.round(run.perSecond), rawSqliteInsertsPerSecond: Math.round(raw), ratio: Number((run.perSecond / raw).toFixed(3)), statements: run.statements, goal: 0.5 })
  } catch (err) {
    results.push({ engine, error: (err as Error).message })
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'records', seconds, concurrency, batchSize, results }, null, 2)}\n`)
