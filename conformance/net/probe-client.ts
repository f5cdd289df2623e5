// The probe client: the only way skillgate calls an untrusted provider platform (CLI and gateway).
// Every request ends, one way or another, within its wall-clock deadline; bodies are bounded after
// decompression; redirects to other origins are reported, never followed; only transport failures
// and explicit Retry-After answers are retried; and the SSRF guard sits in the socket's lookup so
// the connection goes to exactly the address that was checked. The rooms, from the wire up:
// probe-exchange.ts (one exchange), probe-retry.ts (attempts against one URL), probe-redirect.ts
// (one logical request: permit, deadline, redirects) and probe-evidence.ts (what a caller can show).
import { rename, rm } from 'node:fs/promises'
import { Agent } from 'undici'
import { sgError } from '../../specs/lib/errors.js'
import { buildEvidence } from './evidence.js'
import { withLazyEvidence } from './probe-evidence.js'
import { firstHeader, literalDecisions } from './probe-exchange.js'
import { runRequest } from './probe-redirect.js'
import type { ClientState, DownloadOptions, DownloadResult, ProbeClient, ProbeClientOptions, ProbeRequest, ProbeResponse, ProbeWarning } from './probe-types.js'
import { Semaphore } from './semaphore.js'
import { createGuardedLookup, systemResolver } from './ssrf-guard.js'

export type {
  AttemptRecord, DownloadOptions, DownloadResult, ProbeClient, ProbeClientOptions, ProbeRequest, ProbeResponse, ProbeWarning, ProbeWarningCode, Signer,
} from './probe-types.js'
export { BODY_STOPPED } from './probe-types.js'

export function createProbeClient(opts: ProbeClientOptions): ProbeClient {
  const mode = opts.mode
  if (mode !== 'local' && mode !== 'deny') throw new TypeError(`mode must be 'local' or 'deny', got ${String(mode)}`)
  const resolver = opts.resolver ?? systemResolver
  const defaultDeadline = opts.deadlineMs ?? 15_000
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
  const client: ClientState = {
    opts,
    agent,
    defaultDeadline,
    defaultMaxBody: opts.maxBodyBytes ?? 8 * 1024 * 1024,
    retries: opts.retries ?? 2,
    retryAfterCap: opts.retryAfterCapMs ?? 10_000,
    backoffBase: opts.backoffBaseMs ?? 250,
    backoffCap: opts.backoffCapMs ?? 5_000,
    secrets: opts.secrets ?? [],
    userAgent: opts.userAgent ?? 'skillgate-probe/0.1',
    semaphore,
    literalDecision: literalDecisions(mode),
    warn(list: ProbeWarning[], w: ProbeWarning, onceKey?: string): void {
      list.push(w)
      if (onceKey !== undefined) {
        if (warnedHosts.has(onceKey)) return
        warnedHosts.add(onceKey)
      }
      opts.onWarning?.(w)
    },
  }
  return {
    request: (r) => request(client, r),
    download: (url, destPath, o) => download(client, url, destPath, o),
    get inFlight() {
      return semaphore.inFlight
    },
    async close() {
      await agent.close()
    },
  }
}

async function request(client: ClientState, r: ProbeRequest): Promise<ProbeResponse> {
  const out = await runRequest(client, r)
  const { ex } = out
  const url = out.url.toString()
  // The evidence builder keeps only what it reads: a memoized document (every preview of a
  // catalogue) must not keep the whole exchange alive.
  const { method, body: sentBody } = out
  const { sentHeaders, status, headers, body } = ex
  const response: ProbeResponse = withLazyEvidence({
    status,
    headers,
    body,
    url,
    remoteAddress: ex.remoteAddress,
    timings: { totalMs: out.totalMs },
    redirects: out.redirects,
    attempts: out.attempts,
    warnings: out.warnings,
  }, () => buildEvidence({ method, url, headers: sentHeaders, body: sentBody }, { status, headers, body }, client.secrets))
  if (out.redirectedTo !== undefined) response.redirectedTo = out.redirectedTo
  if (ex.stopped) response.stopped = true
  const contentType = firstHeader(ex.headers, 'content-type') ?? ''
  if (r.expect === 'text') response.text = ex.body.toString('utf8')
  if (r.expect === 'json' || (r.expect === undefined && /[/+]json\b/i.test(contentType))) {
    try {
      if (ex.body.length > 0) response.json = JSON.parse(ex.body.toString('utf8'))
    } catch (err) {
      // Kept so a check names the parse error and its position, not "expected object, found nothing".
      response.jsonError = `invalid JSON: ${(err as Error).message}`
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

async function download(client: ClientState, url: string | URL, destPath: string, o: DownloadOptions): Promise<DownloadResult> {
  const tmpPath = `${destPath}.partial`
  try {
    const out = await runRequest(client, {
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
    }, () => buildEvidence({ method: 'GET', url: finalUrl, headers: ex.sentHeaders }, ex, client.secrets))
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
