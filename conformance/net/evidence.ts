// The request/response record attached to every probe result and to errors raised after a
// request left the process. Always built through `scrub`, so it is safe to store and publish.
import { StringDecoder } from 'node:string_decoder'
import { scrub } from './scrub.js'

export const EXCERPT_BYTES = 2048

export interface EvidenceRequest {
  method: string
  url: string
  headers: Record<string, string>
  bodyExcerpt?: string
  bodyTruncated?: boolean
}

export interface EvidenceResponse {
  status: number
  headers: Record<string, string | string[]>
  /** First 2 KiB of the decoded body as UTF-8 (a character cut at the boundary is dropped). */
  bodyExcerpt: string
  bodyBytes: number
  truncated: boolean
}

export interface Evidence {
  request: EvidenceRequest
  response?: EvidenceResponse
}

/** UTF-8 text of the first `EXCERPT_BYTES` bytes, never ending in half a character. */
export function excerpt(body: Buffer): { text: string; truncated: boolean } {
  const head = body.subarray(0, EXCERPT_BYTES)
  return { text: new StringDecoder('utf8').write(head), truncated: body.length > EXCERPT_BYTES }
}

export function buildEvidence(
  req: { method: string; url: string; headers: Record<string, string>; body?: Buffer | undefined },
  res: { status: number; headers: Record<string, string | string[] | undefined>; body?: Buffer } | undefined,
  secrets: string[],
): Evidence {
  const request: EvidenceRequest = { method: req.method, url: req.url, headers: { ...req.headers } }
  if (req.body && req.body.length > 0) {
    const e = excerpt(req.body)
    request.bodyExcerpt = e.text
    request.bodyTruncated = e.truncated
  }
  const evidence: Evidence = { request }
  if (res) {
    const headers: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v
    const body = res.body ?? Buffer.alloc(0)
    const e = excerpt(body)
    evidence.response = { status: res.status, headers, bodyExcerpt: e.text, bodyBytes: body.length, truncated: e.truncated }
  }
  return scrub(evidence, secrets)
}
