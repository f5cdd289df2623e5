// Liveness (/healthz: the process answers) and readiness (/readyz: the database answers).
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'

export default async function healthRoutes(app: FastifyInstance) {
  const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const
  app.get('/healthz', { config: { roles: ['public'] }, schema: { tags: ['ops'], summary: 'Liveness', response: { 200: status } } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { config: { roles: ['public'] }, schema: { tags: ['ops'], summary: 'Readiness: the database answers', response: { 200: status } } }, async () => {
    try {
      await sql`select 1`.execute(app.store.db)
    } catch (err) {
      throw sgError('SG_ERR_NOT_READY', (err as Error).message)
    }
    return { status: 'ready' }
  })
}
