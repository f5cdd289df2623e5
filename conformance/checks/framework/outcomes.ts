// The outcomes and evidence a check returns: `pass`, `fail`, `warn`, `skip`, plain notes and the
// record of an HTTP exchange with the curl command that reproduces it.
import type { Evidence as HttpExchange } from '../../net/evidence.js'
import { toCurl } from '../../net/to-curl.js'
import type { Bilingual, CheckOutcome, Evidence } from './check-types.js'

type OutcomeExtras = Omit<CheckOutcome, 'status' | 'message' | 'evidence'> & { evidence?: Evidence[] }

// Messages are always bilingual: a plain string would put English into the zh-CN field (issue 17).
const text = (m: Bilingual): Bilingual => m

export const pass = (message?: Bilingual, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'pass', evidence: extra.evidence ?? [], ...(message === undefined ? {} : { message: text(message) }) })
export const fail = (message: Bilingual, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'fail', evidence: extra.evidence ?? [], message: text(message) })
export const warn = (message: Bilingual, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'warn', evidence: extra.evidence ?? [], message: text(message) })
export const skip = (message: Bilingual, extra: OutcomeExtras = {}): CheckOutcome =>
  ({ ...extra, status: 'skip', evidence: extra.evidence ?? [], message: text(message) })

export const note = (summary: string, data?: Record<string, unknown>): Evidence =>
  data === undefined ? { kind: 'note', summary } : { kind: 'note', summary, data }

/** Report evidence from a probe-client exchange (already scrubbed of secrets by the client). */
export function httpEvidence(exchange: HttpExchange, summary?: string): Evidence {
  const status = exchange.response ? String(exchange.response.status) : 'no response'
  return {
    kind: 'http',
    summary: summary ?? `${exchange.request.method} ${exchange.request.url} → ${status}`,
    data: exchange as unknown as Record<string, unknown>,
  }
}

/** The curl command for a failed HTTP check. */
export const reproduceFrom = (exchange: HttpExchange): string => toCurl(exchange, { maxTimeSeconds: 30 })
