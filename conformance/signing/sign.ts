// Client side of SG-SIGNATURE-V1: produces the five X-SG-* headers for one request attempt.
// A fresh nonce and timestamp per call, so a retry is never a replay (SG_ERR_SIG_REPLAY).
import { randomBytes } from 'node:crypto'
import { canonicalRequest, computeMac, stringToSign } from './canonical.js'
import type { BodyInput, HeaderBag } from './canonical.js'
import { KEY_ID_PATTERN, NONCE_PATTERN, SIGNATURE_HEADERS, SUPPORTED_ALGORITHMS } from './scheme.js'
import type { SignatureAlgorithm } from './scheme.js'

/** Epoch milliseconds, or a clock returning them (for long-lived signers). */
export type Clock = number | Date | (() => number)

export const readClock = (now: Clock | undefined): number =>
  now === undefined ? Date.now() : typeof now === 'function' ? now() : now instanceof Date ? now.getTime() : now

/** 24 characters of base64url from 18 random bytes (144 bits). */
export const generateNonce = (): string => randomBytes(18).toString('base64url')

export interface SignRequestInput {
  method: string
  url: string | URL
  /** Only `host` is read (when `url` is a bare request-target, or to override the URL's authority). */
  headers?: HeaderBag | undefined
  body?: BodyInput
  keyId: string
  secret: string
  algorithm?: SignatureAlgorithm
  now?: Clock
  nonce?: string
}

export interface SignatureDetails {
  headers: Record<string, string>
  canonicalRequest: string
  stringToSign: string
}

/** Like `signRequest`, and also returns the intermediate strings (for vectors and debugging). */
export function signRequestDetailed(input: SignRequestInput): SignatureDetails {
  const algorithm = input.algorithm ?? 'HMAC-SHA256'
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) throw new TypeError(`${algorithm} is not available in this Node build`)
  if (!KEY_ID_PATTERN.test(input.keyId)) throw new TypeError('keyId must be 1–128 visible ASCII characters')
  const nonce = input.nonce ?? generateNonce()
  if (!NONCE_PATTERN.test(nonce)) throw new TypeError('nonce must be 16–64 characters of [A-Za-z0-9_-]')
  const timestamp = String(Math.floor(readClock(input.now) / 1000))
  const canonical = canonicalRequest(input, { keyId: input.keyId, timestamp, nonce })
  const toSign = stringToSign(algorithm, canonical)
  return {
    canonicalRequest: canonical,
    stringToSign: toSign,
    headers: {
      [SIGNATURE_HEADERS.keyId]: input.keyId,
      [SIGNATURE_HEADERS.timestamp]: timestamp,
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.algorithm]: algorithm,
      [SIGNATURE_HEADERS.signature]: computeMac(algorithm, input.secret, toSign).toString('base64'),
    },
  }
}

/** The headers to add to the request. */
export const signRequest = (input: SignRequestInput): Record<string, string> => signRequestDetailed(input).headers

export interface SignerConfig {
  keyId: string
  secret: string
  algorithm?: SignatureAlgorithm
  now?: Clock
}

export interface SignableRequest {
  method: string
  url: URL
  headers?: HeaderBag | undefined
  body: Uint8Array | undefined
}

export type Signer = (req: SignableRequest) => Record<string, string>

/** The shape the probe client calls once per attempt. */
export function makeSigner(config: SignerConfig): Signer {
  const { keyId, secret, algorithm, now } = config
  return (req) => signRequest({ method: req.method, url: req.url, headers: req.headers, body: req.body, keyId, secret, algorithm, now })
}
