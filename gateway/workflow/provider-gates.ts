// Which providers may feed the gateway (issue 16). Learning records are the basis of training
// subsidies (R17), so only an admitted provider (application `active`, R12) that is operating
// (neither suspended nor exited, R18–R19) pushes them. Course packages (R13) come from
// course-resource providers while their workflow awaits or checks a package (R9→R10), and from
// admitted operating ones. Everyone else (draft, submitted, in material review, rejected,
// withdrawn, suspended, exited) is refused with a documented code that names the state.
// The route matrix in gateway/provider-gates.test.ts walks every provider-facing write route.
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import type { ProviderOperatingStatus } from '../store/schema.js'
import type { ApplicationState } from './state-machine.js'

/** Application states (kind resource) in which packages may be uploaded. */
export const UPLOAD_STATES: readonly ApplicationState[] = ['awaiting-package', 'conformance', 'conformance-failed', 'active']
/** Application states in which learning records may be pushed. */
export const RECORD_STATES: readonly ApplicationState[] = ['active']
/** Operating statuses (provider_status; none recorded = active) that may feed the gateway. */
export const OPERATING: readonly ProviderOperatingStatus[] = ['active', 'interview']

interface Standing { states: { kind: string; state: string }[]; operating: ProviderOperatingStatus }

async function standing(store: Store, providerId: string): Promise<Standing> {
  const [states, status] = await Promise.all([
    store.db.selectFrom('applications').select(['kind', 'state']).where('provider_id', '=', providerId).execute(),
    store.db.selectFrom('provider_status').select('status').where('provider_id', '=', providerId).executeTakeFirst(),
  ])
  return { states, operating: status?.status ?? 'active' }
}

const describe = (s: Standing): Record<string, unknown> => ({ applicationStates: s.states.map((x) => x.state), operatingStatus: s.operating })

/** R13 + issue 16: refuses a package upload unless the provider's state allows it. */
export async function assertMayUpload(store: Store, providerId: string): Promise<void> {
  const s = await standing(store, providerId)
  const open = s.states.some((x) => x.kind === 'resource' && (UPLOAD_STATES as readonly string[]).includes(x.state))
  if (open && OPERATING.includes(s.operating)) return
  const why = !s.states.some((x) => x.kind === 'resource') ? 'only course-resource (数字课程资源) providers upload packages'
    : !open ? `application state ${s.states.map((x) => x.state).join(', ')}; uploads are open in ${UPLOAD_STATES.join(', ')}`
      : `the provider is ${s.operating}`
  throw sgError('SG_ERR_PACKAGE_NOT_ADMITTED', why, describe(s))
}

/** R17 + issue 16: refuses a learning-record push unless the provider is admitted and operating. */
export async function assertMayPushRecords(store: Store, providerId: string): Promise<void> {
  const s = await standing(store, providerId)
  const admitted = s.states.some((x) => (RECORD_STATES as readonly string[]).includes(x.state))
  if (admitted && OPERATING.includes(s.operating)) return
  const why = !admitted ? `application state ${s.states.map((x) => x.state).join(', ') || 'none'}; records are accepted once the application is active`
    : `the provider is ${s.operating}`
  throw sgError('SG_ERR_RECORDS_NOT_ADMITTED', why, describe(s))
}
