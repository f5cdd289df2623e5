// Dynamic assessment for reviewers (R17, R19): drift and feedback cases, their resolution with a
// note, R19 actions on providers, and admin "run now" for the sync and the assessment.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { MANAGEMENT_ACTIONS } from '../assessment/provider-management.js'
import type { ManagementAction } from '../assessment/provider-management.js'
import { RESOLUTIONS } from '../assessment/assessment.js'
import type { Resolution } from '../assessment/assessment.js'

const actorOf = (request: FastifyRequest): string => `${request.identity?.role ?? 'public'}:${request.identity?.subject ?? '-'}`
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const
const providerParams = { type: 'object', properties: { providerId: text(128) }, required: ['providerId'] } as const

export default async function assessmentRoutes(app: FastifyInstance) {
  const di = app.dataInterface

  app.get('/api/v1/assessment/cases', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['assessment'], summary: 'Assessment cases (drift and feedback)', querystring: { type: 'object', properties: { status: { type: 'string', enum: ['open', 'resolved'] }, providerId: text(128), kind: text(32) }, additionalProperties: false } },
  }, async (request) => ({ items: await di.assessment.listCases(request.query as { status?: 'open' | 'resolved'; providerId?: string; kind?: string }) }))

  app.get('/api/v1/assessment/cases/:id', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['assessment'], summary: 'One assessment case', params: { type: 'object', properties: { id: text(128) }, required: ['id'] } },
  }, async (request) => di.assessment.getCase((request.params as { id: string }).id))

  app.post('/api/v1/assessment/cases/:id/resolve', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['assessment'], summary: 'Resolve a case with a note', params: { type: 'object', properties: { id: text(128) }, required: ['id'] }, body: { type: 'object', properties: { resolution: { type: 'string', enum: [...RESOLUTIONS] }, note: text(5000) }, required: ['resolution', 'note'], additionalProperties: false } },
  }, async (request) => {
    const b = request.body as { resolution: Resolution; note: string }
    return di.assessment.resolveCase((request.params as { id: string }).id, actorOf(request), b.resolution, b.note)
  })

  app.post('/api/v1/providers/:providerId/actions', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['assessment'], summary: 'R19: interview, suspend, take down or reinstate a provider', params: providerParams, body: { type: 'object', properties: { action: { type: 'string', enum: [...MANAGEMENT_ACTIONS] }, note: text(5000), caseId: text(128) }, required: ['action', 'note'], additionalProperties: false } },
  }, async (request) => {
    const b = request.body as { action: ManagementAction; note: string; caseId?: string }
    return di.management.act((request.params as { providerId: string }).providerId, b.action, { note: b.note, actor: actorOf(request), ...(b.caseId ? { caseId: b.caseId } : {}) })
  })

  app.post('/api/v1/assessment/run', {
    config: { roles: ['admin'] },
    schema: { tags: ['assessment'], summary: 'Re-run the conformance kit now (one provider or all)', body: { type: 'object', properties: { providerId: text(128) }, additionalProperties: false } },
  }, async (request) => {
    const providerId = (request.body as { providerId?: string } | undefined)?.providerId
    return providerId ? { runs: [await di.assessment.assessProvider(providerId)] } : { runs: await di.assessment.assessAll() }
  })

  app.post('/api/v1/sync/run', {
    config: { roles: ['admin'] },
    schema: { tags: ['assessment'], summary: 'Sync catalogues now (one provider or all)', body: { type: 'object', properties: { providerId: text(128) }, additionalProperties: false } },
  }, async (request) => {
    const providerId = (request.body as { providerId?: string } | undefined)?.providerId
    return { runs: providerId ? [await di.sync.syncProvider(providerId)] : await di.sync.syncAll() }
  })

  app.get('/api/v1/providers/:providerId/sync', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['assessment'], summary: 'Sync state and circuit breaker of a provider', params: providerParams },
  }, async (request) => di.sync.circuitOf((request.params as { providerId: string }).providerId))
}
