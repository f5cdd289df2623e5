// The admission workflow as data (R6: 启动征集 → 申请 → 材料审核 → 路演评审 → 入围公示 → 名单公布).
// Every state change of an application goes through `planTransition`, which looks the event up in
// TRANSITIONS: an event not listed for the current state is a 409 that names the state and what is
// allowed there, so a client never has to guess the order. Guards (gateway/workflow/guards.ts) are
// named here and run by the Workflow service inside the transaction that changes the state.
import { sgError } from '../../specs/lib/errors.js'

export const STATES = [
  'draft',
  'submitted',
  'material-review',
  'rejected',
  'awaiting-package',
  'conformance',
  'conformance-failed',
  'roadshow',
  'not-recommended',
  'publicity',
  'publicity-paused',
  'commitment',
  'active',
  'withdrawn',
] as const
export type ApplicationState = (typeof STATES)[number]

export const TERMINAL_STATES: readonly ApplicationState[] = ['rejected', 'not-recommended', 'active', 'withdrawn']

/** Who may fire an event. 'system' = the gateway itself (jobs, automated checks). */
export type ActorRole = 'public' | 'provider' | 'reviewer' | 'admin' | 'system'

export type GuardName =
  | 'completeness'
  | 'reasons'
  | 'conformance-report'
  | 'roadshow-scores'
  | 'roadshow-recommended'
  | 'publicity-over'
  | 'no-open-objections'
  | 'no-confirmed-open-objections'
  | 'commitment-letter'

export interface Transition {
  event: string
  from: ApplicationState
  to: ApplicationState
  roles: readonly ActorRole[]
  guards: readonly GuardName[]
  /** Requirement IDs this step enforces. */
  requirementIds: readonly string[]
}

const t = (event: string, from: ApplicationState, to: ApplicationState, roles: ActorRole[], guards: GuardName[], requirementIds: string[]): Transition =>
  ({ event, from, to, roles, guards, requirementIds })

const WITHDRAWABLE: ApplicationState[] = ['draft', 'submitted', 'material-review', 'awaiting-package', 'conformance', 'conformance-failed', 'roadshow', 'publicity', 'publicity-paused', 'commitment']

export const TRANSITIONS: readonly Transition[] = Object.freeze([
  t('submit', 'draft', 'submitted', ['provider'], ['completeness'], ['R8', 'R9']),
  t('queue-for-review', 'submitted', 'material-review', ['system'], [], ['R6', 'R9']),
  t('material-pass', 'material-review', 'conformance', ['reviewer'], ['reasons'], ['R9']),
  t('material-reject', 'material-review', 'rejected', ['reviewer'], ['reasons'], ['R9']),
  // A course-resource provider joins by upload (R13): after material review its workflow waits for
  // a first checked package, and conformance runs on it (issue 18). Both steps are the gateway's.
  t('await-package', 'conformance', 'awaiting-package', ['system'], [], ['R7', 'R13']),
  t('package-checked', 'awaiting-package', 'conformance', ['system'], [], ['R7', 'R13']),
  t('conformance-pass', 'conformance', 'roadshow', ['system'], ['conformance-report'], ['R6', 'R7']),
  t('conformance-fail', 'conformance', 'conformance-failed', ['system'], ['conformance-report'], ['R6', 'R7']),
  t('conformance-retry', 'conformance-failed', 'conformance', ['provider', 'reviewer'], [], ['R7']),
  t('not-recommend', 'roadshow', 'not-recommended', ['reviewer'], ['roadshow-scores'], ['R10']),
  t('start-publicity', 'roadshow', 'publicity', ['reviewer'], ['roadshow-scores', 'roadshow-recommended'], ['R10', 'R11']),
  // A reviewer's confirmation of the objector pauses publicity, not the filing itself (objections.ts).
  t('object', 'publicity', 'publicity-paused', ['reviewer'], [], ['R11']),
  t('resume-publicity', 'publicity-paused', 'publicity', ['reviewer'], ['reasons', 'no-confirmed-open-objections'], ['R11']),
  t('uphold-objection', 'publicity-paused', 'rejected', ['reviewer'], ['reasons'], ['R11', 'R12']),
  t('close-publicity', 'publicity', 'commitment', ['system'], ['publicity-over', 'no-open-objections'], ['R11', 'R12']),
  t('submit-commitment', 'commitment', 'active', ['provider'], ['commitment-letter'], ['R12']),
  ...WITHDRAWABLE.map((from) => t('withdraw', from, 'withdrawn', ['provider'], [], ['R6'])),
])

export const EVENTS: readonly string[] = [...new Set(TRANSITIONS.map((x) => x.event))]

/** Events the current state allows (any role). */
export function allowedEvents(state: ApplicationState): string[] {
  return TRANSITIONS.filter((x) => x.from === state).map((x) => x.event)
}

/** An admin may act as a reviewer; nobody else inherits (same rule as the route guard). */
export function roleMayFire(role: ActorRole, transition: Transition): boolean {
  return transition.roles.includes(role) || (role === 'admin' && transition.roles.includes('reviewer'))
}

/**
 * The transition `event` makes from `state`, or SG_ERR_WORKFLOW_ILLEGAL_TRANSITION (409) naming
 * the state and its allowed events; SG_ERR_FORBIDDEN when the event exists here but not for `role`.
 */
export function planTransition(state: ApplicationState, event: string, role: ActorRole): Transition {
  const transition = TRANSITIONS.find((x) => x.from === state && x.event === event)
  if (!transition) {
    const allowed = allowedEvents(state)
    throw sgError(
      'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION',
      `event ${event} is not allowed in state ${state}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none (final state)'}`,
      { state, event, allowedEvents: allowed },
    )
  }
  if (!roleMayFire(role, transition)) {
    throw sgError('SG_ERR_FORBIDDEN', `event ${event} is fired by ${transition.roles.join(' or ')}, not ${role}`, { state, event })
  }
  return transition
}

export const isApplicationState = (v: string): v is ApplicationState => (STATES as readonly string[]).includes(v)
