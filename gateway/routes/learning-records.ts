// Learning records: providers push signed batches (idempotent on statement id, voiding supported);
// reviewers query them and export CSV for subsidy review; providers read only their own; admins
// can pull from a provider now instead of waiting for the hourly schedule.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { LearningRecord } from '../../specs/types.gen.js'
import { CSV_BOM, CSV_CONTENT_TYPE, csvLine } from '../records/csv.js'
import { CSV_HEADER, csvValues } from '../records/learning-records.js'
import type { RecordQuery } from '../records/learning-records.js'
import { assertMayPushRecords } from '../workflow/provider-gates.js'

interface Query { providerId?: string; courseId?: string; learnerAccount?: string; includeVoided?: boolean; cursor?: string; limit?: number }

const querystring = {
  type: 'object',
  properties: {
    providerId: { type: 'string', maxLength: 128 },
    courseId: { type: 'string', maxLength: 128 },
    learnerAccount: { type: 'string', maxLength: 64 },
    includeVoided: { type: 'boolean' },
    cursor: { type: 'string', maxLength: 512 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
  additionalProperties: false,
} as const

function scoped(app: FastifyInstance, request: FastifyRequest): RecordQuery {
  const q = request.query as Query
  const out: RecordQuery = {}
  for (const k of ['providerId', 'courseId', 'learnerAccount', 'cursor'] as const) if (q[k] !== undefined) out[k] = q[k]
  if (q.includeVoided !== undefined) out.includeVoided = q.includeVoided
  if (q.limit !== undefined) out.limit = q.limit
  // A provider sees its own records only, whatever providerId it asks for.
  if (request.identity?.role === 'provider') out.providerId = app.requireProvider(request).providerId
  return out
}

export default async function learningRecordRoutes(app: FastifyInstance) {
  const di = app.dataInterface

  app.post('/api/v1/learning-records', {
    config: { roles: ['provider'] },
    schema: { tags: ['learning-records'], summary: 'Push a batch of xAPI-shaped statements (idempotent on statement id)', description: 'Body: specs/schemas/learning-record-batch.schema.json.' },
  }, async (request) => {
    const { providerId } = app.requireProvider(request)
    // Issue 16: records (the basis of training subsidies) only from admitted, operating providers.
    await assertMayPushRecords(app.store, providerId)
    const checked = schemas().validate('learning-record-batch', request.body)
    if (!checked.ok) throw sgError('SG_ERR_VALIDATION', checked.errors.slice(0, 5).map((e) => `${e.path}: expected ${e.expected}, found ${e.found}`).join('; '), { errors: checked.errors.slice(0, 50) })
    return di.records.ingest(providerId, (request.body as { statements: LearningRecord[] }).statements, 'push')
  })

  app.get('/api/v1/learning-records', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags: ['learning-records'], summary: 'Learning records by provider, course and learner account', querystring },
  }, async (request) => di.records.query(scoped(app, request)))

  app.get('/api/v1/learning-records/export.csv', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['learning-records'], summary: 'CSV export for subsidy review (UTF-8 with BOM, opens in Excel)', querystring },
  }, async (request, reply) => {
    const { cursor: _c, limit: _l, ...filter } = scoped(app, request)
    async function* lines(): AsyncGenerator<string> {
      yield CSV_BOM + csvLine(CSV_HEADER)
      for await (const v of di.records.scan(filter)) yield csvLine(csvValues(v))
    }
    const { Readable } = await import('node:stream')
    return reply.type(CSV_CONTENT_TYPE).header('content-disposition', 'attachment; filename="learning-records.csv"').send(Readable.from(lines()))
  })

  app.post('/api/v1/providers/:providerId/learning-records/pull', {
    config: { roles: ['admin'] },
    schema: { tags: ['learning-records'], summary: 'Pull learning records from a provider now', params: { type: 'object', properties: { providerId: { type: 'string', maxLength: 128 } }, required: ['providerId'] } },
  }, async (request) => di.pullRecords((request.params as { providerId: string }).providerId))
}
