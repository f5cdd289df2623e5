// A reproduce command for a SIGNED request that runs as written (issue 18). A signature cannot be
// pasted from a report: it binds a timestamp and a one-time nonce, and the report never holds the
// secret. So the command recomputes SG-SIGNATURE-V1 in the shell (specs/signing/README.md):
//   canonical   = METHOD \n path \n query \n host \n timestamp \n nonce \n keyId \n sha256(body)
//   stringToSign = SG-SIGNATURE-V1 \n HMAC-SHA256 \n sha256hex(canonical)
//   signature    = base64(HMAC-SHA256(secret, stringToSign))
// with `openssl` and the secret read from an environment variable ($SKILLGATE_SECRET by default).
// Everything request-specific (path, query, host, key id, body digest) is computed here by the same
// canonicalisation the kit signs with, so only the clock, the nonce and the MAC happen in the shell.
// Tenant tokens appear as $VARIABLE too; no secret value is ever written.
import { createHash } from 'node:crypto'
import { canonicalParts } from '../signing/canonical.js'
import { SIGNATURE_HEADERS, SIGNATURE_SCHEME } from '../signing/scheme.js'
import type { EvidenceRequest } from './evidence.js'
import { REDACTED } from './scrub.js'

export const DEFAULT_SECRET_VAR = 'SKILLGATE_SECRET'
/** The same variable to-curl.ts names for a redacted tenant token. */
export const DEFAULT_TOKEN_VAR = 'SG_TENANT_TOKEN'

const SIGNATURE_NAMES = new Set(Object.values(SIGNATURE_HEADERS).map((h) => h.toLowerCase()))

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

export const isSignedRequest = (request: EvidenceRequest): boolean =>
  Object.keys(request.headers).some((h) => h.toLowerCase() === SIGNATURE_HEADERS.signature.toLowerCase())

const header = (request: EvidenceRequest, name: string): string | undefined =>
  Object.entries(request.headers).find(([h]) => h.toLowerCase() === name.toLowerCase())?.[1]

export interface SignedCurlOptions {
  secretVar?: string
  tokenVar?: string
  maxTimeSeconds?: number
}

/**
 * A shell snippet that signs and sends `request` afresh; undefined when the report lacks what it
 * needs (a truncated body, a redacted URL, an algorithm openssl cannot compute here).
 */
export function signedCurl(request: EvidenceRequest, o: SignedCurlOptions = {}): string | undefined {
  const keyId = header(request, SIGNATURE_HEADERS.keyId)
  const algorithm = header(request, SIGNATURE_HEADERS.algorithm) ?? 'HMAC-SHA256'
  if (!keyId || algorithm !== 'HMAC-SHA256' || request.bodyTruncated || request.url.includes(encodeURIComponent(REDACTED)) || request.url.includes(REDACTED)) return undefined
  const body = request.bodyExcerpt === undefined ? undefined : Buffer.from(request.bodyExcerpt, 'utf8')
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([h]) => h.toLowerCase() === 'host'))
  const p = canonicalParts({ method: request.method, url: request.url, headers, ...(body ? { body } : {}) }, { keyId, timestamp: '0', nonce: 'x'.repeat(16) })
  const bodySha = createHash('sha256').update(body ?? Buffer.alloc(0)).digest('hex')
  const secretVar = o.secretVar ?? DEFAULT_SECRET_VAR
  const tokenVar = o.tokenVar ?? DEFAULT_TOKEN_VAR
  const lines = [
    `# Signed request (${SIGNATURE_SCHEME}): set ${secretVar}${header(request, 'authorization') ? ` and ${tokenVar}` : ''} in the environment first; needs openssl.`,
    'ts=$(date +%s); nonce=$(openssl rand -hex 16)',
    `canonical=$(printf '%s\\n%s\\n%s\\n%s\\n%s\\n%s\\n%s\\n%s' ${[p.method, p.path, p.query, p.host].map(sq).join(' ')} "$ts" "$nonce" ${sq(keyId)} ${sq(bodySha)})`,
    `sig=$(printf '%s\\n%s\\n%s' ${sq(SIGNATURE_SCHEME)} ${sq(algorithm)} "$(printf '%s' "$canonical" | openssl dgst -sha256 -r | cut -d' ' -f1)" | openssl dgst -sha256 -hmac "$${secretVar}" -binary | base64)`,
  ]
  const curl = ['curl', '-sS', '-i']
  if (o.maxTimeSeconds !== undefined) curl.push('--max-time', String(o.maxTimeSeconds))
  if (request.method !== 'GET') curl.push('-X', request.method)
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase()
    if (lower === 'content-length' || lower === 'host' || SIGNATURE_NAMES.has(lower)) continue
    if (lower === 'accept-encoding') { curl.push('--compressed'); continue }
    if (lower === 'authorization') { curl.push('-H', `"${name}: Bearer $${tokenVar}"`); continue }
    if (value.includes(REDACTED)) return undefined
    curl.push('-H', sq(`${name}: ${value}`))
  }
  curl.push('-H', sq(`${SIGNATURE_HEADERS.keyId}: ${keyId}`), '-H', `"${SIGNATURE_HEADERS.timestamp}: $ts"`, '-H', `"${SIGNATURE_HEADERS.nonce}: $nonce"`,
    '-H', sq(`${SIGNATURE_HEADERS.algorithm}: ${algorithm}`), '-H', `"${SIGNATURE_HEADERS.signature}: $sig"`)
  if (body !== undefined) curl.push('--data-binary', sq(request.bodyExcerpt!))
  curl.push(sq(request.url))
  return [...lines, curl.join(' ')].join('\n')
}
