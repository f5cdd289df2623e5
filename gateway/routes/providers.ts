// A provider's own account: who it is, its signing keys (ids only, never secrets) and applications.
import type { FastifyInstance } from 'fastify'

export default async function providerRoutes(app: FastifyInstance) {
  app.get('/api/v1/providers/me', {
    config: { roles: ['provider'] },
    schema: { tags: ['providers'], summary: 'The calling provider: its signing key ids and its applications' },
  }, async (request) => {
    const { providerId } = app.requireProvider(request)
    const keys = await app.store.db.selectFrom('provider_keys').select(['key_id', 'created_at', 'revoked_at']).where('provider_id', '=', providerId).orderBy('created_at').execute()
    return {
      providerId,
      keys: keys.map((k) => ({ keyId: k.key_id, createdAt: k.created_at, revokedAt: k.revoked_at })),
      applications: await app.workflow.list({ providerId }),
    }
  })
}
