// One HTTP exchange of the probe client: sign, send on the client's guarded agent within what is
// left of the deadline, and read the body under its cap (after decompression), to memory or to a
// file. Retries (probe-retry.ts) and redirects (probe-redirect.ts) are decided above this.
import { createHash } from 'node:crypto'
import diagnosticsChannel from 'node:diagnostics_channel'
import { createWriteStream } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { sgError } from '../../specs/lib/errors.js'
import { ACCEPT_ENCODING, readLimitedBody } from './body-limit.js'
import { BODY_STOPPED, type ClientState, type ProbeRequest, type ProbeWarning } from './probe-types.js'
import { checkLiteralHost } from './ssrf-guard.js'
import type { GuardDecision, SsrfMode } from './ssrf-guard.js'

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

/** Failures of our own making (a signer bug): never retried, never blamed on the provider's network. */
const localFailures = new WeakSet<Error>()
export const isLocalFailure = (err: unknown): boolean => err instanceof Error && localFailures.has(err)

/** What one exchange produced. */
export interface Exchange {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
  remoteAddress: string | undefined
  sentHeaders: Record<string, string>
  written?: { bytes: number; sha256: string }
  stopped?: boolean
}

/** One logical request (all its attempts and redirects). */
export interface RequestContext {
  signal: AbortSignal
  deadlineAt: number
  deadlineMs: number
  maxBody: number
  warnings: ProbeWarning[]
  toFile?: { tmpPath: string }
  sink?: ProbeRequest['sink']
  into?: Buffer
}

export function flattenHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v
  return out
}

export function firstHeader(h: Record<string, string | string[]>, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * IP-literal hosts: the decision depends only on the host text and the mode, so it is taken once
 * per host (a refusal is not kept: it throws again, with its evidence, on every attempt).
 */
export function literalDecisions(mode: SsrfMode): (hostname: string) => GuardDecision | undefined {
  const decisions = new Map<string, GuardDecision | undefined>()
  return (hostname) => {
    if (decisions.has(hostname)) return decisions.get(hostname)
    const decision = checkLiteralHost(hostname, mode)
    if (decisions.size < 64) decisions.set(hostname, decision)
    return decision
  }
}

export async function exchangeOnce(client: ClientState, ctx: RequestContext, method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, sign: boolean): Promise<Exchange> {
  const literal = client.literalDecision(url.hostname)
  const sentHeaders: Record<string, string> = { 'user-agent': client.userAgent, 'accept-encoding': ACCEPT_ENCODING, ...headers }
  if (sign && client.opts.signer) {
    try {
      Object.assign(sentHeaders, await client.opts.signer({ method, url, headers: { ...sentHeaders }, body }))
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
    pending = client.agent.request({
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
    const out = await readLimitedBody(res.body, { contentEncoding: encoding, maxBytes: ctx.maxBody, signal: ctx.signal, ...(ctx.into ? { into: ctx.into } : {}) })
    return { ...partial, body: out.body }
  } catch (err) {
    res.body.destroy()
    throw Object.assign(err as object, { partialResponse: partial })
  }
}
