// A failed HTTP check carries a command a provider engineer can paste to see the same response.
// Evidence is already scrubbed, so credentials never appear: a signed request becomes a shell
// snippet that signs afresh from $SKILLGATE_SECRET (signed-curl.ts), a tenant token is
// $SKILLGATE_TENANT_TOKEN; only what the report cannot rebuild (a truncated body) is left as a
// placeholder naming `skillgate reproduce`.
import type { Evidence } from './evidence.js'
import { REDACTED } from './scrub.js'
import { isSignedRequest, signedCurl } from './signed-curl.js'

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** The variable a reader exports to fill a redacted credential: never the value itself. */
export const curlVariable = (name: string): string => (name.toLowerCase() === 'authorization' ? 'SG_TENANT_TOKEN' : `SG_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`)

/** A header part: literal values single-quoted; a redacted credential as "$VAR" (the shell fills it in). */
function headerPart(name: string, value: string): string {
  if (!value.includes(REDACTED)) return shellQuote(`${name}: ${value}`)
  if (name.toLowerCase() === 'x-sg-signature') return shellQuote(`${name}: <signature: replay with skillgate reproduce REPORT.json CHECK_ID --key-id ID --secret-env VAR>`)
  // The kit's only Authorization is a tenant's bearer token (spec: tenantToken security scheme).
  const bearer = name.toLowerCase() === 'authorization' ? 'Bearer ' : ''
  return `"${name}: ${bearer}$${curlVariable(name)}"`
}

/** `curl` command reproducing the evidence's request (headers that the client computes itself are left out). */
export function toCurl(evidence: Evidence, o: { maxTimeSeconds?: number } = {}): string {
  if (isSignedRequest(evidence.request)) {
    const signed = signedCurl(evidence.request, o)
    if (signed !== undefined) return signed
  }
  const { method, url, headers, bodyExcerpt, bodyTruncated } = evidence.request
  const parts = ['curl', '-sS', '-i']
  if (o.maxTimeSeconds !== undefined) parts.push('--max-time', String(o.maxTimeSeconds))
  if (method !== 'GET') parts.push('-X', method)
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (lower === 'content-length' || lower === 'host') continue
    if (lower === 'accept-encoding') {
      parts.push('--compressed')
      continue
    }
    parts.push('-H', headerPart(name, value))
  }
  if (bodyExcerpt !== undefined) {
    parts.push('--data-binary', shellQuote(bodyTruncated ? `${bodyExcerpt}<…truncated>` : bodyExcerpt))
  }
  parts.push(shellQuote(url))
  return parts.join(' ')
}
