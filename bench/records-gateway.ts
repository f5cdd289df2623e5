// Shared by the learning-record benches: a real gateway on loopback over a given store, with one
// on-demand provider whose application is already active (the records routes serve only those).
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../gateway/app.js'
import { loadConfig } from '../gateway/config.js'
import type { Store } from '../gateway/store/open-store.js'
import { applicationBody } from './application-bodies.js'

export interface RecordsGateway {
  app: FastifyInstance
  baseUrl: string
  provider: { providerId: string; keyId: string; secret: string }
}

export async function startRecordsGateway(store: Store, dataDir: string, overrides: Record<string, unknown> = {}): Promise<RecordsGateway> {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', dataDir, 'worker.enabled': false, 'scheduler.enabled': false, 'rateLimit.max': 100_000_000, ...overrides } })
  const app = await buildApp({ config, store })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const { provider } = await app.workflow.createApplication(applicationBody('on-demand'))
  await store.db.updateTable('applications').set({ state: 'active' }).where('provider_id', '=', provider.providerId).execute()
  return { app, baseUrl: `http://127.0.0.1:${port}`, provider }
}
