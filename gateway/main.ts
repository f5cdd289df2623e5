// Starts the gateway: config → store (migrated) → app → listen, with graceful shutdown.
// `--demo` (npm start) also seeds reviewer and admin tokens, printed once, for the README walk-through.
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openStore } from './store/open-store.js'
import { join } from 'node:path'
import { startDemo } from './demo.js'
import { isSkillgateError } from '../specs/lib/errors.js'

const demoFlag = process.argv.includes('--demo')

/** A start-up failure with a documented code is one readable line (and its fix), not a stack trace. */
function startupFailure(err: unknown): never {
  if (!isSkillgateError(err)) throw err
  process.stderr.write(`skillgate gateway cannot start: ${err.code}: ${err.message}\n`)
  process.exit(1)
}

const config = (() => {
  try {
    return loadConfig({ overrides: demoFlag ? { demo: true, ssrfMode: process.env.SKILLGATE_SSRF_MODE ?? 'local', 'conformance.sample': 5 } : {} })
  } catch (err) {
    return startupFailure(err)
  }
})()
const store = (() => {
  try {
    return openStore({ databaseUrl: config.databaseUrl, sqlitePath: join(config.dataDir, 'skillgate.db'), sqliteExclusive: true })
  } catch (err) {
    return startupFailure(err)
  }
})()
await store.migrate().catch(startupFailure)
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
