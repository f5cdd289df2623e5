// A rate limit keyed by who is acting (a training body, an objector's contact) rather than by
// client address (R11, R19; issue 16). It runs inside the route, after authentication and body
// parsing, on top of the per-address limit every route has (app.ts). Built on @fastify/rate-limit's
// createRateLimit, so it shares the plugin's store; the limit is per gateway instance.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'

export interface IdentityLimiter {
  /** Counts one attempt for `key`; throws SG_ERR_RATE_LIMITED (429, Retry-After) past the limit. */
  consume(request: FastifyRequest, key: string): Promise<void>
  /** The same, as an answer: undefined when allowed, else the seconds to wait. */
  check(request: FastifyRequest, key: string): Promise<number | undefined>
}

export function identityLimiter(app: FastifyInstance, scope: string): IdentityLimiter {
  const { perIdentityMax, perIdentityWindowMs } = app.config.rateLimit
  const keys = new WeakMap<FastifyRequest, string>()
  const limit = app.createRateLimit({ max: perIdentityMax, timeWindow: perIdentityWindowMs, keyGenerator: (req) => `${scope}:${keys.get(req) ?? ''}` })
  const check = async (request: FastifyRequest, key: string): Promise<number | undefined> => {
    keys.set(request, key)
    const r = await limit(request)
    return !r.isAllowed && r.isExceeded ? Math.max(1, r.ttlInSeconds) : undefined
  }
  return {
    check,
    async consume(request, key) {
      const wait = await check(request, key)
      if (wait !== undefined) throw Object.assign(sgError('SG_ERR_RATE_LIMITED', `too many from this ${scope} identity; retry in ${wait} s`), { headers: { 'retry-after': String(wait) } })
    },
  }
}
