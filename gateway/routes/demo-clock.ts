// Demo only (config.demo): an admin may move the workflow clock forward, so the README walk-through
// can reach the end of a 5-working-day publicity period (R11) in minutes. Never registered
// otherwise: on a real gateway the route does not exist.
import type { FastifyInstance } from 'fastify'

const DAY_MS = 86_400_000

export default async function demoClockRoutes(app: FastifyInstance) {
  let offsetMs = 0
  app.post<{ Body: { advanceDays: number } }>('/api/v1/demo/clock', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['demo'],
      summary: 'Demo only: move the workflow clock forward by whole days',
      body: { type: 'object', properties: { advanceDays: { type: 'integer', minimum: 1, maximum: 60 } }, required: ['advanceDays'], additionalProperties: false },
    },
  }, async (request) => {
    offsetMs += request.body.advanceDays * DAY_MS
    app.workflow.setClock(() => Date.now() + offsetMs)
    return { now: new Date(app.workflow.now()).toISOString(), offsetDays: offsetMs / DAY_MS }
  })
}
