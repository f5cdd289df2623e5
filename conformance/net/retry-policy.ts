// When to try again. Only failures that say nothing about the provider's logic are retried:
// transport errors, and 429/503 that explicitly ask for a later retry with Retry-After. A request
// that may have changed state (POST, PATCH) is never replayed unless the caller vouches for it.

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
])

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export const isIdempotentMethod = (method: string): boolean => IDEMPOTENT.has(method.toUpperCase())

/** Walk `cause` chains: undici wraps socket errors. */
export function networkErrorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return code
    if (e instanceof Error && /socket hang up|other side closed/i.test(e.message)) return 'ECONNRESET'
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

export const isRetryableStatus = (status: number): boolean => status === 429 || status === 503

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date. Undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value
  if (v === undefined) return undefined
  const s = v.trim()
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const at = Date.parse(s)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

/** Exponential back-off with full jitter (AWS architecture blog): uniform in [0, base·2^attempt], capped. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt))
}
