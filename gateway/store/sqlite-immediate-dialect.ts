// Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. A deferred transaction
// that reads first and writes later fails with SQLITE_BUSY, without waiting, when another process
// wrote in between, because busy_timeout cannot help a snapshot that is already stale. Every
// transaction in the gateway may write (jobs, audit chain), so they all start with BEGIN IMMEDIATE:
// the write lock is taken up front and contention waits on busy_timeout instead of failing.
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely'
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely'

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}
