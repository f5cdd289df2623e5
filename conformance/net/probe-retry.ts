// Attempts against one URL: what a failure means (deadline, TLS, unreachable, or ours) and whether
// it is tried again. Only transport failures and explicit Retry-After answers (429/503) are retried,
// never past the deadline, and a method that may change state only when the caller vouches for it
// (the policy itself is in retry-policy.ts).
import { setTimeout as sleep } from 'node:timers/promises'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { exchangeOnce, isLocalFailure, type Exchange, type RequestContext } from './probe-exchange.js'
import type { AttemptRecord, ClientState } from './probe-types.js'
import { backoffDelay, isRetryableStatus, networkErrorCode, parseRetryAfter } from './retry-policy.js'

const TLS_CODES = /^(ERR_TLS_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_)/

export function classifyFailure(err: unknown, ctx: RequestContext, callerSignal: AbortSignal | undefined, url: URL): { error: unknown; retryable: boolean } {
  if (callerSignal?.aborted) return { error: callerSignal.reason ?? err, retryable: false }
  if (isSkillgateError(err) || isLocalFailure(err)) return { error: err, retryable: false }
  const code = (err as { code?: unknown }).code
  if (ctx.signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { error: sgError('SG_ERR_NET_DEADLINE', `${url.origin} did not finish within ${ctx.deadlineMs} ms`, { url: url.toString(), deadlineMs: ctx.deadlineMs }, err), retryable: false }
  }
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return { error: sgError('SG_ERR_NET_TLS', `${url.host}: ${code}`, { url: url.toString(), tlsCode: code }, err), retryable: false }
  }
  const net = networkErrorCode(err)
  const label = net ?? (typeof code === 'string' ? code : (err as Error).message)
  return { error: sgError('SG_ERR_NET_UNREACHABLE', `${url.origin}: ${label}`, { url: url.toString(), netCode: label }, err), retryable: net !== undefined }
}

/** One hop's request, as `hop` sends it on every attempt. */
export interface HopRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body: Buffer | undefined
  sign: boolean
  retryable: boolean
  callerSignal: AbortSignal | undefined
}

/** One hop: attempts with retries against a single URL. */
export async function hop(client: ClientState, ctx: RequestContext, req: HopRequest, attempts: AttemptRecord[]): Promise<Exchange> {
  for (let attempt = 0; ; attempt++) {
    const record: AttemptRecord = { url: req.url.toString() }
    attempts.push(record)
    let wait: number | undefined
    let reason: AttemptRecord['waitReason']
    let result: Exchange | undefined
    let failure: unknown
    try {
      result = await exchangeOnce(client, ctx, req.method, req.url, req.headers, req.body, req.sign)
      record.status = result.status
      const retryAfter = parseRetryAfter(result.headers['retry-after'])
      if (!isRetryableStatus(result.status) || retryAfter === undefined || !req.retryable || attempt >= client.retries || ctx.toFile || ctx.sink) return result
      wait = Math.min(retryAfter, client.retryAfterCap)
      reason = 'retry-after'
    } catch (err) {
      const c = classifyFailure(err, ctx, req.callerSignal, req.url)
      const partial = (err as { partialResponse?: unknown }).partialResponse
      if (partial && c.error instanceof Error) Object.assign(c.error, { partialResponse: partial })
      record.error = isSkillgateError(c.error) ? c.error.code : String(c.error)
      failure = c.error
      if (!c.retryable || !req.retryable || attempt >= client.retries) throw failure
      wait = backoffDelay(attempt, client.backoffBase, client.backoffCap)
      reason = 'backoff'
    }
    if (Date.now() + wait >= ctx.deadlineAt) {
      // Waiting would overrun the deadline: report what we have rather than a deadline error.
      if (result) {
        client.warn(ctx.warnings, { code: 'RETRY_AFTER_BEYOND_DEADLINE', message: `Retry-After asks for ${wait} ms, beyond the deadline; not retried`, url: req.url.toString(), details: { status: result.status } })
        return result
      }
      throw failure
    }
    record.waitMs = wait
    record.waitReason = reason
    client.warn(ctx.warnings, { code: 'RETRY', message: `attempt ${attempt + 1} ${result ? `got ${result.status}` : `failed (${record.error})`}; retrying in ${wait} ms`, url: req.url.toString() })
    try {
      await sleep(wait, undefined, { signal: ctx.signal })
    } catch (err) {
      throw classifyFailure(err, ctx, req.callerSignal, req.url).error
    }
  }
}
