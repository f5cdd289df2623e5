// Names and constants of the SG-SIGNATURE-V1 scheme (specs/signing/README.md). Other modules
// (probe client, gateway auth, reference providers) import these instead of spelling header names.
import { getHashes } from 'node:crypto'

export const SIGNATURE_SCHEME = 'SG-SIGNATURE-V1'

export const SIGNATURE_HEADERS = Object.freeze({
  keyId: 'X-SG-Key-Id',
  timestamp: 'X-SG-Timestamp',
  nonce: 'X-SG-Nonce',
  algorithm: 'X-SG-Signature-Algorithm',
  signature: 'X-SG-Signature',
} as const)

export type SignatureHeaderName = (typeof SIGNATURE_HEADERS)[keyof typeof SIGNATURE_HEADERS]

export type SignatureAlgorithm = 'HMAC-SHA256' | 'HMAC-SM3'

/** Node digest name per algorithm; both produce a 32-byte MAC. */
export const HMAC_DIGEST: Readonly<Record<SignatureAlgorithm, string>> = Object.freeze({
  'HMAC-SHA256': 'sha256',
  'HMAC-SM3': 'sm3',
})

export const MAC_BYTES = 32

/** ±300 s: the window both for timestamps and for how long a nonce is remembered. */
export const DEFAULT_WINDOW_SECONDS = 300

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/
// Unix seconds, no sign, no leading zeros, so every instant has exactly one spelling.
export const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,14})$/
// Visible ASCII only: the key id is copied into the canonical request and logs.
export const KEY_ID_PATTERN = /^[\x21-\x7E]{1,128}$/
export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const nodeHashes = new Set(getHashes())

/** Algorithms this Node build can compute (HMAC-SM3 needs an OpenSSL with SM3). */
export const SUPPORTED_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze(
  (Object.keys(HMAC_DIGEST) as SignatureAlgorithm[]).filter((a) => nodeHashes.has(HMAC_DIGEST[a])),
)

export const isSignatureAlgorithm = (v: string): v is SignatureAlgorithm => Object.hasOwn(HMAC_DIGEST, v)
