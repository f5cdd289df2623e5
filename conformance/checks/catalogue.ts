// The registry of platform checks: `skillgate probe`, the gateway and the traceability test
// (specs/lib/traceability.ts) all read `allChecks`. Order here is report order.
import type { ProbeContext } from '../probe-context.js'
import { authChecks } from './auth.js'
import { catalogueRules } from './catalogue-rules.js'
import { contractChecks } from './contract.js'
import type { CheckCatalogue } from './framework.js'
import { locationChecks } from './location.js'
import { previewChecks } from './preview.js'
import { selfHostedChecks } from './self-hosted.js'
import { serviceChecks } from './service.js'

export const allChecks: CheckCatalogue<ProbeContext> = [
  ...contractChecks,
  ...authChecks,
  ...catalogueRules,
  ...serviceChecks,
  ...previewChecks,
  ...locationChecks,
  ...selfHostedChecks,
]
