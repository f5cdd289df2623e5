// Server side of SG-SIGNATURE-V1. The order of checks is part of the spec (README §4): cheap syntax
// first, the MAC before the nonce store, so a forged request can neither probe nor burn nonces.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { sgError } from '../../specs/lib/errors.js'
import { canonicalRequest, computeMac, headerValue, stringToSign } from './canonical.js'
import type { BodyInput, HeaderBag } from './canonical.js'
import type { NonceStore } from './nonce-store.js'
import {
  BASE64_PATTERN,
  DEFAULT_WINDOW_SECONDS,
  isSignatureAlgorithm,
  KEY_ID_PATTERN,
  MAC_BYTES,
  NONCE_PATTERN,
  SIGNATURE_HEADERS,
  SUPPORTED_ALGORITHMS,
  TIMESTAMP_PATTERN,
} from './scheme.js'
import type { SignatureAlgorithm } from './scheme.js'
import { readClock } from './sign.js'
import type { Clock } from './sign.js'

const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//

export interface VerifyInput {
  method: string
  /** Full URL, or the raw request-target with `headers.host`. */
  url: string | URL
  headers: HeaderBag
  body?: BodyInput
  /** See CanonicalInput.bodySha256: the declared digest of a streamed body, verified by the caller. */
  bodySha256?: string | undefined
}

export interface VerifyOptions {
  lookupSecret(keyId: string): Promise<string | undefined> | string | undefined
  nonceStore: NonceStore
  now?: Clock
  windowSeconds?: number
  /** Subset of algorithms this receiver accepts; defaults to all this Node build supports. */
  algorithms?: readonly SignatureAlgorithm[]
}

export interface VerifiedRequest {
  keyId: string
  algorithm: SignatureAlgorithm
  timestamp: number
  nonce: string
}

function singleHeader(headers: HeaderBag, name: string): string | undefined | 'duplicate' {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name.toLowerCase() || v === undefined) continue
    if (Array.isArray(v)) return v.length === 1 ? (v[0] as string) : 'duplicate'
    return String(v)
  }
  return undefined
}

/** Throws an sgError (SG_ERR_SIG_*) or resolves with who signed. */
export async function verifyRequest(req: VerifyInput, opts: VerifyOptions): Promise<VerifiedRequest> {
  const raw: Partial<Record<keyof typeof SIGNATURE_HEADERS, string>> = {}
  const missing: string[] = []
  const duplicated: string[] = []
  for (const [field, name] of Object.entries(SIGNATURE_HEADERS) as Array<[keyof typeof SIGNATURE_HEADERS, string]>) {
    const v = singleHeader(req.headers, name)
    if (v === undefined || v === '') missing.push(name)
    else if (v === 'duplicate') duplicated.push(name)
    else raw[field] = v
  }
  if (missing.length > 0) throw sgError('SG_ERR_SIG_MISSING', `missing: ${missing.join(', ')}`, { missing })
  if (duplicated.length > 0) throw sgError('SG_ERR_SIG_MALFORMED', `sent more than once: ${duplicated.join(', ')}`, { header: duplicated[0] })
  const { keyId, timestamp, nonce, algorithm, signature } = raw as Required<typeof raw>
  const url = typeof req.url === 'string' ? req.url : req.url.href
  if (!headerValue(req.headers, 'host') && !ABSOLUTE_URL.test(url)) {
    throw sgError('SG_ERR_SIG_MISSING', 'the Host header is missing, so the canonical host cannot be built', { missing: ['Host'] })
  }

  if (!KEY_ID_PATTERN.test(keyId)) throw sgError('SG_ERR_SIG_MALFORMED', `${SIGNATURE_HEADERS.keyId} must be 1–128 visible ASCII characters`, { header: SIGNATURE_HEADERS.keyId })
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    throw sgError('SG_ERR_SIG_MALFORMED', `${SIGNATURE_HEADERS.timestamp} "${timestamp.slice(0, 40)}" is not Unix seconds as a decimal integer`, { header: SIGNATURE_HEADERS.timestamp })
  }
  if (!NONCE_PATTERN.test(nonce)) throw sgError('SG_ERR_SIG_MALFORMED', `${SIGNATURE_HEADERS.nonce} must be 16–64 characters of [A-Za-z0-9_-]`, { header: SIGNATURE_HEADERS.nonce })
  if (!BASE64_PATTERN.test(signature)) throw sgError('SG_ERR_SIG_MALFORMED', `${SIGNATURE_HEADERS.signature} is not standard padded base64`, { header: SIGNATURE_HEADERS.signature })

  const accepted = (opts.algorithms ?? SUPPORTED_ALGORITHMS).filter((a) => SUPPORTED_ALGORITHMS.includes(a))
  if (!isSignatureAlgorithm(algorithm) || !accepted.includes(algorithm)) {
    throw sgError('SG_ERR_SIG_ALGORITHM', `"${algorithm.slice(0, 40)}" is not accepted; accepted: ${accepted.join(', ')}`, { accepted })
  }

  const secret = await opts.lookupSecret(keyId)
  if (secret === undefined) throw sgError('SG_ERR_SIG_UNKNOWN_KEY', `key id "${keyId}" is not active here`)

  const windowSeconds = opts.windowSeconds ?? DEFAULT_WINDOW_SECONDS
  const nowMs = readClock(opts.now)
  const serverSeconds = Math.floor(nowMs / 1000)
  const requestSeconds = Number(timestamp)
  const skew = requestSeconds - serverSeconds
  if (Math.abs(skew) > windowSeconds) {
    const hint = requestSeconds > 1e11 ? ' (looks like milliseconds; send seconds)' : ''
    throw sgError('SG_ERR_SIG_STALE', `request time ${requestSeconds} is ${skew} s from server time ${serverSeconds}; allowed ±${windowSeconds} s${hint}`, {
      serverTime: serverSeconds,
      requestTime: requestSeconds,
      skewSeconds: skew,
      windowSeconds,
    })
  }

  const canonical = canonicalRequest(req, { keyId, timestamp, nonce })
  const toSign = stringToSign(algorithm, canonical)
  const expected = computeMac(algorithm, secret, toSign)
  const given = Buffer.from(signature, 'base64')
  // Length is not secret (both MACs are 32 bytes); timingSafeEqual needs equal lengths.
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) {
    const why = given.length !== MAC_BYTES ? `signature decodes to ${given.length} bytes, expected ${MAC_BYTES}` : 'MAC differs'
    throw sgError('SG_ERR_SIG_MISMATCH', why, { canonicalRequest: canonical, stringToSign: toSign })
  }

  // Remembered until the timestamp itself goes stale; after that the window check rejects it anyway.
  const fresh = await opts.nonceStore.checkAndStore(keyId, nonce, (requestSeconds + windowSeconds) * 1000 + 999)
  if (!fresh) throw sgError('SG_ERR_SIG_REPLAY', `nonce "${nonce}" was already used with key "${keyId}"`)

  return { keyId, algorithm, timestamp: requestSeconds, nonce }
}

export interface NodeRequestLike {
  method?: string | undefined
  url?: string | undefined
  headers: IncomingHttpHeaders
}

/**
 * For any Node HTTP server (Fastify: pass `request.raw` and the body as a Buffer, e.g. from a
 * `addContentTypeParser('*', { parseAs: 'buffer' })`). The body must be the bytes as received.
 */
export function verifyNodeRequest(rawReq: NodeRequestLike, rawBody: Buffer | Uint8Array | string | undefined, opts: VerifyOptions): Promise<VerifiedRequest> {
  return verifyRequest({ method: rawReq.method ?? 'GET', url: rawReq.url ?? '/', headers: rawReq.headers, body: rawBody }, opts)
}
