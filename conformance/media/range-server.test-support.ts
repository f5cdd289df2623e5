// A static media folder on loopback for the media tests, served the way the reference platforms'
// media host serves it (fixtures/providers/serve-file.ts: single-range 206, 416, or with
// `ignoreRange` the whole file with 200 as some CDNs do; fixtures/providers/media-host.ts: body
// bytes and requests counted at the server), with 404 for names in `missing`, so a test can say
// how much of a file a measurement read.
import { join, normalize } from 'node:path'
import Fastify from 'fastify'
import type { Test } from 'tap'
import { createMediaHost } from '../../fixtures/providers/media-host.js'
import { sendFile } from '../../fixtures/providers/serve-file.js'
import { isSkillgateError } from '../../specs/lib/errors.js'

export interface RangeServer { url: string; bytesSent: () => number; requests: () => number }

export async function serveDir(t: Test, root: string, opts: { ignoreRange?: boolean; missing?: string[] } = {}): Promise<RangeServer> {
  const host = createMediaHost()
  const app = Fastify()
  app.addHook('onRequest', async (request) => host.arrive(request.headers.range !== undefined))
  app.setErrorHandler((err, _request, reply) => {
    const status = isSkillgateError(err) && err.code === 'SG_ERR_RANGE_NOT_SATISFIABLE' ? 416 : 404
    return reply.code(status).send(status === 416 ? '' : 'not found')
  })
  app.get('/*', async (request, reply) => {
    const rel = normalize(decodeURIComponent((request.params as { '*': string })['*'])).replace(/^\/+/, '')
    if (rel.startsWith('..') || opts.missing?.includes(rel)) return reply.code(404).send('not found')
    return sendFile(reply, join(root, rel), request.headers.range, { ...(opts.ignoreRange ? { ignoreRange: true } : {}), carry: (body) => host.carry(body) })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { url, bytesSent: () => host.traffic().bytes, requests: () => host.traffic().requests }
}
