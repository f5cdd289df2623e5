// Feedback tickets (R17, R19). A training body (参培主体) files with the token the platform issued
// it (routes/training-bodies.ts): its ticket counts towards the R19 rates and it gets a one-time
// rating token. Anyone may still file without a token: the ticket is kept for reviewers and never
// counts. Filing is rate-limited per identity (per training body; anonymous: per client address)
// on top of the per-address limit. Providers answer and resolve through their signed API;
// reviewers read tickets and the per-provider rates with the R19 recommendation.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { TrainingBodies } from '../assessment/training-bodies.js'
import { identityLimiter } from '../plugins/identity-rate-limit.js'

const id = { type: 'object', properties: { id: { type: 'string', maxLength: 128 } }, required: ['id'] } as const
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const

/** The key of the per-identity limit: the training body, or the client address for anonymous filers. */
const filerKey = (request: FastifyRequest): string =>
  request.identity?.trainingBodyId ? `tb:${request.identity.trainingBodyId}` : `anon:${request.ip}`

export default async function feedbackRoutes(app: FastifyInstance) {
  const di = app.dataInterface
  const bodies = new TrainingBodies(app.store)
  // Runs in a route preHandler, after authentication, so the key is the authenticated identity.
  const perFiler = identityLimiter(app, 'feedback')

  app.post('/api/v1/feedback', {
    config: { roles: ['public', 'training-body'] },
    preHandler: async (request) => {
      // R19: feedback comes from 参培主体, never from a provider (or a reviewer) about a provider.
      const identity = request.identity
      if (identity && identity.role !== 'training-body') throw sgError('SG_ERR_FEEDBACK_IDENTITY', `you are ${identity.role}`)
      await perFiler.consume(request, filerKey(request))
    },
    schema: {
      tags: ['feedback'],
      summary: 'File a feedback ticket about a provider. With a training-body token it counts towards R19 and returns a ratingToken; without one it is kept for reviewers and never counts',
      body: {
        type: 'object',
        properties: { providerId: text(128), courseId: text(128), entityName: text(200), entityUscc: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$' }, contact: text(200), subject: text(200), body: text(5000) },
        required: ['providerId', 'subject', 'body'],
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const identity = request.identity
    let by: Awaited<ReturnType<TrainingBodies['live']>>
    if (identity?.trainingBodyId) {
      by = await bodies.live(identity.trainingBodyId)
      if (!by) throw sgError('SG_ERR_AUTH_REQUIRED', 'the training body was revoked')
    }
    const out = await di.feedback.file(request.body as Parameters<typeof di.feedback.file>[0], by)
    return reply.status(201).send(out)
  })

  app.get('/api/v1/feedback', {
    config: { roles: ['reviewer', 'provider'] },
    schema: {
      tags: ['feedback'], summary: 'Tickets (a provider sees its own identified tickets; reviewers also see anonymous ones, identified=false)',
      querystring: { type: 'object', properties: { providerId: text(128), state: { type: 'string', enum: ['filed', 'answered', 'resolved', 'rated'] }, identified: { type: 'boolean' } }, additionalProperties: false },
    },
  }, async (request) => {
    const q = request.query as { providerId?: string; state?: 'filed' | 'answered' | 'resolved' | 'rated'; identified?: boolean }
    const isProvider = request.identity?.role === 'provider'
    const providerId = isProvider ? app.requireProvider(request).providerId : q.providerId
    const identified = isProvider ? true : q.identified
    return { items: await di.feedback.list({ ...(providerId !== undefined ? { providerId } : {}), ...(q.state ? { state: q.state } : {}), ...(identified !== undefined ? { identified } : {}) }) }
  })

  app.post('/api/v1/feedback/:id/response', {
    config: { roles: ['provider'] },
    schema: { tags: ['feedback'], summary: 'The provider answers a ticket', params: id, body: { type: 'object', properties: { response: text(5000) }, required: ['response'], additionalProperties: false } },
  }, async (request) => di.feedback.respond(app.requireProvider(request).providerId, (request.params as { id: string }).id, (request.body as { response: string }).response))

  app.post('/api/v1/feedback/:id/resolution', {
    config: { roles: ['provider'] },
    schema: { tags: ['feedback'], summary: 'The provider resolves a ticket', params: id, body: { type: 'object', properties: { resolution: text(5000) }, required: ['resolution'], additionalProperties: false } },
  }, async (request) => di.feedback.resolve(app.requireProvider(request).providerId, (request.params as { id: string }).id, (request.body as { resolution: string }).resolution))

  app.post('/api/v1/feedback/:id/rating', {
    config: { roles: ['public'] },
    schema: { tags: ['feedback'], summary: 'The filer rates the handling 1–5 with its rating token', params: id, body: { type: 'object', properties: { ratingToken: text(100), rating: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['ratingToken', 'rating'], additionalProperties: false } },
  }, async (request) => {
    const b = request.body as { ratingToken: string; rating: number }
    return di.feedback.rate((request.params as { id: string }).id, b.ratingToken, b.rating)
  })

  app.get('/api/v1/providers/:providerId/feedback-metrics', {
    config: { roles: ['reviewer'] },
    schema: { tags: ['feedback'], summary: 'R19 response, resolution and satisfaction rates with the recommendation', params: { type: 'object', properties: { providerId: text(128) }, required: ['providerId'] } },
  }, async (request) => di.evaluateFeedback((request.params as { providerId: string }).providerId))
}
