// Exit (R18, R20). Voluntary exit is executed by an admin on the provider's written request
// (referenced in the note); forced exit needs one of the seven reason codes of 第二十条. Both revoke
// the provider's keys and tokens, stop sync and close its courses to new learners, with an audit entry.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FORCED_EXIT_REASONS } from '../assessment/provider-management.js'

const actorOf = (request: FastifyRequest): string => `${request.identity?.role ?? 'public'}:${request.identity?.subject ?? '-'}`
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const
const params = { type: 'object', properties: { providerId: text(128) }, required: ['providerId'] } as const

export default async function exitRoutes(app: FastifyInstance) {
  const di = app.dataInterface

  app.post('/api/v1/providers/:providerId/exit', {
    config: { roles: ['admin'] },
    schema: { tags: ['exit'], summary: 'R18: voluntary exit on written request', params, body: { type: 'object', properties: { note: text(5000) }, required: ['note'], additionalProperties: false } },
  }, async (request) => di.management.exit((request.params as { providerId: string }).providerId, { note: (request.body as { note: string }).note, actor: actorOf(request) }))

  app.post('/api/v1/providers/:providerId/forced-exit', {
    config: { roles: ['admin'] },
    schema: { tags: ['exit'], summary: 'R20: forced exit with a reason code R20-1…R20-7', params, body: { type: 'object', properties: { reasonCode: { type: 'string', maxLength: 8 }, note: text(5000), caseId: text(128) }, required: ['reasonCode', 'note'], additionalProperties: false } },
  }, async (request) => {
    const b = request.body as { reasonCode: string; note: string; caseId?: string }
    return di.management.forcedExit((request.params as { providerId: string }).providerId, b.reasonCode, { note: b.note, actor: actorOf(request), ...(b.caseId ? { caseId: b.caseId } : {}) })
  })

  app.get('/api/v1/exit-reasons', { config: { roles: ['public'] }, schema: { tags: ['exit'], summary: 'The seven forced-exit reason codes of 第二十条' } }, async () => FORCED_EXIT_REASONS)

  app.get('/api/v1/providers/:providerId/status', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['exit'], summary: 'Operating status and management history of a provider', params },
  }, async (request) => {
    const providerId = (request.params as { providerId: string }).providerId
    return { provider: await di.directory.get(providerId), history: await di.management.history(providerId) }
  })
}
