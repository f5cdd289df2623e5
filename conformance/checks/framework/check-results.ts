// From what a check returned (or threw) to the result the report carries. A check never decides
// its own error handling: a thrown SkillgateError keeps its code and evidence, anything else is a
// crash, and a malformed outcome is the check's bug, never a pass.
import { isSkillgateError } from '../../../specs/lib/errors.js'
import type { Evidence as HttpExchange } from '../../net/evidence.js'
import type { CheckDefinition, CheckOutcome, CheckResult, CheckStatus, Evidence } from './check-types.js'
import { capEvidence, capText, capValue, clip, LIMITS } from './evidence-caps.js'
import { httpEvidence, note, reproduceFrom } from './outcomes.js'

export function errorOutcome(err: unknown): CheckOutcome {
  if (isSkillgateError(err)) {
    const evidence: Evidence[] = []
    let reproduce: string | undefined
    const exchange = err.details?.evidence as HttpExchange | undefined
    if (exchange && typeof exchange === 'object' && 'request' in exchange) {
      evidence.push(httpEvidence(exchange))
      reproduce = reproduceFrom(exchange)
    }
    const detailsRest = { ...(err.details ?? {}) }
    delete detailsRest.evidence
    if (Object.keys(detailsRest).length > 0) evidence.push(note(`${err.code} details`, detailsRest))
    return {
      status: 'error',
      errorCode: err.code,
      message: { 'zh-CN': `${err.title['zh-CN']}。${err.fix['zh-CN']}（${err.message}）`, en: err.message },
      evidence,
      ...(reproduce === undefined ? {} : { reproduce }),
    }
  }
  const e = err instanceof Error ? err : new Error(String(err))
  return {
    status: 'error',
    errorCode: 'SG_ERR_CHECK_CRASHED',
    message: { 'zh-CN': `检查项执行异常：${e.message}`, en: `The check crashed: ${e.message}` },
    evidence: [note('stack', { stack: e.stack ?? e.message })],
  }
}

export function toResult(def: CheckDefinition<never>, outcome: CheckOutcome, durationMs: number): CheckResult {
  const result: CheckResult = {
    checkId: def.id,
    requirementIds: [...def.requirementIds],
    severity: def.severity,
    title: { ...def.title },
    status: outcome.status,
    durationMs: Math.max(0, Math.round(durationMs * 1000) / 1000),
    evidence: capEvidence(outcome.evidence ?? []),
  }
  if (outcome.message) result.message = capText(outcome.message)
  if (outcome.measured && Object.keys(outcome.measured).length > 0) result.measured = capValue(outcome.measured, 0) as Record<string, unknown>
  if (outcome.errorCode) result.errorCode = outcome.errorCode
  if (outcome.reproduce) result.reproduce = clip(outcome.reproduce, LIMITS.reproduceChars)
  return result
}

/** A malformed outcome is the check's bug, not the provider's: it becomes an error, never a pass. */
export function checkOutcomeShape(o: unknown): CheckOutcome {
  const statuses: CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'error']
  const x = o as Partial<CheckOutcome> | null
  if (!x || typeof x !== 'object' || !statuses.includes(x.status as CheckStatus) || (x.evidence !== undefined && !Array.isArray(x.evidence))) {
    throw new Error(`check returned a malformed outcome: ${JSON.stringify(o)?.slice(0, 200)}`)
  }
  if (x.errorCode !== undefined && !/^SG_ERR_[A-Z0-9_]+$/.test(x.errorCode)) throw new Error(`check returned errorCode "${x.errorCode}", which is not an SG_ERR_* code`)
  return { ...x, evidence: x.evidence ?? [] } as CheckOutcome
}
