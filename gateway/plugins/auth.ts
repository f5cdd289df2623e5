// Authentication and the route guard. Every route must declare `config.roles`; a route without it
// is refused at registration, so no route can be unguarded by omission (gateway/app.test.ts also
// walks every registered route). Reviewers and admins present bearer tokens (stored hashed);
// providers sign requests with the specification's scheme, replay-protected through the database;
// the signed body bytes are kept by plugins/raw-json-body.ts.
// Authentication comes before the body (R7, issue 16): on a route that needs a login, a request
// without credentials is refused with 401 in onRequest, before its body is read, parsed or
// validated, and a bearer token is verified there too. A signature covers the body bytes, so it is
// verified in preValidation: after parsing, still before schema validation. The calls that must be
// signed are listed in specs/signing/gateway-calls.json (the one source of truth); a bearer token
// or no credentials on one of them is 401 SG_ERR_SIGNATURE_REQUIRED.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { verifyRequest } from '../../conformance/signing/index.js'
import { sgError } from '../../specs/lib/errors.js'
import { loadSignedCalls, signedCallKey } from '../../specs/lib/signed-calls.js'
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
  interface FastifyContextConfig {
    roles?: readonly Role[]
    /** Set at registration from specs/signing/gateway-calls.json: only a signed request may call this route. */
    signed?: boolean
  }
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
    guardedRoutes: { method: string; url: string; roles: readonly Role[]; signed: boolean }[]
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

const SIGNATURE_HEADERS = ['x-sg-key-id', 'x-sg-timestamp', 'x-sg-nonce', 'x-sg-signature-algorithm', 'x-sg-signature'] as const
/** The provider's signing headers are present (a signature attempt, verified once the body is read). */
const hasSignature = (request: FastifyRequest): boolean => request.headers['x-sg-key-id'] !== undefined

export default fp(async function authPlugin(app: FastifyInstance, opts: { store: Store; publicPrefixes?: string[]; signedCallsFile?: string }) {
  const keys: { resolver: ProviderKeyResolver } = { resolver: async () => undefined }
  app.decorate('setProviderKeyResolver', (resolver: ProviderKeyResolver) => { keys.resolver = resolver })
  app.decorateRequest('identity', null)
  app.decorate('guardedRoutes', [])
  const signedCalls = new Map(loadSignedCalls(opts.signedCallsFile).map((c) => [signedCallKey(c.method, c.path), c]))

  app.addHook('onRoute', (route) => {
    // Third-party plugins (swagger-ui) cannot declare roles; their prefixes are listed in app.ts.
    if (!route.config?.roles && opts.publicPrefixes?.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...route.config, roles: ['public'] }
    }
    const roles = route.config?.roles
    if (!roles || roles.length === 0) throw new Error(`route ${String(route.method)} ${route.url} declares no roles (config.roles)`)
    for (const r of roles) if (!ROLES.includes(r)) throw new Error(`route ${route.url}: unknown role ${r}`)
    const methods = [route.method].flat().map(String)
    const signed = methods.some((m) => signedCalls.has(signedCallKey(m, route.url)))
    if (signed && (roles.includes('public') || methods.length !== 1)) throw new Error(`route ${route.url}: a signed call must be a single-method provider route`)
    if (signed) route.config = { ...route.config, signed: true }
    route.onRequest = [...[route.onRequest ?? []].flat(), authOnRequest]
    for (const method of methods) app.guardedRoutes.push({ method, url: route.url, roles, signed })
  })
  // A call the specification lists as signed that this gateway does not serve: the list and the
  // routes disagree, so the gateway does not start (R7: one published specification).
  app.addHook('onReady', async () => {
    const served = new Set(app.guardedRoutes.filter((r) => r.signed).map((r) => signedCallKey(r.method, r.url)))
    const missing = [...signedCalls.keys()].filter((k) => !served.has(k))
    if (missing.length > 0) throw new Error(`specs/signing/gateway-calls.json lists calls this gateway does not serve: ${missing.join(', ')}`)
  })

  /** Records the identity and returns the refusal, if any, for a route allowing `roles`. */
  const admit = (request: FastifyRequest, roles: readonly Role[], identity: Identity | null): Error | undefined => {
    request.identity = identity
    if (roles.includes('public')) return undefined
    if (!identity) return sgError('SG_ERR_AUTH_REQUIRED')
    if (request.routeOptions.config.signed && identity.via !== 'signature') return signatureRequired(request)
    // An admin may do what a reviewer may; nobody else inherits.
    const allowed = roles.includes(identity.role) || (identity.role === 'admin' && roles.includes('reviewer'))
    return allowed ? undefined : sgError('SG_ERR_FORBIDDEN', `this route allows ${roles.join(', ')}; you are ${identity.role}`)
  }
  const signatureRequired = (request: FastifyRequest): Error =>
    sgError('SG_ERR_SIGNATURE_REQUIRED', `${request.method} ${request.routeOptions.url ?? ''} is listed in specs/signing/gateway-calls.json`)
  /** Requests whose identity is settled (admitted or refused) before the body is read. */
  const settled = new WeakSet<FastifyRequest>()

  // Before the body: anonymous callers of a login route get 401 here, and bearer tokens are
  // verified (synchronously for a recently verified token: no promise, no query). Signed requests
  // wait for preValidation, where the body bytes the signature covers have been read. A route-level
  // hook, added after the rate limiter's (app.ts registers @fastify/rate-limit first), so a flood of
  // unknown tokens meets 429 before it costs a query.
  const authOnRequest: onRequestHookHandler = (request, _reply, done) => {
    const { roles, signed } = request.routeOptions.config
    if (!roles || roles.includes('public')) return done()
    if (hasSignature(request)) {
      // Step 1 of the verification order needs no body: a half-signed request is refused at once.
      const missing = SIGNATURE_HEADERS.filter((h) => request.headers[h] === undefined)
      if (missing.length === 0) return done()
      settled.add(request)
      return done(sgError('SG_ERR_SIG_MISSING', missing.join(', ')))
    }
    settled.add(request)
    const auth = request.headers.authorization
    if (!auth?.startsWith('Bearer ')) return done(signed ? signatureRequired(request) : sgError('SG_ERR_AUTH_REQUIRED'))
    if (signed) return done(signatureRequired(request))
    const cached = opts.store.apiTokens.cached(auth.slice(7).trim())
    if (cached) return done(admit(request, roles, bearerIdentity(cached)))
    authenticate(request, opts.store, keys).then((identity) => done(admit(request, roles, identity)), done)
  }

  // After parsing, before schema validation: signatures, and optional identities on public routes.
  app.addHook('preValidation', (request, _reply, done) => {
    const roles = request.routeOptions.config.roles
    if (!roles || settled.has(request)) return done() // the 404 handler, or settled in onRequest
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
