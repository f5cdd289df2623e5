// Evidence leaves the process (reports, logs, curl lines pasted into tickets), so anything that
// authenticates is removed before evidence is built: credential headers by name, credential-like
// query parameters by name, and the literal values of known secrets wherever they appear.

export const REDACTED = '[REDACTED]'

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-sg-signature',
  'x-api-key',
  'x-auth-token',
])

const SECRET_PARAM = /(secret|token|signature|password|passwd|api[-_]?key|access[-_]?key|credential)/i

// Names that match the pattern but carry nothing secret, and help a reader reproduce a request.
const PUBLIC_NAMES = new Set(['x-sg-signature-algorithm'])

export const isSecretHeader = (name: string): boolean => {
  const n = name.toLowerCase()
  return !PUBLIC_NAMES.has(n) && (SECRET_HEADERS.has(n) || SECRET_PARAM.test(n))
}

/** Redact credential-like query values (and any userinfo) in an absolute URL; other strings pass through. */
export function redactUrl(value: string): string {
  if (!/^https?:\/\//i.test(value)) return value
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return value
  }
  let changed = false
  if (url.username || url.password) {
    url.username = ''
    url.password = ''
    changed = true
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) {
      url.searchParams.set(key, REDACTED)
      changed = true
    }
  }
  return changed ? url.toString() : value
}

function replaceLiterals(s: string, secrets: string[]): string {
  let out = s
  for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED)
  return out
}

/** Every form a secret may take in a report or a command line: raw, percent-encoded, base64. */
export function encodedForms(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64')
  return [secret, encodeURIComponent(secret), b64, b64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url')]
}

/**
 * Deep copy of `obj` with secrets removed: values under credential-like keys (headers, fields),
 * credential-like query parameters inside URLs, and every literal occurrence of `secrets`.
 */
export function scrub<T>(obj: T, secrets: string[] = []): T {
  // Longest first, so a secret that contains another is not half-replaced.
  // Raw, percent-encoded and base64 (standard and URL-safe, with and without padding) forms.
  const literals = [...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => encodedForms(s)))].sort((a, b) => b.length - a.length)
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 32) return REDACTED
    if (typeof v === 'string') return replaceLiterals(redactUrl(v), literals)
    if (Buffer.isBuffer(v)) return Buffer.from(replaceLiterals(v.toString('latin1'), literals), 'latin1')
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1))
    if (v instanceof URL) return new URL(walk(v.toString(), depth + 1) as string)
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        out[k] = isSecretHeader(k) && (typeof x === 'string' || typeof x === 'number' || Array.isArray(x)) ? REDACTED : walk(x, depth + 1)
      }
      return out
    }
    return v
  }
  return walk(obj, 0) as T
}
