// Opens the gateway's store: SQLite (embedded default, one file under ./data) or PostgreSQL when
// a DATABASE_URL is given (several gateway instances sharing one database). Both engines are
// reached through the same Kysely<Database>; see schema.ts for the portable column conventions.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely'
import type { Migration, MigrationResult, Transaction } from 'kysely'
import pg from 'pg'
import { sgError } from '../../specs/lib/errors.js'
import { ApiTokenRepository } from './api-tokens.js'
import { migrations as allMigrations } from './migrations/index.js'
import { NonceRepository } from './nonces.js'
import type { Database } from './schema.js'
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.js'

export type StoreDialect = 'sqlite' | 'postgres'
export const DEFAULT_SQLITE_PATH = './data/skillgate.db'

export interface OpenStoreOptions {
  /** `postgres://…`: use PostgreSQL. Absent: use SQLite. */
  databaseUrl?: string | undefined
  /** SQLite file (default ./data/skillgate.db, parent folders are created) or ':memory:'. */
  sqlitePath?: string | undefined
  /** PostgreSQL only: the schema to work in (sets search_path on every pooled connection). */
  pgSchema?: string | undefined
  /** PostgreSQL only: pool size (default 10). */
  pgPoolMax?: number | undefined
  /** SQLite only: how long a writer waits for another process's lock (default 5000 ms). */
  sqliteBusyTimeoutMs?: number | undefined
  /**
   * SQLite only: hold the database exclusively for this connection (the gateway's own store; one
   * gateway process per SQLite file, as the architecture says). SQLite then enforces that nobody
   * else can read or write the file (a second process fails with SG_ERR_STORE_LOCKED), keeps the
   * WAL index in memory instead of shared memory (no file lock per statement), and the change
   * stamp needs only this connection's own counter.
   */
  sqliteExclusive?: boolean | undefined
}

export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: StoreDialect
  /** Replay protection for signed requests. */
  readonly nonces: NonceRepository
  /** Hashed bearer tokens for reviewers, admins and providers. */
  readonly apiTokens: ApiTokenRepository
  /** Applies pending migrations; returns the names applied now. Safe to run from several processes. */
  migrate(): Promise<string[]>
  /**
   * Runs `fn` in one transaction (BEGIN IMMEDIATE on SQLite). Inside `fn` use only `trx`: on
   * SQLite the single connection is held by the transaction, so a query on `store.db` would wait
   * for it forever.
   */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>
  /**
   * A stamp that changes whenever anything in the database may have changed. Read it before a
   * query: the result is then never older than the stamp says, so a cache keyed by it cannot
   * serve stale data (a spurious change only costs a miss).
   * - SQLite: this connection's writes (`total_changes()`, uncommitted and rolled-back ones too),
   *   plus commits by other connections (`PRAGMA data_version`) unless the file is held exclusively.
   * - PostgreSQL: `pg_current_snapshot()`, which moves whenever any transaction in the cluster is
   *   given a transaction id (only writers are) and when it ends; reads leave it alone. This holds
   *   across gateway instances, at the price of one round trip.
   */
  changeStamp(): string | Promise<string>
  close(): Promise<void>
}

const PG_INT8_OID = 20
// Epoch-ms columns and count(*) are int8; node-postgres returns int8 as a string by default.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8_OID && format !== 'binary') return (value: string) => Number(value)
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text')
  },
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export function openStore(options: OpenStoreOptions = {}): Store {
  if (options.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
      throw sgError('SG_ERR_STORE_CONFIG', 'databaseUrl must start with postgres:// or postgresql://')
    }
    if (options.pgSchema !== undefined && !SCHEMA_NAME.test(options.pgSchema)) {
      throw sgError('SG_ERR_STORE_CONFIG', `pgSchema ${options.pgSchema} is not a plain lower-case identifier`)
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolMax ?? 10,
      types: pgTypes,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    })
    // The stamp goes straight to the pool (a prepared, array-mode query): Kysely's query pipeline
    // would double its cost, and it runs before every cached read.
    const snapshot = { name: 'sg_change_stamp', text: 'select pg_current_snapshot()::text', rowMode: 'array' as const }
    const changeStamp = async (): Promise<string> => String((await pool.query<[string]>(snapshot)).rows[0]![0])
    return makeStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres', changeStamp)
  }
  const path = options.sqlitePath ?? DEFAULT_SQLITE_PATH
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const sqlite = new BetterSqlite3(path)
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.sqliteBusyTimeoutMs ?? 5000)}`)
  // Before the first WAL access, so no shared-memory WAL index is ever created (sqlite.org/wal.html#noshm).
  const exclusive = options.sqliteExclusive === true && path !== ':memory:'
  if (exclusive) {
    sqlite.pragma('locking_mode = EXCLUSIVE')
    try {
      // The lock is taken by the first read and kept until close.
      sqlite.pragma('schema_version')
    } catch (err) {
      sqlite.close()
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw sgError('SG_ERR_STORE_LOCKED', `${path} is open in another process`, { path }, err)
      throw err
    }
  }
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  // total_changes() is a plain counter of this connection's writes (~0.2 µs). Commits by other
  // connections show in data_version, which takes a read lock on the WAL index: ~30 µs under load,
  // a fifth of a cached read (bench/gateway). An exclusive connection has no other writers.
  const ownChanges = sqlite.prepare('select total_changes()').pluck()
  const othersCommits = exclusive ? undefined : sqlite.prepare('pragma data_version').pluck()
  const changeStamp = othersCommits
    ? (): string => `${ownChanges.get() as number}:${othersCommits.get() as number}`
    : (): string => String(ownChanges.get() as number)
  return makeStore(new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) }), 'sqlite', changeStamp)
}

function makeStore(db: Kysely<Database>, dialect: StoreDialect, changeStamp: () => string | Promise<string>): Store {
  return {
    db,
    dialect,
    changeStamp,
    nonces: new NonceRepository(db),
    apiTokens: new ApiTokenRepository(db),
    migrate: () => migrateToLatest(db, dialect),
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  }
}

/** PostgreSQL's invalid_schema_name for a schema other than `own`. */
const droppedElsewhere = (error: unknown, own: string | undefined): boolean => {
  const e = error as { code?: unknown; message?: unknown }
  const named = /schema "([^"]+)" does not exist/.exec(String(e.message))?.[1]
  return e.code === '3F000' && named !== undefined && named !== own
}

export async function migrateToLatest(db: Kysely<Database>, dialect: StoreDialect = 'sqlite'): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: with another
  // schema in the same database holding them (another instance's, a test's), it would skip creating
  // its own. On PostgreSQL pin them to the schema this connection works in.
  const schema = dialect === 'postgres'
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined
  const migrator = new Migrator({
    db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: { getMigrations: async () => Object.fromEntries(allMigrations) as Record<string, Migration> },
  })
  let { error, results } = await migrator.migrateToLatest()
  // Kysely's introspection reads every schema's tables: a schema another session drops meanwhile
  // (another instance's, a test's) fails it with 3F000 naming that schema, not ours. Nothing was
  // applied (the migrations run in one locked transaction), so try again.
  for (let retry = 0; error && droppedElsewhere(error, schema) && retry < 5; retry++) {
    ;({ error, results } = await migrator.migrateToLatest())
  }
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error')?.migrationName
    throw sgError('SG_ERR_STORE_MIGRATION', failed ? `migration ${failed} failed` : String(error), undefined, error)
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
