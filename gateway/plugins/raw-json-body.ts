// Replaces Fastify's JSON body parser with one that keeps the exact body bytes on the request:
// provider signatures (SG-SIGNATURE-V1, verified by the auth plugin) cover those bytes, so the
// parsed object must not be the only copy. Registered before the auth plugin, which depends on it.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body exactly as received (set for application/json requests). */
    rawBody?: Buffer
  }
}

export default fp(async function rawJsonBodyPlugin(app: FastifyInstance) {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body
    if (body.length === 0) return done(null, undefined)
    try {
      done(null, JSON.parse(body.toString('utf8')))
    } catch {
      done(sgError('SG_ERR_VALIDATION', 'the body is not valid JSON'), undefined)
    }
  })
}, { name: 'skillgate-raw-json-body' })
