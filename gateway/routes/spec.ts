// Publication of the unified technical specification (第七条, R7): exactly the files
// `skillgate spec export` writes, under /spec/, plus an index.
import type { FastifyInstance } from 'fastify'
import { listSpecFiles } from '../../specs/lib/publish.js'
import { sgError } from '../../specs/lib/errors.js'

export default async function specRoutes(app: FastifyInstance) {
  const files = new Map(listSpecFiles().map((f) => [f.path, f]))
  app.get('/spec/', {
    config: { roles: ['public'] },
    schema: { tags: ['spec'], summary: 'Index of the published specification (R7)' },
  }, async () => ({
    title: 'skillgate unified technical specification v1 / 统一技术规范',
    files: [...files.values()].map((f) => ({ path: `/spec/${f.path}`, contentType: f.contentType })),
  }))
  app.get<{ Params: { '*': string } }>('/spec/*', {
    config: { roles: ['public'] },
    schema: { tags: ['spec'], summary: 'One file of the specification (R7)' },
  }, async (request, reply) => {
    const f = files.get(request.params['*'])
    if (!f) throw sgError('SG_ERR_NOT_FOUND', `no specification file ${request.params['*']}; see /spec/`)
    void reply.header('cache-control', 'public, max-age=300').type(f.contentType)
    return f.body()
  })
}
