// Course-package upload and status (R13). The upload body (application/zip) is NOT buffered: the
// route's content-type parser only records the client's declared digest (X-SG-Content-SHA256), the
// auth plugin verifies the request signature against that digest BEFORE a byte of the body is read,
// and the handler then streams the body into the blob store, which refuses it unless the bytes hash
// to the same digest and stay within config.uploadLimitBytes. So a stranger cannot make the
// gateway store anything, and a signed request still covers the exact bytes it carries.
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { SHA256_HEX } from '../blobs/blob-store.js'
import { parseRange } from '../blobs/http-range.js'
import { toPackageView } from '../ingest/package-ingest.js'
import { actorOf } from '../workflow/actor.js'

export const CONTENT_SHA256_HEADER = 'x-sg-content-sha256'
export const FILE_NAME_HEADER = 'x-sg-file-name'

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 80 } }, required: ['id'] } as const

function fileNameFrom(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header
  let name = 'package.zip'
  try {
    if (raw) name = decodeURIComponent(raw)
  } catch { /* keep the default */ }
  // A display name only: never used as a path.
  return [...name].map((ch) => (ch.charCodeAt(0) < 0x20 || ch === '\u007f' || ch === '/' || ch === '\\' ? '_' : ch)).join('').slice(0, 200) || 'package.zip'
}

export default async function packageRoutes(app: FastifyInstance) {
  const ingest = app.packageIngest
  const tags = ['packages']

  app.addContentTypeParser('application/zip', (request, _payload, done) => {
    const declared = request.headers[CONTENT_SHA256_HEADER]
    const digest = typeof declared === 'string' ? declared.trim().toLowerCase() : ''
    if (!SHA256_HEX.test(digest)) return done(sgError('SG_ERR_PACKAGE_DIGEST_HEADER', `${CONTENT_SHA256_HEADER}: ${typeof declared === 'string' ? declared.slice(0, 80) : 'missing'}`), undefined)
    const length = Number(request.headers['content-length'])
    if (Number.isFinite(length) && length > app.config.uploadLimitBytes) {
      return done(sgError('SG_ERR_PACKAGE_TOO_LARGE', `Content-Length ${length}; the limit is ${app.config.uploadLimitBytes} bytes`, { limit: app.config.uploadLimitBytes }), undefined)
    }
    request.streamedBodySha256 = digest
    done(null, undefined)
  })

  // A refused upload must not be drained: closing the connection stops the client sending the rest.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && request.headers['content-type']?.startsWith('application/zip') && !request.raw.complete) void reply.header('connection', 'close')
  })

  app.post('/api/v1/packages', {
    // A signed call (specs/signing/gateway-calls.json); a declared Content-Length above the upload
    // limit is 413 before a byte is read, `Expect: 100-continue` included (plugins/input-hardening.ts).
    config: { roles: ['provider'], bodyTooLargeCode: 'SG_ERR_PACKAGE_TOO_LARGE' },
    bodyLimit: app.config.uploadLimitBytes,
    schema: {
      tags,
      summary: 'Upload a course package (application/zip, streamed; X-SG-Content-SHA256 required)',
      headers: { type: 'object', properties: { [CONTENT_SHA256_HEADER]: { type: 'string' } }, required: [CONTENT_SHA256_HEADER] },
    },
  }, async (request, reply) => {
    const { providerId } = app.requireProvider(request)
    await ingest.assertAdmitted(providerId)
    const digest = request.streamedBodySha256
    if (!digest) throw sgError('SG_ERR_PACKAGE_DIGEST_HEADER', 'send the body as application/zip')
    const { pkg, created } = await ingest.accept({ providerId, fileName: fileNameFrom(request.headers[FILE_NAME_HEADER]), sha256: digest, body: request.raw, actor: actorOf(request).id })
    return reply.code(created ? 202 : 200).header('location', `/api/v1/packages/${pkg.id}`).send(pkg)
  })

  const scopeOf = (request: Parameters<typeof actorOf>[0]): { providerId?: string } =>
    request.identity?.role === 'provider' ? { providerId: app.requireProvider(request).providerId } : {}

  app.get('/api/v1/packages/:id', {
    config: { roles: ['provider', 'reviewer'] },
    schema: { tags, summary: 'Package status (a provider sees only its own packages)', params: idParams },
  }, async (request) => {
    const { id } = request.params as { id: string }
    return toPackageView(await ingest.get(id, scopeOf(request)))
  })

  // R13: reviewers (and the provider, for its own packages) read the package as uploaded; any
  // instance serves it, from disk (SQLite) or the database (PostgreSQL), and a Range request reads
  // only the bytes asked for, so a preview can seek without downloading the whole package.
  app.get('/api/v1/packages/:id/content', {
    config: { roles: ['provider', 'reviewer'] },
    schema: {
      tags,
      summary: 'The package file as uploaded (application/zip); one HTTP Range (bytes=a-b) is honoured with 206, an unsatisfiable one is 416 SG_ERR_BLOB_RANGE',
      params: idParams,
      headers: { type: 'object', properties: { range: { type: 'string', maxLength: 200 } } },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const row = await ingest.get(id, scopeOf(request))
    let range
    try {
      range = parseRange(request.headers.range, row.size)
    } catch (err) {
      void reply.header('content-range', `bytes */${row.size}`)
      throw err
    }
    const stream = await ingest.content(row, range)
    void reply.type('application/zip').header('accept-ranges', 'bytes').header('etag', `"${row.sha256}"`)
      .header('content-disposition', `attachment; filename="package.zip"; filename*=UTF-8''${encodeURIComponent(row.file_name)}`)
      .header('x-content-type-options', 'nosniff')
    if (!range) return reply.header('content-length', row.size).send(stream)
    return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${row.size}`).header('content-length', range.end - range.start + 1).send(stream)
  })

  app.get('/api/v1/packages/:id/report', {
    config: { roles: ['provider', 'reviewer'] },
    schema: { tags, summary: 'The package conformance report (JSON, sealed with its digest)', params: idParams },
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    return reply.type('application/json; charset=utf-8').send(await ingest.report(id, scopeOf(request)))
  })
}
