// Builds the canonical request and string-to-sign of SG-SIGNATURE-V1. Path and query are taken
// from the raw request-target (never re-parsed by WHATWG URL, which would resolve dot segments and
// re-escape characters), so signer and verifier canonicalise the same bytes that crossed the wire.
import { createHash, createHmac } from 'node:crypto'
import { HMAC_DIGEST, SIGNATURE_SCHEME } from './scheme.js'
import type { SignatureAlgorithm } from './scheme.js'

export type HeaderBag = Record<string, string | readonly string[] | number | undefined>
export type BodyInput = string | Uint8Array | undefined | null

export interface CanonicalInput {
  method: string
  /** A full URL (`https://host/path?q`) or a request-target (`/path?q`, then `headers.host` is required). */
  url: string | URL
  headers?: HeaderBag | undefined
  body?: BodyInput
  /**
   * Lower-case hex SHA-256 of a body that is streamed rather than held (package uploads); wins over
   * `body`. The receiver must then check the streamed bytes against it before using them.
   */
  bodySha256?: string | undefined
}

export interface CanonicalMeta {
  keyId: string
  timestamp: string | number
  nonce: string
}

const HEX = '0123456789ABCDEF'
const isUnreserved = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1

/** Raw text → bytes: valid `%XX` triplets become their byte, everything else its UTF-8 bytes. */
function percentDecodeToBytes(raw: string): Buffer {
  const src = Buffer.from(raw, 'utf8')
  const out = Buffer.allocUnsafe(src.length)
  let n = 0
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!
    if (b === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]!)
      const lo = hexValue(src[i + 2]!)
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo
        i += 2
        continue
      }
    }
    out[n++] = b
  }
  return out.subarray(0, n)
}

function percentEncodeBytes(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += isUnreserved(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`
  return s
}

/** RFC 3986 normalisation of one component: decode, then encode every byte that is not unreserved. */
export const normalisePercentEncoding = (raw: string): string => percentEncodeBytes(percentDecodeToBytes(raw))

/** Each `/`-separated segment normalised; an encoded `%2F` stays inside its segment. */
export function canonicalPath(rawPath: string): string {
  if (rawPath === '') return '/'
  return rawPath.split('/').map(normalisePercentEncoding).join('/')
}

/** `+` is a literal plus (RFC 3986), not a space; empty `&&` pairs are dropped; sort is by encoded key, then value. */
export function canonicalQuery(rawQuery: string): string {
  const pairs: Array<[string, string]> = []
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const k = eq < 0 ? part : part.slice(0, eq)
    const v = eq < 0 ? '' : part.slice(eq + 1)
    pairs.push([normalisePercentEncoding(k), normalisePercentEncoding(v)])
  }
  // Encoded strings are pure ASCII, so code-unit order equals byte order in every language.
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** Lower-cased; `:80` and `:443` dropped whatever the scheme, because a verifier behind TLS termination cannot know it. */
export function canonicalHost(host: string): string {
  const h = host.trim().toLowerCase()
  return h.replace(/:(80|443)$/, '')
}

export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined
  const wanted = name.toLowerCase()
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue
    if (typeof v === 'number') return String(v)
    if (typeof v === 'string') return v
    return v.length === 1 ? v[0] : v.join(', ')
  }
  return undefined
}

interface Target { authority: string | undefined; path: string; query: string }

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//

function splitTarget(url: string): Target {
  let rest = url
  let authority: string | undefined
  if (ABSOLUTE.test(url)) {
    // WHATWG gives the host as the client will send it (IDN → punycode, default port per scheme dropped).
    authority = new URL(url).host
    rest = url.slice(url.indexOf('://') + 3)
    const end = rest.search(/[/?#]/)
    rest = end < 0 ? '' : rest.slice(end)
  }
  const hash = rest.indexOf('#')
  if (hash >= 0) rest = rest.slice(0, hash)
  const q = rest.indexOf('?')
  return { authority, path: q < 0 ? rest : rest.slice(0, q), query: q < 0 ? '' : rest.slice(q + 1) }
}

export function bodyBytes(body: BodyInput): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0)
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')

export interface CanonicalParts {
  method: string
  path: string
  query: string
  host: string
  timestamp: string
  nonce: string
  keyId: string
  bodySha256: string
}

/** The eight canonical fields; an explicit `host` header wins over the URL's authority. */
export function canonicalParts(input: CanonicalInput, meta: CanonicalMeta): CanonicalParts {
  const target = splitTarget(typeof input.url === 'string' ? input.url : input.url.href)
  const host = headerValue(input.headers, 'host') ?? target.authority
  if (host === undefined || host === '') {
    throw new TypeError('canonical request needs a host: pass a full URL or a host header')
  }
  return {
    method: input.method.toUpperCase(),
    path: canonicalPath(target.path),
    query: canonicalQuery(target.query),
    host: canonicalHost(host),
    timestamp: String(meta.timestamp),
    nonce: meta.nonce,
    keyId: meta.keyId,
    bodySha256: input.bodySha256 ?? sha256Hex(bodyBytes(input.body)),
  }
}

export function canonicalRequest(input: CanonicalInput, meta: CanonicalMeta): string {
  const p = canonicalParts(input, meta)
  return [p.method, p.path, p.query, p.host, p.timestamp, p.nonce, p.keyId, p.bodySha256].join('\n')
}

/** Binding the algorithm name into what is MACed stops a downgrade from SM3 to SHA-256 or back. */
export const stringToSign = (algorithm: SignatureAlgorithm, canonical: string): string =>
  [SIGNATURE_SCHEME, algorithm, sha256Hex(Buffer.from(canonical, 'utf8'))].join('\n')

export function computeMac(algorithm: SignatureAlgorithm, secret: string, toSign: string): Buffer {
  return createHmac(HMAC_DIGEST[algorithm], Buffer.from(secret, 'utf8')).update(toSign, 'utf8').digest()
}
