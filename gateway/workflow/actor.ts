// Who acts on an application (written to the audit log), and how an authenticated request becomes one.
import type { FastifyRequest } from 'fastify'
import type { ActorRole } from './state-machine.js'

export interface Actor {
  role: ActorRole
  /** Written to the audit log: 'reviewer:<tokenId>', 'provider:<providerId>', 'public', 'system:<job>'. */
  id: string
  /** Set for provider actors: every provider action is scoped to its own applications. */
  providerId?: string
}

export function actorOf(request: FastifyRequest): Actor {
  const id = request.identity
  if (!id) return { role: 'public', id: 'public' }
  if (id.role === 'provider') return { role: 'provider', id: `provider:${id.providerId ?? '?'}`, providerId: id.providerId ?? '\u0000' }
  // A training body has no workflow powers: it acts as the public does, under its own name.
  if (id.role === 'training-body') return { role: 'public', id: `training-body:${id.trainingBodyId ?? '?'}` }
  return { role: id.role, id: `${id.role}:${id.subject}` }
}
