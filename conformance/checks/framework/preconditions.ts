// Preconditions: what a check's input needs besides other checks (the target answers, the kit's
// signed requests are accepted, the sandbox tenants are configured and accepted). Each is evaluated
// once per run, when the first check that needs it is about to run; when one does not hold, every
// check that needs it reports an error naming that root cause (its code, message and evidence),
// never a failure with the check's own code and never a pass: what was not observed is not judged.
import { sgError } from '../../../specs/lib/errors.js'
import type { CheckCatalogue, CheckDefinition, CheckOutcome, Precondition, PreconditionFailure, RunOptions } from './check-types.js'
import { note } from './outcomes.js'

export type PreconditionCheck = (def: CheckDefinition<never>) => Promise<PreconditionFailure | undefined>

/** What `def` needs: its own `requires`, else the run's default. */
export const requiredBy = (def: Pick<CheckDefinition, 'requires'>, opts: Pick<RunOptions, 'defaultRequires'>): readonly string[] => def.requires ?? opts.defaultRequires ?? []

/** Every need a selected check names must be provided by the run; a missing one is the kit's bug. */
export function validatePreconditions(selected: CheckCatalogue<never>, opts: Pick<RunOptions, 'preconditions' | 'defaultRequires'>): void {
  for (const def of selected) {
    const unknown = requiredBy(def, opts).filter((n) => !opts.preconditions?.[n])
    if (unknown.length > 0) throw sgError('SG_ERR_USAGE', `check ${def.id} requires ${unknown.join(', ')}, which this run does not provide`)
  }
}

/** Memoised evaluation: the first failing need of a check, in its declared order. */
export function preconditionChecker(opts: Pick<RunOptions, 'preconditions' | 'defaultRequires'>): PreconditionCheck {
  const memo = new Map<string, Promise<PreconditionFailure | undefined>>()
  const evaluate = (name: string): Promise<PreconditionFailure | undefined> => {
    let p = memo.get(name)
    if (!p) {
      const probe = opts.preconditions?.[name] as Precondition
      // A precondition that throws is itself the root cause (e.g. a network error on its request).
      p = Promise.resolve().then(probe).catch((err: unknown) => ({
        code: 'SG_ERR_CHECK_CRASHED',
        message: { 'zh-CN': `前置条件 ${name} 无法判定：${(err as Error).message}`, en: `The precondition ${name} could not be decided: ${(err as Error).message}` },
      }))
      memo.set(name, p)
    }
    return p
  }
  return async (def) => {
    for (const name of requiredBy(def, opts)) {
      const failure = await evaluate(name)
      if (failure) return { ...failure, message: { ...failure.message }, evidence: [...(failure.evidence ?? []), note(`precondition ${name} does not hold`, { precondition: name, code: failure.code })] }
    }
    return undefined
  }
}

/** The outcome of a check whose precondition does not hold: an error with the root cause's code. */
export function preconditionOutcome(failure: PreconditionFailure): CheckOutcome {
  return {
    status: 'error',
    errorCode: failure.code,
    message: { ...failure.message },
    evidence: failure.evidence ?? [],
    ...(failure.reproduce === undefined ? {} : { reproduce: failure.reproduce }),
  }
}
