// Learning records ingested over HTTP (signed, schema-validated, durable, idempotent) vs raw
// inserts of the same rows into the same engine in the same run; goal: HTTP ≥ 0.5 × raw. Runs on
// SQLite (baseline: better-sqlite3, one prepared INSERT per row, one transaction per batch) and,
// when reachable, on PostgreSQL (SKILLGATE_TEST_DATABASE_URL; baseline: node-postgres on one
// connection, one multi-row INSERT per batch, the statement shape the gateway itself sends). Each
// engine's ratio is against its own baseline: the PostgreSQL HTTP rate is never divided by SQLite's.
// Timed paths: HTTP = the load child's first request to its last acknowledgement (POST
// /v1/learning-records through the gateway); raw = the insert loop alone. Prints JSON.
//
// What makes the two sides comparable:
//  - the load generator (building, signing and sending batches) runs in a child process, so it
//    does not take the server's event loop; the raw side has no generator at all;
//  - the raw side inserts the rows the gateway stored, in the order it acknowledged them (not in
//    primary-key order, which is a cheaper append), into a table made by the gateway's own
//    migrations (same column types, primary key and secondary indexes), with the same pragmas
//    (WAL, synchronous=NORMAL), one transaction per batch of the same size;
//  - `rounds` rounds alternate HTTP and raw, each with a fresh database, and medians are reported.
//   npm run bench:records   (SKILLGATE_BENCH_SECONDS, _CONCURRENCY, _BATCH, _ROUNDS)
import { forkWithPayload, median } from './support.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { runRecordsLoad } from './records-load-driver.js'
import type { LoadOptions } from './records-load-driver.js'

const LOAD_ENV = 'SG_BENCH_RECORDS_LOAD'
interface ChildResult { acknowledged: string[]; elapsedMs: number; status: Record<string, number>; errors: number }

if (process.env[LOAD_ENV]) {
  const load = await runRecordsLoad(JSON.parse(process.env[LOAD_ENV]) as LoadOptions)
  const result: ChildResult = { acknowledged: [...load.acknowledged], elapsedMs: load.elapsedMs, status: load.status, errors: load.errors }
  process.send!(result, () => process.disconnect())
} else {
  await main()
}

function loadInChild(options: LoadOptions): Promise<ChildResult> {
  return forkWithPayload<ChildResult>(import.meta.url, LOAD_ENV, options)
}

async function main(): Promise<void> {
  const { openStore } = await import('../gateway/store/open-store.js')
  const { createPgTestSchema, TEST_DATABASE_URL } = await import('./pg-test-schema.js')
  const { startRecordsGateway } = await import('./records-gateway.js')

  const seconds = Number(process.env.SKILLGATE_BENCH_SECONDS ?? 10)
  const concurrency = Number(process.env.SKILLGATE_BENCH_CONCURRENCY ?? 32)
  const batchSize = Number(process.env.SKILLGATE_BENCH_BATCH ?? 100)
  const rounds = Number(process.env.SKILLGATE_BENCH_ROUNDS ?? 3)

  type Row = Record<string, unknown>
  async function httpRun(engine: 'sqlite' | 'postgres'): Promise<{ perSecond: number; rows: Row[]; status: Record<string, number>; errors: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'))
    const pg = engine === 'postgres' ? await createPgTestSchema(TEST_DATABASE_URL) : undefined
    const store = pg ? openStore({ databaseUrl: pg.databaseUrl, pgSchema: pg.schema, pgPoolMax: 20 }) : openStore({ sqlitePath: join(dir, 'skillgate.db') })
    try {
      await store.migrate()
      const { app, baseUrl, provider } = await startRecordsGateway(store, dir, { bodyLimitBytes: 4 * 1024 * 1024 })
      const load = await loadInChild({ baseUrl, keyId: provider.keyId, secret: provider.secret, concurrency, durationMs: seconds * 1000, batchSize })
      const stored = await store.db.selectFrom('learning_records').selectAll().where('provider_id', '=', provider.providerId).execute()
      await app.close()
      const byId = new Map<string, Row>(stored.map((r) => [r.statement_id, r]))
      const rows = load.acknowledged.map((id) => byId.get(id.toLowerCase())).filter((r): r is Row => r !== undefined)
      if (rows.length !== stored.length) throw new Error(`${stored.length} rows stored but ${rows.length} acknowledged`)
      return { perSecond: rows.length / (load.elapsedMs / 1000), rows, status: load.status, errors: load.errors }
    } finally {
      await store.close()
      await pg?.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  }

  /** The floor: one prepared better-sqlite3 INSERT, one transaction per batch, on the gateway's own table. */
  async function rawSqlite(rows: Row[]): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'sg-raw-'))
    const path = join(dir, 'raw.db')
    const shaped = openStore({ sqlitePath: path })
    await shaped.migrate()
    await shaped.close()
    const db = new BetterSqlite3(path)
    db.pragma('busy_timeout = 5000')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    const cols = Object.keys(rows[0] ?? {})
    const insert = db.prepare(`insert into learning_records (${cols.join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')}) on conflict do nothing`)
    const batch = db.transaction((chunk: Row[]) => { for (const r of chunk) insert.run(r) })
    const started = process.hrtime.bigint()
    for (let i = 0; i < rows.length; i += batchSize) batch(rows.slice(i, i + batchSize))
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9
    db.close()
    rmSync(dir, { recursive: true, force: true })
    return rows.length / elapsed
  }

  /** The PostgreSQL floor: the gateway's own multi-row INSERT per batch, on its own table, one connection. */
  async function rawPostgres(rows: Row[]): Promise<number> {
    const schema = await createPgTestSchema(TEST_DATABASE_URL)
    try {
      const shaped = openStore({ databaseUrl: schema.databaseUrl, pgSchema: schema.schema, pgPoolMax: 1 })
      await shaped.migrate()
      await shaped.close()
      const client = new pg.Client({ connectionString: schema.databaseUrl })
      await client.connect()
      try {
        await client.query(`set search_path to ${schema.schema}`)
        const cols = Object.keys(rows[0] ?? {})
        const textFor = (n: number): string => {
          let p = 0
          return `insert into learning_records (${cols.join(', ')}) values ${Array.from({ length: n }, () => `(${cols.map(() => `$${++p}`).join(', ')})`).join(', ')} on conflict do nothing`
        }
        const full = textFor(batchSize)
        const started = process.hrtime.bigint()
        for (let i = 0; i < rows.length; i += batchSize) {
          const chunk = rows.slice(i, i + batchSize)
          await client.query(chunk.length === batchSize ? full : textFor(chunk.length), chunk.flatMap((r) => cols.map((c) => r[c])))
        }
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9
        return rows.length / elapsed
      } finally {
        await client.end()
      }
    } finally {
      await schema.drop()
    }
  }

  const results: Record<string, unknown>[] = []
  for (const engine of ['sqlite', 'postgres'] as const) {
    try {
      const perRound: Array<{ http: number; raw: number; ratio: number; statements: number }> = []
      const status: Record<string, number> = {}
      let errors = 0
      for (let round = 0; round < rounds; round++) {
        const run = await httpRun(engine)
        for (const [k, v] of Object.entries(run.status)) status[k] = (status[k] ?? 0) + v
        errors += run.errors
        const raw = engine === 'postgres' ? await rawPostgres(run.rows) : await rawSqlite(run.rows)
        perRound.push({ http: Math.round(run.perSecond), raw: Math.round(raw), ratio: Number((run.perSecond / raw).toFixed(3)), statements: run.rows.length })
      }
      results.push({
        engine,
        httpStatementsPerSecond: median(perRound.map((r) => r.http)),
        baseline: engine === 'postgres' ? 'raw PostgreSQL: node-postgres, one multi-row INSERT per batch, the gateway\'s table' : 'raw SQLite: better-sqlite3, one prepared INSERT per row, one transaction per batch, the gateway\'s table and pragmas',
        rawInsertsPerSecond: median(perRound.map((r) => r.raw)),
        ratio: median(perRound.map((r) => r.ratio)),
        goal: 0.5,
        rounds: perRound,
        status,
        errors,
      })
    } catch (err) {
      results.push({ engine, error: (err as Error).message })
    }
  }
  process.stdout.write(`${JSON.stringify({ bench: 'records', seconds, concurrency, batchSize, rounds, results }, null, 2)}\n`)
}
