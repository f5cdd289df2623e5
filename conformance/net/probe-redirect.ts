// One logical request from start to answer: a concurrency permit and a wall-clock deadline for the
// whole of it, its hops (probe-retry.ts), and the redirect policy between them. Same-origin
// redirects are followed (at most 3, re-checked by the SSRF guard); a redirect to another origin
// is reported, never followed. A socket on a non-public address is reported once per host.
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { followAbort } from './abort-link.js'
import { classifyAddress } from './ip-ranges.js'
import { withFailureEvidence } from './probe-evidence.js'
import { firstHeader, type Exchange, type RequestContext } from './probe-exchange.js'
import { classifyFailure, hop } from './probe-retry.js'
import type { AttemptRecord, ClientState, ProbeRequest, ProbeWarning } from './probe-types.js'
import { isIdempotentMethod } from './retry-policy.js'
import { assertUrlAllowed } from './ssrf-guard.js'

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_SAME_ORIGIN_REDIRECTS = 3

export interface RequestOutcome {
  ex: Exchange
  /** The URL of the final exchange, and the method and body it was sent with. */
  url: URL
  method: string
  body: Buffer | undefined
  redirectedTo?: string
  redirects: string[]
  attempts: AttemptRecord[]
  warnings: ProbeWarning[]
  totalMs: number
}

/** In local mode the guard lets a non-public address through; the caller is told, once per host and address. */
function warnIfNonPublic(client: ClientState, warnings: ProbeWarning[], url: URL, ex: Exchange): void {
  const remote = ex.remoteAddress ? classifyAddress(ex.remoteAddress) : undefined
  if (remote && remote.range !== 'public') {
    client.warn(warnings, {
      code: 'SSRF_NON_PUBLIC_ALLOWED',
      message: `${url.host} is served from ${remote.address} (${remote.range}); allowed only in local mode`,
      url: url.toString(),
      details: { address: remote.address, range: remote.range },
    }, `${url.host}|${remote.address}`)
  }
}

export async function runRequest(client: ClientState, r: ProbeRequest, toFile?: { tmpPath: string }): Promise<RequestOutcome> {
  let url = assertUrlAllowed(r.url)
  let method = (r.method ?? 'GET').toUpperCase()
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v
  let body: Buffer | undefined
  if (r.json !== undefined) {
    body = Buffer.from(JSON.stringify(r.json))
    headers['content-type'] ??= 'application/json'
  } else if (r.body !== undefined) {
    body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body)
  }
  const sign = r.sign ?? client.opts.signer !== undefined
  const deadlineMs = r.deadlineMs ?? client.defaultDeadline
  const attempts: AttemptRecord[] = []
  const warnings: ProbeWarning[] = []
  const redirects: string[] = []

  const release = await client.semaphore.acquire()
  const started = Date.now()
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(sgError('SG_ERR_NET_DEADLINE', `${url.origin} did not finish within ${deadlineMs} ms`, { deadlineMs })), deadlineMs)
  const unfollow = followAbort(r.signal, deadline)
  const signal = deadline.signal
  const ctx: RequestContext = { signal, deadlineAt: started + deadlineMs, deadlineMs, maxBody: Math.min(r.maxBodyBytes ?? client.defaultMaxBody, r.bodyInto?.length ?? Infinity), warnings, ...(toFile ? { toFile } : {}), ...(r.sink ? { sink: r.sink } : {}), ...(r.bodyInto ? { into: r.bodyInto } : {}) }
  let ex: Exchange | undefined
  try {
    for (;;) {
      // A body already streamed into a sink cannot be taken back, so a sink is never retried.
      const retryable = (isIdempotentMethod(method) || r.idempotent === true) && !r.sink
      ex = await hop(client, ctx, { method, url, headers, body, sign, retryable, callerSignal: r.signal }, attempts)
      warnIfNonPublic(client, warnings, url, ex)
      const location = firstHeader(ex.headers, 'location')
      if (!REDIRECTS.has(ex.status) || location === undefined) break
      let target: URL
      try {
        target = new URL(location, url)
      } catch {
        break
      }
      if (target.origin !== url.origin) {
        client.warn(warnings, { code: 'CROSS_ORIGIN_REDIRECT', message: `redirect to another origin not followed: ${target.origin}`, url: url.toString(), details: { location: target.toString() } })
        return { ex, url, method, body, redirectedTo: target.toString(), redirects, attempts, warnings, totalMs: Date.now() - started }
      }
      if (redirects.length >= MAX_SAME_ORIGIN_REDIRECTS) {
        throw sgError('SG_ERR_NET_TOO_MANY_REDIRECTS', `more than ${MAX_SAME_ORIGIN_REDIRECTS} redirects from ${r.url.toString()}`, { redirects })
      }
      redirects.push(target.toString())
      // RFC 9110 §15.4: 303 always, and 301/302 after POST in practice, continue as GET without a body.
      if (ex.status === 303 || ((ex.status === 301 || ex.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET'
        body = undefined
        delete headers['content-type']
      }
      url = assertUrlAllowed(target)
    }
    return { ex, url, method, body, redirects, attempts, warnings, totalMs: Date.now() - started }
  } catch (err) {
    const e = isSkillgateError(err) ? err : classifyFailure(err, ctx, r.signal, url).error
    if (!isSkillgateError(e)) throw e
    throw withFailureEvidence(e, err, { method, url, headers, body }, attempts, warnings, client.secrets)
  } finally {
    clearTimeout(timer)
    unfollow()
    release()
  }
}
