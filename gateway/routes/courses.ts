// GET /api/v1/courses: the public course centre over synced and uploaded courses (R13, R16), with
// filters, a Chinese title search and cursor pagination. Only admitted providers' courses (R12) are
// listed; suspended and exited providers' courses, and courses taken down or closed, are not.
import type { FastifyInstance } from 'fastify'
import { listCentreCourses, MAX_COURSE_PAGE } from '../sync/course-centre-query.js'
import type { CourseQuery } from '../sync/course-centre-query.js'

interface Query { category?: string; occupationCode?: string; free?: boolean; providerId?: string; q?: string; cursor?: string; limit?: number }

export default async function courseCentreRoutes(app: FastifyInstance) {
  app.get('/api/v1/courses', {
    config: { roles: ['public'] },
    schema: {
      tags: ['course-centre'],
      summary: 'Course centre: every live course, synced or uploaded (R13, R16)',
      querystring: {
        type: 'object',
        properties: {
          category: { type: 'string', maxLength: 32 },
          occupationCode: { type: 'string', maxLength: 32 },
          free: { type: 'boolean' },
          providerId: { type: 'string', maxLength: 128 },
          q: { type: 'string', maxLength: 100, description: 'Text in the Chinese (or English) title; full-width and case are folded.' },
          cursor: { type: 'string', maxLength: 512 },
          limit: { type: 'integer', minimum: 1, maximum: MAX_COURSE_PAGE, default: 20 },
        },
        additionalProperties: false,
      },
    },
  }, async (request) => {
    const q = request.query as Query
    const query: CourseQuery = {}
    for (const k of ['category', 'occupationCode', 'providerId', 'q', 'cursor'] as const) if (q[k] !== undefined) query[k] = q[k]
    if (q.free !== undefined) query.free = q.free
    if (q.limit !== undefined) query.limit = q.limit
    return listCentreCourses(app.store.db, query)
  })
}
