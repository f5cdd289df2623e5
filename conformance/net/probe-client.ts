// The probe client: the only way skillgate calls an untrusted provider platform (CLI and gateway).
// Every request ends, one way or another, within its wall-clock deadline; bodies are bounded after
// decompression; redirects to other origins are reported, never followed; only transport failures
// and explicit Retry-After answers are retried; and the SSRF guard sits in the socket's lookup so
// the connection goes to exactly the address that was checked.
import { createHash } from 'node:crypto'
import diagnosticsChannel from 'node:diagnostics_channel'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import type { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent } from 'undici'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import type { SkillgateError } from '../../specs/lib/errors.js'
import { ACCEPT_ENCODING, readLimitedBody } from './body-limit.js'
import { buildEvidence } from './evidence.js'
import type { Evidence } from './evidence.js'
import { classifyAddress } from './ip-ranges.js'
import { backoffDelay, isIdempotentMethod, isRetryableStatus, networkErrorCode, parseRetryAfter } from './retry-policy.js'
import { Semaphore } from './semaphore.js'
import { assertUrlAllowed, checkLiteralHost, createGuardedLookup, systemResolver } from './ssrf-guard.js'
import type { GuardDecision, Resolver, SsrfMode } from './ssrf-guard.js'

export type Signer = (req: {
  method: string
  url: URL
  headers: Record<string, string>
  body: Buffer | undefined
}) => Record<string, string> | Promise<Record<string, string>>

export type ProbeWarningCode =
  | 'SSRF_NON_PUBLIC_ALLOWED'
  | 'CROSS_ORIGIN_REDIRECT'
  | 'RETRY'
  | 'RETRY_AFTER_BEYOND_DEADLINE'

export interface ProbeWarning {
  code: ProbeWarningCode
  message: string
  url: string
  details?: Record<string, unknown>
}

export interface ProbeClientOptions {
  mode: SsrfMode
  resolver?: Resolver
  /** Wall-clock budget for one `request()` incl. retries, redirects and the body. Default 15 s. */
  deadlineMs?: number
  /** Decoded body limit. Default 8 MiB. */
  maxBodyBytes?: number
  /** Logical requests in flight at once. Default 8. */
  concurrency?: number
  /** Extra attempts after the first. Default 2. */
  retries?: number
  signer?: Signer
  userAgent?: string
  onWarning?: (w: ProbeWarning) => void
  /** Every SSRF decision taken at connect time (one per new connection). */
  onGuardDecision?: (d: GuardDecision) => void
  /** Literal values (keys, tokens) to redact wherever they appear in evidence. */
  secrets?: string[]
  /** Longest Retry-After honoured. Default 10 s. */
  retryAfterCapMs?: number
  backoffBaseMs?: number
  backoffCapMs?: number
  /** TCP+TLS connect budget, never more than the deadline. Default 10 s. */
  connectTimeoutMs?: number
}

export interface ProbeRequest {
  method?: string
  url: string | URL
  headers?: Record<string, string>
  body?: Buffer | string
  /** Serialised as the body with Content-Type application/json. */
  json?: unknown
  /** Call the signer for each attempt. Default: true when the client has a signer. */
  sign?: boolean
  /** 'json' makes a 2xx body that is not JSON an error (SG_ERR_NET_BAD_JSON). */
  expect?: 'json' | 'bytes' | 'text'
  maxBodyBytes?: number
  deadlineMs?: number
  /** Allow retrying a non-idempotent method (POST, PATCH): only when the caller knows it is safe. */
  idempotent?: boolean
  signal?: AbortSignal
  /**
   * Stream a 2xx body instead of buffering it: called with the status and headers once they
   * arrive, it returns where the decoded body goes (still capped by maxBodyBytes and the
   * deadline). The writable may end the transfer early by failing a write with an error whose
   * code is BODY_STOPPED; the response then has `stopped` set. Never retried once streaming.
   */
  sink?: (status: number, headers: Record<string, string | string[]>) => Writable
}

/** The code a streaming sink fails a write with to stop reading the body (not an error). */
export const BODY_STOPPED = 'SG_BODY_STOPPED'

export interface AttemptRecord {
  url: string
  status?: number
  error?: string
  /** Delay before the next attempt, and why. */
  waitMs?: number
  waitReason?: 'backoff' | 'retry-after'
}

export interface ProbeResponse {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
  json?: unknown
  text?: string
  /** The URL that produced this response (after same-origin redirects). */
  url: string
  /** Address of the socket that carried the final exchange. */
  remoteAddress: string | undefined
  timings: { totalMs: number }
  /** Set when the response is a redirect that was not followed (other origin). */
  redirectedTo?: string
  /** A streaming sink stopped reading the body before it ended. */
  stopped?: boolean
  /** Same-origin redirects that were followed, in order. */
  redirects: string[]
  attempts: AttemptRecord[]
  warnings: ProbeWarning[]
  evidence: Evidence
}

export interface DownloadOptions {
  maxBytes: number
  deadlineMs?: number
  headers?: Record<string, string>
  sign?: boolean
}

export interface DownloadResult extends Omit<ProbeResponse, 'body' | 'json' | 'text'> {
  /** Set only when a 2xx body was written completely. */
  path?: string
  bytes: number
  sha256?: string
}

export interface ProbeClient {
  request(req: ProbeRequest): Promise<ProbeResponse>
  download(url: string | URL, destPath: string, o: DownloadOptions): Promise<DownloadResult>
  /** Requests currently holding a concurrency permit. */
  readonly inFlight: number
  close(): Promise<void>
}

// --- which socket carried which request -------------------------------------------------------
// undici does not expose the socket to `request()` callers. Its diagnostics channels do: a Request
// is created synchronously inside `dispatch`, so the tag set just before the call is claimed by
// exactly that Request, and `sendHeaders` later names the socket it went out on.
interface ExchangeTag { remoteAddress?: string }
let pendingTag: ExchangeTag | undefined
const tagByRequest = new WeakMap<object, ExchangeTag>()
diagnosticsChannel.subscribe('undici:request:create', (message) => {
  if (!pendingTag) return
  tagByRequest.set((message as { request: object }).request, pendingTag)
  pendingTag = undefined
})
diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
  const { request, socket } = message as { request: object; socket: { remoteAddress?: string } }
  const tag = tagByRequest.get(request)
  if (tag) tag.remoteAddress = socket.remoteAddress
})

const localFailures = new WeakSet<Error>()

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_SAME_ORIGIN_REDIRECTS = 3
const TLS_CODES = /^(ERR_TLS_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_)/

function flattenHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v
  return out
}

function firstHeader(h: Record<string, string | string[]>, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v[0] : v
}

/** Add evidence to an error raised after the request was built (details is a plain object). */
function annotate(err: SkillgateError, extra: Record<string, unknown>): SkillgateError {
  if (err.details) Object.assign(err.details, extra)
  else return sgError(err.code, err.message, extra, err)
  return err
}

export function createProbeClient(opts: ProbeClientOptions): ProbeClient {
  const mode = opts.mode
  if (mode !== 'local' && mode !== 'deny') throw new TypeError(`mode must be 'local' or 'deny', got ${String(mode)}`)
  const resolver = opts.resolver ?? systemResolver
  const defaultDeadline = opts.deadlineMs ?? 15_000
  const defaultMaxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024
  const retries = opts.retries ?? 2
  const retryAfterCap = opts.retryAfterCapMs ?? 10_000
  const backoffBase = opts.backoffBaseMs ?? 250
  const backoffCap = opts.backoffCapMs ?? 5_000
  const secrets = opts.secrets ?? []
  const userAgent = opts.userAgent ?? 'skillgate-probe/0.1'
  const semaphore = new Semaphore(opts.concurrency ?? 8)
  const warnedHosts = new Set<string>()

  const agent = new Agent({
    connect: {
      lookup: createGuardedLookup({
        mode,
        resolver,
        timeoutMs: Math.min(defaultDeadline, 10_000),
        ...(opts.onGuardDecision ? { onDecision: opts.onGuardDecision } : {}),
      }),
      timeout: Math.min(opts.connectTimeoutMs ?? 10_000, defaultDeadline),
    },
    headersTimeout: defaultDeadline,
    bodyTimeout: defaultDeadline,
    keepAliveTimeout: 4_000,
  })

  function warn(list: ProbeWarning[], w: ProbeWarning, onceKey?: string): void {
    list.push(w)
    if (onceKey !== undefined) {
      if (warnedHosts.has(onceKey)) return
      warnedHosts.add(onceKey)
    }
    opts.onWarning?.(w)
  }

  interface Exchange {
    status: number
    headers: Record<string, string | string[]>
    body: Buffer
    remoteAddress: string | undefined
    sentHeaders: Record<string, string>
    written?: { bytes: number; sha256: string }
    stopped?: boolean
  }

  interface Ctx {
    signal: AbortSignal
    deadlineAt: number
    deadlineMs: number
    maxBody: number
    warnings: ProbeWarning[]
    toFile?: { tmpPath: string }
    sink?: ProbeRequest['sink']
  }

  // IP-literal hosts: the decision depends only on the host text and the mode, so it is taken once
  // per host (a refusal is not kept: it throws again, with its evidence, on every attempt).
  const literalDecisions = new Map<string, GuardDecision | undefined>()
  const literalDecision = (hostname: string): GuardDecision | undefined => {
    if (literalDecisions.has(hostname)) return literalDecisions.get(hostname)
    const decision = checkLiteralHost(hostname, mode)
    if (literalDecisions.size < 64) literalDecisions.set(hostname, decision)
    return decision
  }

  async function exchangeOnce(ctx: Ctx, method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, sign: boolean): Promise<Exchange> {
    const literal = literalDecision(url.hostname)
    const sentHeaders: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': ACCEPT_ENCODING, ...headers }
    if (sign && opts.signer) {
      try {
        Object.assign(sentHeaders, await opts.signer({ method, url, headers: { ...sentHeaders }, body }))
      } catch (err) {
        // A signer bug is ours, not the provider's network: surface it unchanged.
        if (err instanceof Error) localFailures.add(err)
        throw err
      }
    }
    const remaining = Math.max(1, ctx.deadlineAt - Date.now())
    const tag: ExchangeTag = {}
    if (literal) tag.remoteAddress = literal.addresses[0]?.address
    let pending
    pendingTag = tag
    try {
      pending = agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as 'GET',
        headers: sentHeaders,
        body: body ?? null,
        signal: ctx.signal,
        headersTimeout: remaining,
        bodyTimeout: remaining,
      })
    } finally {
      pendingTag = undefined
    }
    const res = await pending
    const resHeaders = flattenHeaders(res.headers)
    const partial = { status: res.statusCode, headers: resHeaders, remoteAddress: tag.remoteAddress, sentHeaders }
    try {
      const encoding = resHeaders['content-encoding']
      const declared = Number(firstHeader(resHeaders, 'content-length'))
      if (!encoding && Number.isFinite(declared) && declared > ctx.maxBody) {
        res.body.destroy()
        throw sgError('SG_ERR_NET_BODY_TOO_LARGE', `Content-Length ${declared} exceeds ${ctx.maxBody} bytes`, { limit: ctx.maxBody })
      }
      if (ctx.sink && res.statusCode >= 200 && res.statusCode < 300) {
        try {
          await readLimitedBody(res.body, { contentEncoding: encoding, maxBytes: ctx.maxBody, sink: ctx.sink(res.statusCode, resHeaders), signal: ctx.signal })
          return { ...partial, body: Buffer.alloc(0) }
        } catch (err) {
          if ((err as { code?: unknown }).code !== BODY_STOPPED) throw err
          res.body.destroy()
          return { ...partial, body: Buffer.alloc(0), stopped: true }
        }
      }
      if (ctx.toFile && res.statusCode >= 200 && res.statusCode < 300) {
        const hash = createHash('sha256')
        const out = await readLimitedBody(res.body, {
          contentEncoding: encoding,
          maxBytes: ctx.maxBody,
          sink: createWriteStream(ctx.toFile.tmpPath),
          signal: ctx.signal,
          onChunk: (c) => hash.update(c),
        })
        return { ...partial, body: Buffer.alloc(0), written: { bytes: out.decodedBytes, sha256: hash.digest('hex') } }
      }
      const out = await readLimitedBody(res.body, { contentEncoding: encoding, maxBytes: ctx.maxBody, signal: ctx.signal })
      return { ...partial, body: out.body }
    } catch (err) {
      res.body.destroy()
      throw Object.assign(err as object, { partialResponse: partial })
    }
  }

  function classifyFailure(err: unknown, ctx: Ctx, callerSignal: AbortSignal | undefined, url: URL): { error: unknown; retryable: boolean } {
    if (callerSignal?.aborted) return { error: callerSignal.reason ?? err, retryable: false }
    if (isSkillgateError(err) || (err instanceof Error && localFailures.has(err))) return { error: err, retryable: false }
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

  /** One hop: attempts with retries against a single URL. */
  async function hop(ctx: Ctx, req: { method: string; url: URL; headers: Record<string, string>; body: Buffer | undefined; sign: boolean; retryable: boolean; callerSignal: AbortSignal | undefined }, attempts: AttemptRecord[]): Promise<Exchange> {
    for (let attempt = 0; ; attempt++) {
      const record: AttemptRecord = { url: req.url.toString() }
      attempts.push(record)
      let wait: number | undefined
      let reason: AttemptRecord['waitReason']
      let result: Exchange | undefined
      let failure: unknown
      try {
        result = await exchangeOnce(ctx, req.method, req.url, req.headers, req.body, req.sign)
        record.status = result.status
        const retryAfter = parseRetryAfter(result.headers['retry-after'])
        if (!isRetryableStatus(result.status) || retryAfter === undefined || !req.retryable || attempt >= retries || ctx.toFile || ctx.sink) return result
        wait = Math.min(retryAfter, retryAfterCap)
        reason = 'retry-after'
      } catch (err) {
        const c = classifyFailure(err, ctx, req.callerSignal, req.url)
        const partial = (err as { partialResponse?: unknown }).partialResponse
        if (partial && c.error instanceof Error) Object.assign(c.error, { partialResponse: partial })
        record.error = isSkillgateError(c.error) ? c.error.code : String(c.error)
        failure = c.error
        if (!c.retryable || !req.retryable || attempt >= retries) throw failure
        wait = backoffDelay(attempt, backoffBase, backoffCap)
        reason = 'backoff'
      }
      if (Date.now() + wait >= ctx.deadlineAt) {
        // Waiting would overrun the deadline: report what we have rather than a deadline error.
        if (result) {
          warn(ctx.warnings, { code: 'RETRY_AFTER_BEYOND_DEADLINE', message: `Retry-After asks for ${wait} ms, beyond the deadline; not retried`, url: req.url.toString(), details: { status: result.status } })
          return result
        }
        throw failure
      }
      record.waitMs = wait
      record.waitReason = reason
      warn(ctx.warnings, { code: 'RETRY', message: `attempt ${attempt + 1} ${result ? `got ${result.status}` : `failed (${record.error})`}; retrying in ${wait} ms`, url: req.url.toString() })
      try {
        await sleep(wait, undefined, { signal: ctx.signal })
      } catch (err) {
        throw classifyFailure(err, ctx, req.callerSignal, req.url).error
      }
    }
  }

  async function run(r: ProbeRequest, toFile?: { tmpPath: string }): Promise<{ ex: Exchange; url: URL; method: string; body: Buffer | undefined; redirectedTo?: string; redirects: string[]; attempts: AttemptRecord[]; warnings: ProbeWarning[]; totalMs: number }> {
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
    const sign = r.sign ?? opts.signer !== undefined
    const deadlineMs = r.deadlineMs ?? defaultDeadline
    const attempts: AttemptRecord[] = []
    const warnings: ProbeWarning[] = []
    const redirects: string[] = []

    const release = await semaphore.acquire()
    const started = Date.now()
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(sgError('SG_ERR_NET_DEADLINE', `${url.origin} did not finish within ${deadlineMs} ms`, { deadlineMs })), deadlineMs)
    const signal = r.signal ? AbortSignal.any([deadline.signal, r.signal]) : deadline.signal
    const ctx: Ctx = { signal, deadlineAt: started + deadlineMs, deadlineMs, maxBody: r.maxBodyBytes ?? defaultMaxBody, warnings, ...(toFile ? { toFile } : {}), ...(r.sink ? { sink: r.sink } : {}) }
    let ex: Exchange | undefined
    try {
      for (;;) {
        // A body already streamed into a sink cannot be taken back, so a sink is never retried.
        const retryable = (isIdempotentMethod(method) || r.idempotent === true) && !r.sink
        ex = await hop(ctx, { method, url, headers, body, sign, retryable, callerSignal: r.signal }, attempts)
        const remote = ex.remoteAddress ? classifyAddress(ex.remoteAddress) : undefined
        if (remote && remote.range !== 'public') {
          warn(warnings, {
            code: 'SSRF_NON_PUBLIC_ALLOWED',
            message: `${url.host} is served from ${remote.address} (${remote.range}); allowed only in local mode`,
            url: url.toString(),
            details: { address: remote.address, range: remote.range },
          }, `${url.host}|${remote.address}`)
        }
        const location = firstHeader(ex.headers, 'location')
        if (!REDIRECTS.has(ex.status) || location === undefined) break
        let target: URL
        try {
          target = new URL(location, url)
        } catch {
          break
        }
        if (target.origin !== url.origin) {
          warn(warnings, { code: 'CROSS_ORIGIN_REDIRECT', message: `redirect to another origin not followed: ${target.origin}`, url: url.toString(), details: { location: target.toString() } })
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
      const partial = (err as { partialResponse?: { status: number; headers: Record<string, string | string[]>; sentHeaders: Record<string, string> } }).partialResponse
      const evidence = buildEvidence({ method, url: url.toString(), headers: partial?.sentHeaders ?? headers, body }, partial ? { status: partial.status, headers: partial.headers } : undefined, secrets)
      throw annotate(e, { url: evidence.request.url, evidence, attempts, warnings })
    } finally {
      clearTimeout(timer)
      release()
    }
  }

  /**
   * Most responses never have their evidence read (a passing check records a few), so it is built,
   * scrubbed, on first access and then kept. Enumerable, so spreads and JSON see it like a field.
   */
  function withLazyEvidence<T extends object>(target: T, build: () => Evidence): T & { evidence: Evidence } {
    let built: Evidence | undefined
    return Object.defineProperty(target, 'evidence', {
      enumerable: true,
      configurable: true,
      get: () => (built ??= build()),
      set: (v: Evidence) => { built = v },
    }) as T & { evidence: Evidence }
  }

  async function request(r: ProbeRequest): Promise<ProbeResponse> {
    const out = await run(r)
    const { ex } = out
    const url = out.url.toString()
    const response: ProbeResponse = withLazyEvidence({
      status: ex.status,
      headers: ex.headers,
      body: ex.body,
      url,
      remoteAddress: ex.remoteAddress,
      timings: { totalMs: out.totalMs },
      redirects: out.redirects,
      attempts: out.attempts,
      warnings: out.warnings,
    }, () => buildEvidence({ method: out.method, url, headers: ex.sentHeaders, body: out.body }, ex, secrets))
    if (out.redirectedTo !== undefined) response.redirectedTo = out.redirectedTo
    if (ex.stopped) response.stopped = true
    const contentType = firstHeader(ex.headers, 'content-type') ?? ''
    if (r.expect === 'text') response.text = ex.body.toString('utf8')
    if (r.expect === 'json' || (r.expect === undefined && /[/+]json\b/i.test(contentType))) {
      try {
        if (ex.body.length > 0) response.json = JSON.parse(ex.body.toString('utf8'))
      } catch (err) {
        if (r.expect === 'json' && ex.status >= 200 && ex.status < 300) {
          const { evidence } = response
          throw sgError('SG_ERR_NET_BAD_JSON', `${url}: ${(err as Error).message}`, { url: evidence.request.url, evidence }, err)
        }
      }
    }
    if (r.expect === 'json' && response.json === undefined && ex.status >= 200 && ex.status < 300 && ex.status !== 204) {
      const { evidence } = response
      throw sgError('SG_ERR_NET_BAD_JSON', `${url}: empty body`, { url: evidence.request.url, evidence })
    }
    return response
  }

  async function download(url: string | URL, destPath: string, o: DownloadOptions): Promise<DownloadResult> {
    const tmpPath = `${destPath}.partial`
    try {
      const out = await run({
        url,
        maxBodyBytes: o.maxBytes,
        ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.sign !== undefined ? { sign: o.sign } : {}),
      }, { tmpPath })
      const { ex } = out
      const finalUrl = out.url.toString()
      const result: DownloadResult = withLazyEvidence({
        status: ex.status,
        headers: ex.headers,
        url: finalUrl,
        remoteAddress: ex.remoteAddress,
        timings: { totalMs: out.totalMs },
        redirects: out.redirects,
        attempts: out.attempts,
        warnings: out.warnings,
        bytes: ex.written?.bytes ?? 0,
      }, () => buildEvidence({ method: 'GET', url: finalUrl, headers: ex.sentHeaders }, ex, secrets))
      if (out.redirectedTo !== undefined) result.redirectedTo = out.redirectedTo
      if (ex.written) {
        await rename(tmpPath, destPath)
        result.path = destPath
        result.sha256 = ex.written.sha256
      }
      return result
    } finally {
      await rm(tmpPath, { force: true })
    }
  }

  return {
    request,
    download,
    get inFlight() {
      return semaphore.inFlight
    },
    async close() {
      await agent.close()
    },
  }
}
