// Test helper: a gateway on a fresh store (SQLite by default, or the engine given), closed in teardown.
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { loadConfig, type GatewayConfig } from './config.js'
import { openStore, type Store } from './store/open-store.js'

export async function testApp(
  t: { teardown(fn: () => unknown): void; testdirName?: string },
  opts: { store?: Store; overrides?: Record<string, unknown> } = {},
): Promise<{ app: FastifyInstance; store: Store; config: Readonly<GatewayConfig> }> {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', 'worker.enabled': false, 'scheduler.enabled': false, ...opts.overrides } })
  const store = opts.store ?? openStore({ sqlitePath: ':memory:' })
  if (!opts.store) await store.migrate()
  const app = await buildApp({ config, store })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    if (!opts.store) await store.close()
  })
  return { app, store, config }
}
