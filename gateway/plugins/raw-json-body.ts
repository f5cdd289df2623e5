// Replaces Fastify's JSON body parser with one that keeps the exact body bytes on the request:
// provider signatures (SG-SIGNATURE-V1, verified by the auth plugin) cover those bytes, so the
// parsed object must not be the only copy. Registered before the auth plugin, which depends on it.
// Before JSON.parse the text is strict UTF-8 and passes plugins/input-hardening.ts (nesting depth,
// NUL, lone surrogates), so nothing later recurses into a 100,000-deep document or hands PostgreSQL
// a string it cannot store. Fastify's text/plain parser is removed: the gateway takes JSON (and
// application/zip on the package route), anything else is 415.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { checkJsonText, decodeUtf8 } from './input-hardening.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body exactly as received (set for application/json requests). */
    rawBody?: Buffer
  }
}

export default fp(async function rawJsonBodyPlugin(app: FastifyInstance) {
  app.removeContentTypeParser('application/json')
  app.removeContentTypeParser('text/plain')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body
    if (body.length === 0) return done(null, undefined)
    let text: string
    try {
      text = decodeUtf8(body, 'the body')
      checkJsonText(text)
    } catch (err) {
      return done(err as Error, undefined)
    }
    try {
      done(null, JSON.parse(text))
    } catch {
      done(sgError('SG_ERR_VALIDATION', 'the body is not valid JSON'), undefined)
    }
  })
}, { name: 'skillgate-raw-json-body' })
