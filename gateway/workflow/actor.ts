// Turns the authenticated request identity into the workflow's Actor (who goes into the audit log).
import type { FastifyRequest } from 'fastify'
import type { Actor } from './workflow.js'

export function actorOf(request: FastifyRequest): Actor {
  const id = request.identity
  if (!id) return { role: 'public', id: 'public' }
  if (id.role === 'provider') return { role: 'provider', id: `provider:${id.providerId ?? '?'}`, providerId: id.providerId ?? '\u0000' }
  return { role: id.role, id: `${id.role}:${id.subject}` }
}
