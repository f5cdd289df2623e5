// Makes the store available to every route as `app.store`; closes it when the app closes.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Store } from '../store/open-store.js'

declare module 'fastify' {
  interface FastifyInstance { store: Store }
}

export default fp(async function storePlugin(app: FastifyInstance, opts: { store: Store; closeOnShutdown: boolean }) {
  app.decorate('store', opts.store)
  if (opts.closeOnShutdown) app.addHook('onClose', async () => { await opts.store.close() })
}, { name: 'skillgate-store' })
