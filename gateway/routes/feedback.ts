// Feedback tickets (R17, R19). Filing and rating are public: training entities (参培主体) have no
// gateway accounts; the filer gets a one-time rating token. Providers answer and resolve through
// their signed API; reviewers read tickets and the per-provider rates with the R19 recommendation.
import type { FastifyInstance } from 'fastify'

const id = { type: 'object', properties: { id: { type: 'string', maxLength: 128 } }, required: ['id'] } as const
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const

export default async function feedbackRoutes(app: FastifyInstance) {
  const di = app.dataInterface

  app.post('/api/v1/feedback', {
    config: { roles: ['public'] },
    schema: {
      tags: ['feedback'], summary: 'File a feedback ticket about a provider (training entities); keep the returned ratingToken',
      body: {
        type: 'object',
        properties: { providerId: text(128), courseId: text(128), entityName: text(200), entityUscc: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$' }, contact: text(200), subject: text(200), body: text(5000) },
        required: ['providerId', 'entityName', 'subject', 'body'],
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const out = await di.feedback.file(request.body as Parameters<typeof di.feedback.file>[0])
    return reply.status(201).send(out)
  })

  app.get('/api/v1/feedback', {
    config: { roles: ['reviewer', 'provider'] },
    schema: { tags: ['feedback'], summary: 'Tickets (a provider sees its own)', querystring: { type: 'object', properties: { providerId: text(128), state: { type: 'string', enum: ['filed', 'answered', 'resolved', 'rated'] } }, additionalProperties: false } },
  }, async (request) => {
    const q = request.query as { providerId?: string; state?: 'filed' | 'answered' | 'resolved' | 'rated' }
    const providerId = request.identity?.role === 'provider' ? app.requireProvider(request).providerId : q.providerId
    return { items: await di.feedback.list({ ...(providerId !== undefined ? { providerId } : {}), ...(q.state ? { state: q.state } : {}) }) }
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
