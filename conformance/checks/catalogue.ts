// The registry of the kit's checks. `platformChecks` is what `runProbe` (the CLI's `skillgate probe`
// and the gateway) runs against a provider platform; `allChecks` adds the package checks
// (conformance/package) so the traceability test (specs/lib/traceability.ts) sees every check the kit
// has. Order here is report order.
import { packageChecks } from '../package/checks.js'
import type { ProbeContext } from '../probe-context.js'
import { authChecks } from './auth.js'
import { catalogueRules } from './catalogue-rules.js'
import { contractChecks } from './contract.js'
import type { CheckCatalogue } from './framework.js'
import { locationChecks } from './location.js'
import { previewChecks } from './preview.js'
import { selfHostedChecks } from './self-hosted.js'
import { serviceChecks } from './service.js'

export const platformChecks: CheckCatalogue<ProbeContext> = [
  ...contractChecks,
  ...authChecks,
  ...catalogueRules,
  ...serviceChecks,
  ...previewChecks,
  ...locationChecks,
  ...selfHostedChecks,
]

/** Platform and package checks: every check ID and the requirements it verifies. */
export const allChecks: CheckCatalogue<never> = [...platformChecks, ...packageChecks] as CheckCatalogue<never>
