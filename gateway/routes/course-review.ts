// Course review (R13, R14): reviewers see the queue of course versions that passed the package
// checks, approve them (publishing them to the course centre), reject them with reasons, and take
// live courses down with reasons.
import type { FastifyInstance } from 'fastify'
import { actorOf } from '../workflow/actor.js'

const idParams = { type: 'object', properties: { courseId: { type: 'string', maxLength: 80 } }, required: ['courseId'] } as const
const reasonsBody = {
  type: 'object',
  required: ['reasons'],
  additionalProperties: false,
  properties: { reasons: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 4000 }, minItems: 1, maxItems: 50 } },
} as const

export default async function courseReviewRoutes(app: FastifyInstance) {
  const centre = app.courseCentre
  const tags = ['course-review']

  app.get('/api/v1/course-review', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Course versions waiting for review, oldest first', querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, providerId: { type: 'string', maxLength: 80 } } } },
  }, async (request) => {
    const q = request.query as { limit?: number; providerId?: string }
    return { items: await centre.pending(q) }
  })

  app.post('/api/v1/course-review/:courseId/approve', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Approve a pending course version: it goes live, replacing the live version (R13)', params: idParams },
  }, async (request) => centre.approve((request.params as { courseId: string }).courseId, actorOf(request).id))

  app.post('/api/v1/course-review/:courseId/reject', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Reject a pending course version with reasons (R14)', params: idParams, body: reasonsBody },
  }, async (request) => centre.reject((request.params as { courseId: string }).courseId, actorOf(request).id, (request.body as { reasons: string[] }).reasons))

  app.post('/api/v1/courses/:courseId/takedown', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Take a live course down with reasons (R14)', params: idParams, body: reasonsBody },
  }, async (request) => centre.takedown((request.params as { courseId: string }).courseId, actorOf(request).id, (request.body as { reasons: string[] }).reasons))
}
