// 参培主体 registry (R19; issue 16): an admin registers a training body and issues its bearer
// tokens (role 'training-body'); only feedback filed with such a token counts towards R19.
import type { FastifyInstance } from 'fastify'
import { TrainingBodies } from '../assessment/training-bodies.js'

const tags = ['training-bodies']
const id = { type: 'object', properties: { id: { type: 'string', maxLength: 128 } }, required: ['id'] } as const
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const

export default async function trainingBodyRoutes(app: FastifyInstance) {
  const bodies = new TrainingBodies(app.store)

  app.post('/api/v1/admin/training-bodies', {
    config: { roles: ['admin'] },
    schema: {
      tags, summary: 'Register a training body (参培主体) and issue its first token, shown once: its feedback counts towards R19',
      body: {
        type: 'object', additionalProperties: false, required: ['name', 'contact'],
        properties: { name: text(200), uscc: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$' }, contact: text(200) },
      },
    },
  }, async (request, reply) => {
    const b = request.body as { name: string; uscc?: string; contact: string }
    void reply.status(201)
    return bodies.create(b, `admin:${request.identity!.subject}`)
  })

  app.get('/api/v1/admin/training-bodies', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Registered training bodies (live and revoked)' },
  }, async () => ({ items: await bodies.list() }))

  app.post('/api/v1/admin/training-bodies/:id/tokens', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Issue a further token to a live training body (shown once)', params: id },
  }, async (request, reply) => {
    void reply.status(201)
    return bodies.issueToken((request.params as { id: string }).id)
  })

  app.post('/api/v1/admin/training-bodies/:id/revoke', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Revoke a training body and every token it holds; its earlier tickets keep counting', params: id },
  }, async (request) => bodies.revoke((request.params as { id: string }).id))
}
