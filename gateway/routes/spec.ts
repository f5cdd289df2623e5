// Publication of the unified technical specification (第七条, R7): the files `skillgate spec export`
// writes and the bilingual site `spec export --html` writes, under /spec/ (index.html at /spec/,
// a folder's index at /spec/signing/, the file list at /spec/index.json).
import type { FastifyInstance, FastifyReply } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { buildSite, type SiteFile } from '../../specs/lib/site/site.js'

// Pages and Swagger UI use only files of the site; Swagger UI sets inline styles and data: icons.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

export default async function specRoutes(app: FastifyInstance) {
  const files = new Map((await buildSite()).map((f) => [f.path, f]))
  const send = (reply: FastifyReply, f: SiteFile): Buffer => {
    void reply.header('cache-control', 'public, max-age=300').type(f.contentType)
    if (f.contentType.startsWith('text/html')) void reply.header('content-security-policy', CSP)
    return f.body
  }
  app.get('/spec/', {
    config: { roles: ['public'] },
    schema: { tags: ['spec'], summary: 'The published specification: bilingual site index (R7) / 统一技术规范网站首页' },
  }, async (_request, reply) => send(reply, files.get('index.html')!))
  app.get<{ Params: { '*': string } }>('/spec/*', {
    config: { roles: ['public'] },
    schema: { tags: ['spec'], summary: 'One file or page of the specification (R7) / 技术规范的文件或页面' },
  }, async (request, reply) => {
    const path = request.params['*']
    const f = files.get(path) ?? files.get(path.endsWith('/') ? `${path}index.html` : '')
    if (f) return send(reply, f)
    if (!path.endsWith('/') && files.has(`${path}/index.html`)) return reply.redirect(`/spec/${path}/`, 301)
    throw sgError('SG_ERR_NOT_FOUND', `no specification file ${path}; see /spec/`)
  })
}
