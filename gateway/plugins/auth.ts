// Authentication and the route guard. Every route must declare `config.roles`; a route without it
// is refused at registration, so no route can be unguarded by omission (gateway/app.test.ts also
// walks every registered route). Reviewers and admins present bearer tokens (stored hashed);
// providers sign requests with the specification's scheme, replay-protected through the database;
// the signed body bytes are kept by plugins/raw-json-body.ts.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { verifyRequest } from '../../conformance/signing/index.js'
import { sgError } from '../../specs/lib/errors.js'
import type { ApiTokenIdentity } from '../store/api-tokens.js'
import type { Store } from '../store/open-store.js'

/** 'training-body': a 参培主体 registered by an admin, whose feedback counts towards R19. */
export type Role = 'public' | 'reviewer' | 'admin' | 'provider' | 'training-body'
export const ROLES: readonly Role[] = ['public', 'reviewer', 'admin', 'provider', 'training-body']

export interface Identity {
  role: Exclude<Role, 'public'>
  /** Token id or signing key id. */
  subject: string
  /** Set for provider identities: every provider route is scoped by it. */
  providerId?: string
  /** Set for training-body identities (R19 feedback is attributed to it). */
  trainingBodyId?: string
  via: 'bearer' | 'signature'
}

/** Looks up a provider signing key: the workflow module registers the real resolver. */
export type ProviderKeyResolver = (keyId: string) => Promise<{ secret: string; providerId: string } | undefined>

declare module 'fastify' {
  interface FastifyContextConfig { roles?: readonly Role[] }
  interface FastifyRequest {
    identity: Identity | null
    /**
     * Set by a route whose body is streamed after authentication (package uploads): the client's
     * declared body digest, which the signature is verified against. That route must compare the
     * streamed bytes with it before using them.
     */
    streamedBodySha256?: string
  }
  interface FastifyInstance {
    setProviderKeyResolver(resolver: ProviderKeyResolver): void
    /** Every route registered after this plugin, with the roles it declared (the route-guard test walks it). */
    guardedRoutes: { method: string; url: string; roles: readonly Role[] }[]
    requireProvider(request: FastifyRequest): { providerId: string }
  }
}

const bearerIdentity = (found: ApiTokenIdentity): Identity =>
  ({ role: found.role, subject: found.id, via: 'bearer', ...(found.providerId ? { providerId: found.providerId } : {}), ...(found.trainingBodyId ? { trainingBodyId: found.trainingBodyId } : {}) })

async function authenticate(request: FastifyRequest, store: Store, keys: { resolver: ProviderKeyResolver }): Promise<Identity | null> {
  const auth = request.headers.authorization
  if (auth?.startsWith('Bearer ')) {
    const found = await store.apiTokens.verify(auth.slice(7).trim())
    if (!found) throw sgError('SG_ERR_AUTH_REQUIRED', 'the bearer token is unknown or revoked')
    return bearerIdentity(found)
  }
  if (request.headers['x-sg-key-id'] !== undefined) {
    let providerId: string | undefined
    const verified = await verifyRequest(
      { method: request.method, url: request.url, headers: request.headers as Record<string, string>, body: request.rawBody ?? Buffer.alloc(0), bodySha256: request.streamedBodySha256 },
      {
        lookupSecret: async (keyId) => {
          const key = await keys.resolver(keyId)
          providerId = key?.providerId
          return key?.secret
        },
        nonceStore: store.nonces,
      },
    )
    return { role: 'provider', subject: verified.keyId, providerId: providerId!, via: 'signature' }
  }
  return null
}

export default fp(async function authPlugin(app: FastifyInstance, opts: { store: Store; publicPrefixes?: string[] }) {
  const keys: { resolver: ProviderKeyResolver } = { resolver: async () => undefined }
  app.decorate('setProviderKeyResolver', (resolver: ProviderKeyResolver) => { keys.resolver = resolver })
  app.decorateRequest('identity', null)
  app.decorate('guardedRoutes', [])

  app.addHook('onRoute', (route) => {
    // Third-party plugins (swagger-ui) cannot declare roles; their prefixes are listed in app.ts.
    if (!route.config?.roles && opts.publicPrefixes?.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...route.config, roles: ['public'] }
    }
    const roles = route.config?.roles
    if (!roles || roles.length === 0) throw new Error(`route ${String(route.method)} ${route.url} declares no roles (config.roles)`)
    for (const r of roles) if (!ROLES.includes(r)) throw new Error(`route ${route.url}: unknown role ${r}`)
    for (const method of [route.method].flat()) app.guardedRoutes.push({ method: String(method), url: route.url, roles })
  })

  /** Records the identity and returns the refusal, if any, for a route allowing `roles`. */
  const admit = (request: FastifyRequest, roles: readonly Role[], identity: Identity | null): Error | undefined => {
    request.identity = identity
    if (roles.includes('public')) return undefined
    if (!identity) return sgError('SG_ERR_AUTH_REQUIRED')
    // An admin may do what a reviewer may; nobody else inherits.
    const allowed = roles.includes(identity.role) || (identity.role === 'admin' && roles.includes('reviewer'))
    return allowed ? undefined : sgError('SG_ERR_FORBIDDEN', `this route allows ${roles.join(', ')}; you are ${identity.role}`)
  }

  // Callback style with a synchronous path for a recently verified bearer token (the common case
  // for the console): no promise, no microtask, no query. Everything else goes through authenticate.
  app.addHook('preHandler', (request, _reply, done) => {
    const roles = request.routeOptions.config.roles
    if (!roles) return done() // the 404 handler
    const auth = request.headers.authorization
    const cached = auth?.startsWith('Bearer ') ? opts.store.apiTokens.cached(auth.slice(7).trim()) : undefined
    if (cached) return done(admit(request, roles, bearerIdentity(cached)))
    authenticate(request, opts.store, keys).then((identity) => done(admit(request, roles, identity)), done)
  })

  app.decorate('requireProvider', (request: FastifyRequest) => {
    const id = request.identity
    if (!id || id.role !== 'provider' || !id.providerId) throw sgError('SG_ERR_FORBIDDEN', 'only a provider account can do this')
    return { providerId: id.providerId }
  })
}, { name: 'skillgate-auth', dependencies: ['skillgate-raw-json-body'] })
