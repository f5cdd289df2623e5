// Starts the gateway: config → store (migrated) → app → listen, with graceful shutdown.
// `--demo` (npm start) also seeds reviewer and admin tokens, printed once, for the README walk-through.
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openStore } from './store/open-store.js'
import { join } from 'node:path'
import { startDemo } from './demo.js'

const demoFlag = process.argv.includes('--demo')
const config = loadConfig({ overrides: demoFlag ? { demo: true, ssrfMode: process.env.SKILLGATE_SSRF_MODE ?? 'local', 'conformance.sample': 5 } : {} })
const store = openStore({ databaseUrl: config.databaseUrl, sqlitePath: join(config.dataDir, 'skillgate.db'), sqliteExclusive: true })
await store.migrate()
const app = await buildApp({ config, store })

let closing = false
async function shutdown(signal: string): Promise<void> {
  if (closing) return
  closing = true
  app.log.info({ signal }, 'shutting down: finishing in-flight requests and jobs')
  const force = setTimeout(() => {
    app.log.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over; exiting')
    process.exit(1)
  }, config.shutdownGraceMs)
  force.unref()
  await app.close()
  await store.close()
  process.exitCode = 0
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))

await app.listen({ host: config.host, port: config.port })
if (config.demo) await startDemo(app)
