// What a caller of the probe client gets to show for an exchange: the scrubbed request/response
// record (built by evidence.ts), attached lazily to responses and at once to errors raised after a
// request was built, so a failed check can always say what was sent and what came back.
import { sgError } from '../../specs/lib/errors.js'
import type { SkillgateError } from '../../specs/lib/errors.js'
import { buildEvidence } from './evidence.js'
import type { Evidence } from './evidence.js'
import type { AttemptRecord, ProbeWarning } from './probe-types.js'

/** Add evidence to an error raised after the request was built (details is a plain object). */
function annotate(err: SkillgateError, extra: Record<string, unknown>): SkillgateError {
  if (err.details) Object.assign(err.details, extra)
  else return sgError(err.code, err.message, extra, err)
  return err
}

type PartialResponse = { status: number; headers: Record<string, string | string[]>; sentHeaders: Record<string, string> }

/**
 * The error a failed request throws: `e` with the evidence of the last request sent (and of the
 * response, when one had begun), its attempts and its warnings.
 */
export function withFailureEvidence(
  e: SkillgateError,
  cause: unknown,
  sent: { method: string; url: URL; headers: Record<string, string>; body: Buffer | undefined },
  attempts: AttemptRecord[],
  warnings: ProbeWarning[],
  secrets: string[],
): SkillgateError {
  const partial = (cause as { partialResponse?: PartialResponse }).partialResponse
  const evidence = buildEvidence({ method: sent.method, url: sent.url.toString(), headers: partial?.sentHeaders ?? sent.headers, body: sent.body }, partial ? { status: partial.status, headers: partial.headers } : undefined, secrets)
  return annotate(e, { url: evidence.request.url, evidence, attempts, warnings })
}

/**
 * Most responses never have their evidence read (a passing check records a few), so it is built,
 * scrubbed, on first access and then kept. Enumerable, so spreads and JSON see it like a field.
 */
export function withLazyEvidence<T extends object>(target: T, build: () => Evidence): T & { evidence: Evidence } {
  let built: Evidence | undefined
  return Object.defineProperty(target, 'evidence', {
    enumerable: true,
    configurable: true,
    get: () => (built ??= build()),
    set: (v: Evidence) => { built = v },
  }) as T & { evidence: Evidence }
}
