// The probe client's types: what callers pass and get back (re-exported by probe-client.ts), and
// the state one client's modules share (probe-exchange, probe-retry, probe-redirect).
import type { Writable } from 'node:stream'
import type { Agent } from 'undici'
import type { Evidence } from './evidence.js'
import type { Semaphore } from './semaphore.js'
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
  /**
   * Buffer the body in this memory instead of a fresh allocation (its length caps the body, like
   * maxBodyBytes): the response's body is then a view of it, valid while the caller keeps the
   * memory for it. For callers that reuse memory across many requests (media byte ranges).
   */
  bodyInto?: Buffer
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
  /** Why a JSON-typed body did not parse (the parser's message, with its position). */
  jsonError?: string
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

/** What every request of one client shares: built once by `createProbeClient`, never per request. */
export interface ClientState {
  readonly opts: ProbeClientOptions
  readonly agent: Agent
  readonly defaultDeadline: number
  readonly defaultMaxBody: number
  readonly retries: number
  readonly retryAfterCap: number
  readonly backoffBase: number
  readonly backoffCap: number
  readonly secrets: string[]
  readonly userAgent: string
  readonly semaphore: Semaphore
  /** SSRF decision for an IP-literal host (undefined for a name: the guarded lookup decides). */
  readonly literalDecision: (hostname: string) => GuardDecision | undefined
  /** Record a warning on the request and tell `onWarning` (once per `onceKey` when given). */
  readonly warn: (list: ProbeWarning[], w: ProbeWarning, onceKey?: string) => void
}
