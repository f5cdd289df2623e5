// Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. A deferred transaction
// that reads first and writes later fails with SQLITE_BUSY, without waiting, when another process
// wrote in between, because busy_timeout cannot help a snapshot that is already stale. Every
// transaction in the gateway may write (jobs, audit chain), so they all start with BEGIN IMMEDIATE:
// the write lock is taken up front and contention waits on busy_timeout instead of failing.
//
// The driver also calls `prepare(sql)` for every query, and compiling SQL was the largest single
// cost of an authenticated read (bench/gateway.ts). Kysely emits the same SQL text for the same
// query shape (values are parameters), so prepared statements are kept in a bounded LRU by text.
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely'
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteDialectConfig, SqliteStatement } from 'kysely'

/** Distinct SQL texts kept prepared; `in (…)` lists of varying length make the set open-ended. */
export const STATEMENT_CACHE_MAX = 500

type CachedStatement = SqliteStatement & { readonly busy?: boolean }

/** Wraps a better-sqlite3 database so `prepare` returns a cached statement for a repeated SQL text. */
export function withStatementCache(db: SqliteDatabase, max: number = STATEMENT_CACHE_MAX): SqliteDatabase {
  const cache = new Map<string, CachedStatement>()
  return {
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql)
      if (hit) {
        // A statement still being iterated (a streamed select) cannot run again until it is done.
        if (hit.busy === true) return db.prepare(sql)
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const stmt = db.prepare(sql) as CachedStatement
      if (cache.size >= max) cache.delete(cache.keys().next().value as string)
      cache.set(sql, stmt)
      return stmt
    },
    close(): void {
      cache.clear()
      db.close()
    },
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    const { database } = config
    this.#config = {
      ...config,
      database: typeof database === 'function' ? async () => withStatementCache(await database()) : withStatementCache(database),
    }
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}
