// Applications and their admission workflow (R6–R12): the solicitation entry (R8), documents,
// submission with the automated completeness check (R9), material review, conformance, roadshow
// (R10), publicity start and objection resolution (R11), and the commitment letter (R12).
// Provider routes see only the caller's own applications: another provider's id reads as 404.
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { actorOf } from '../workflow/actor.js'
import { PROVIDER_KINDS, documentTypesFor } from '../workflow/requirements-by-kind.js'
import type { ProviderKind } from '../workflow/requirements-by-kind.js'
import { STATES } from '../workflow/state-machine.js'
import type { ApplicationState } from '../workflow/state-machine.js'
import type { NewApplicationInput } from '../workflow/application.js'

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 80 } }, required: ['id'] } as const
const reasons = { type: 'array', items: { type: 'string', maxLength: 4000 }, minItems: 1, maxItems: 50 } as const
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
/** Documents are served back only as these types; anything else is an octet-stream download (no stored XSS). */
const SAFE_CONTENT_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg'])
/** Per-document upload limit (bytes before Base64). */
export const DOCUMENT_MAX_BYTES = 16 * 1024 * 1024

const documentBody = {
  type: 'object',
  required: ['fileName', 'contentType', 'contentBase64'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', maxLength: 64 },
    fileName: { type: 'string', minLength: 1, maxLength: 255 },
    contentType: { type: 'string', minLength: 1, maxLength: 127 },
    contentBase64: { type: 'string', minLength: 1 },
    attributes: { type: 'object', maxProperties: 20 },
  },
} as const

const createBody = {
  type: 'object',
  required: ['kind', 'organisation', 'contact', 'declarations'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: PROVIDER_KINDS },
    organisation: {
      type: 'object', required: ['name', 'uscc'], additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, uscc: { type: 'string', maxLength: 40 } },
    },
    contact: {
      type: 'object', required: ['name', 'phone', 'email'], additionalProperties: false,
      properties: { name: { type: 'string', maxLength: 100 }, phone: { type: 'string', maxLength: 40 }, email: { type: 'string', maxLength: 200 } },
    },
    declarations: {
      type: 'object', required: ['noDishonestyRecord'], additionalProperties: false,
      properties: { noDishonestyRecord: { type: 'boolean' }, personTimesServed: { type: 'integer', minimum: 0 } },
    },
    serviceTeam: {
      type: 'object', required: ['phone'], additionalProperties: false,
      properties: { phone: { type: 'string', minLength: 1, maxLength: 40 }, email: { type: 'string', maxLength: 200 }, hours: { type: 'string', maxLength: 200 } },
    },
    endpointBaseUrl: { type: 'string', pattern: '^https?://', maxLength: 2048 },
    sandboxTenants: {
      type: 'array', maxItems: 4,
      items: { type: 'object', required: ['tenantId', 'token'], additionalProperties: false, properties: { tenantId: { type: 'string', minLength: 1, maxLength: 128 }, token: { type: 'string', minLength: 1, maxLength: 1024 } } },
    },
  },
} as const

function decodeDocument(body: { fileName: string; contentType: string; contentBase64: string; attributes?: Record<string, unknown> }): { fileName: string; contentType: string; bytes: Buffer; attributes: Record<string, unknown> } {
  if (!BASE64.test(body.contentBase64)) throw sgError('SG_ERR_WORKFLOW_BAD_DOCUMENT', 'contentBase64 is not standard Base64')
  const bytes = Buffer.from(body.contentBase64, 'base64')
  if (bytes.length > DOCUMENT_MAX_BYTES) throw sgError('SG_ERR_BODY_TOO_LARGE', `a document may have at most ${DOCUMENT_MAX_BYTES} bytes`)
  return { fileName: body.fileName, contentType: body.contentType, bytes, attributes: body.attributes ?? {} }
}

const tags = ['applications']
/** A JSON body carrying one Base64 document of the maximum size. */
const UPLOAD_LIMIT = Math.ceil((DOCUMENT_MAX_BYTES * 4) / 3) + 64 * 1024

// Registered in this order: the application and its documents (R8–R9), then the later stages.
export default async function applicationRoutes(app: FastifyInstance) {
  applicationAndDocumentRoutes(app)
  laterStageRoutes(app)
}

/** R8–R9: document types, apply, list, read, documents, submit, withdraw, material review. */
function applicationAndDocumentRoutes(app: FastifyInstance): void {
  const wf = app.workflow
  app.get('/api/v1/applications/document-types', {
    config: { roles: ['public'] },
    schema: { tags, summary: 'Qualification documents required per provider kind (R8)', querystring: { type: 'object', properties: { kind: { type: 'string', enum: PROVIDER_KINDS } } } },
  }, async (request) => {
    const { kind } = request.query as { kind?: ProviderKind }
    const kinds = kind ? [kind] : [...PROVIDER_KINDS]
    return Object.fromEntries(kinds.map((k) => [k, documentTypesFor(k).map((d) => ({ type: d.type, zh: d.zh, en: d.en, requirementIds: d.requirementIds }))]))
  })

  app.post('/api/v1/applications', {
    config: { roles: ['public'] },
    schema: { tags, summary: 'Apply (R8): creates a draft application and the provider account; the token and signing secret are shown once', body: createBody },
  }, async (request, reply) => {
    const created = await wf.createApplication(request.body as NewApplicationInput)
    void reply.status(201).header('cache-control', 'no-store')
    return { ...created, notice: 'The token and the signing secret are shown only in this response; store them now. / 令牌与签名密钥仅显示这一次，请妥善保存。' }
  })

  app.get('/api/v1/applications', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags, summary: 'List applications: reviewers see all (filter by state), providers only their own', querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: STATES }, limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
  }, async (request) => {
    const q = request.query as { state?: ApplicationState; limit?: number }
    const actor = actorOf(request)
    const items = await wf.list({ ...(q.state ? { state: q.state } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(actor.role === 'provider' ? { providerId: actor.providerId! } : {}) })
    return { items }
  })

  app.get('/api/v1/applications/:id', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags, summary: 'One application with its documents, scores, objections and audit trail', params: idParams },
  }, async (request, reply) => {
    const json = await wf.detailJson((request.params as { id: string }).id, actorOf(request))
    return reply.type('application/json; charset=utf-8').send(json)
  })

  app.post('/api/v1/applications/:id/documents', {
    config: { roles: ['provider'] },
    bodyLimit: UPLOAD_LIMIT,
    schema: { tags, summary: 'Upload a qualification document (JSON, Base64 content) while the application is a draft', params: idParams, body: { ...documentBody, required: ['type', ...documentBody.required] } },
  }, async (request, reply) => {
    const body = request.body as { type: string; fileName: string; contentType: string; contentBase64: string; attributes?: Record<string, unknown> }
    const doc = await wf.addDocument((request.params as { id: string }).id, actorOf(request), { type: body.type, ...decodeDocument(body) })
    void reply.status(201)
    return doc
  })

  app.get('/api/v1/applications/:id/documents/:documentId', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags, summary: 'Download a document', params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 }, documentId: { type: 'string', maxLength: 80 } }, required: ['id', 'documentId'] } },
  }, async (request, reply) => {
    const { id, documentId } = request.params as { id: string; documentId: string }
    const { doc, stream } = await wf.documentContent(id, documentId, actorOf(request))
    void reply
      .type(SAFE_CONTENT_TYPES.has(doc.contentType) ? doc.contentType : 'application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
    return reply.send(stream)
  })

  app.post('/api/v1/applications/:id/submit', {
    config: { roles: ['provider'] },
    schema: { tags, summary: 'Submit: runs the automated completeness check (R9), then queues the application for material review', params: idParams },
  }, async (request) => ({ application: await wf.submit((request.params as { id: string }).id, actorOf(request)) }))

  app.post('/api/v1/applications/:id/withdraw', {
    config: { roles: ['provider'] },
    schema: { tags, summary: 'Withdraw the application', params: idParams, body: { type: 'object', additionalProperties: false, properties: { reasons: { type: 'array', items: { type: 'string', maxLength: 4000 }, maxItems: 50 } } } },
  }, async (request) => ({ application: await wf.withdraw((request.params as { id: string }).id, actorOf(request), (request.body as { reasons?: string[] } | undefined)?.reasons ?? []) }))

  app.post('/api/v1/applications/:id/material-review', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Material review decision with reasons (R9); pass queues the conformance run', params: idParams, body: { type: 'object', required: ['decision', 'reasons'], additionalProperties: false, properties: { decision: { type: 'string', enum: ['pass', 'reject'] }, reasons } } },
  }, async (request) => {
    const body = request.body as { decision: 'pass' | 'reject'; reasons: string[] }
    return { application: await wf.materialReview((request.params as { id: string }).id, actorOf(request), body.decision, body.reasons) }
  })
}

/** R7, R10–R12: conformance runs and reports, roadshow, publicity, objections, commitment letter. */
function laterStageRoutes(app: FastifyInstance): void {
  const wf = app.workflow
  app.post('/api/v1/applications/:id/conformance', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags, summary: 'Queue a conformance run (again, after a failed one)', params: idParams },
  }, async (request, reply) => {
    const r = await wf.requestConformance((request.params as { id: string }).id, actorOf(request))
    void reply.status(202)
    return r
  })

  app.get('/api/v1/applications/:id/conformance-report', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags, summary: 'The latest conformance report (JSON)', params: idParams },
  }, async (request, reply) => {
    const stream = await wf.conformanceReport((request.params as { id: string }).id, actorOf(request))
    void reply.type('application/json; charset=utf-8').header('x-content-type-options', 'nosniff')
    return reply.send(stream)
  })

  app.post('/api/v1/applications/:id/roadshow/scores', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'A reviewer\'s roadshow score, 0–100, once per reviewer (R10)', params: idParams, body: { type: 'object', required: ['score', 'comments'], additionalProperties: false, properties: { score: { type: 'integer', minimum: 0, maximum: 100 }, comments: { type: 'string', maxLength: 8000 } } } },
  }, async (request, reply) => {
    const body = request.body as { score: number; comments: string }
    const score = await wf.addRoadshowScore((request.params as { id: string }).id, actorOf(request), request.identity!.subject, body.score, body.comments)
    void reply.status(201)
    return score
  })

  app.post('/api/v1/applications/:id/roadshow/decision', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'The committee\'s recommendation and the joint-review record (R10)', params: idParams, body: { type: 'object', required: ['recommend', 'record'], additionalProperties: false, properties: { recommend: { type: 'boolean' }, record: { type: 'string', minLength: 1, maxLength: 20000 } } } },
  }, async (request) => {
    const body = request.body as { recommend: boolean; record: string }
    return wf.roadshowDecision((request.params as { id: string }).id, actorOf(request), body.recommend, body.record)
  })

  app.post('/api/v1/applications/:id/publicity/start', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Start the 5-working-day publicity (R11); the response carries calendar warnings', params: idParams, body: { type: 'object', additionalProperties: false, properties: { startDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } } },
  }, async (request) => {
    const body = (request.body ?? {}) as { startDate?: string }
    return wf.startPublicity((request.params as { id: string }).id, actorOf(request), body.startDate)
  })

  app.post('/api/v1/applications/:id/objections/:objectionId/resolve', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Resolve an objection: dismissed resumes publicity (end extended), upheld rejects (R11)', params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 }, objectionId: { type: 'string', maxLength: 80 } }, required: ['id', 'objectionId'] }, body: { type: 'object', required: ['outcome', 'reasons'], additionalProperties: false, properties: { outcome: { type: 'string', enum: ['dismissed', 'upheld'] }, reasons } } },
  }, async (request) => {
    const { id, objectionId } = request.params as { id: string; objectionId: string }
    const body = request.body as { outcome: 'dismissed' | 'upheld'; reasons: string[] }
    return wf.resolveObjection(id, objectionId, actorOf(request), body.outcome, body.reasons)
  })

  app.post('/api/v1/applications/:id/commitment-letter', {
    config: { roles: ['provider'] },
    bodyLimit: UPLOAD_LIMIT,
    schema: { tags, summary: 'Upload the signed service commitment letter (R12): the provider becomes active under its kind\'s title', params: idParams, body: documentBody },
  }, async (request) => ({ application: await wf.submitCommitmentLetter((request.params as { id: string }).id, actorOf(request), decodeDocument(request.body as { fileName: string; contentType: string; contentBase64: string })) }))
}
