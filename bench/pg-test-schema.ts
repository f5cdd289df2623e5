// A throw-away PostgreSQL schema (sg_test_<random>) for a bench or a test run, dropped with
// everything in it by `drop()`. Shared by the benches and gateway/store/engines.test-support.ts.
// PostgreSQL is reached at SKILLGATE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const TEST_DATABASE_URL = process.env.SKILLGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface PgTestSchema {
  databaseUrl: string
  schema: string
  drop(): Promise<void>
}

/** Creates an empty PostgreSQL schema named sg_test_<random>; `drop()` removes it with everything in it. */
export async function createPgTestSchema(databaseUrl: string = TEST_DATABASE_URL): Promise<PgTestSchema> {
  const schema = `sg_test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`create schema ${schema}`)
  } finally {
    await client.end()
  }
  return {
    databaseUrl,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl })
      await c.connect()
      try {
        await c.query(`drop schema if exists ${schema} cascade`)
      } finally {
        await c.end()
      }
    },
  }
}
