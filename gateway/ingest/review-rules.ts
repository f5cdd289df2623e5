// The course-resource rules the gateway enforces (R13, R14), in the shape of gateway/workflow/rules.ts
// so the traceability test can read them (add this module to COVERAGE_SOURCES, or spread it into
// `workflowRules`).
import type { WorkflowRule } from '../workflow/rules.js'

export const courseReviewRules: WorkflowRule[] = [
  {
    id: 'package.admitted-uploader', requirementIds: ['R13'],
    description: 'Only a course-resource provider uploads packages, while its workflow awaits or checks a package (awaiting-package, conformance, conformance-failed) or once active and neither suspended nor exited; the call is signed (specs/signing/gateway-calls.json) and the upload is verified against its signed X-SG-Content-SHA256 and the size limit before anything is kept.',
    enforcedIn: ['gateway/routes/packages.ts#default', 'gateway/ingest/package-ingest.ts#PackageIngest.assertAdmitted', 'gateway/ingest/package-ingest.ts#PackageIngest.accept', 'gateway/workflow/provider-gates.ts#assertMayUpload'], testedIn: ['gateway/ingest/ingest.test.ts', 'gateway/provider-gates.test.ts'],
  },
  {
    id: 'package.checked-before-review', requirementIds: ['R13', 'R5.2-1', 'R5.2-3'],
    description: 'The ingest job runs the package checks (provider-level rules over the live catalogue plus the package); only courses without a must-level finding enter review, all in the job\'s final, fenced transaction.',
    enforcedIn: ['gateway/ingest/package-ingest.ts#PackageIngest.run'], testedIn: ['gateway/ingest/ingest.test.ts', 'gateway/ingest/ingest-crash.test.ts'],
  },
  {
    id: 'course.approve-publishes', requirementIds: ['R13'],
    description: 'A pending course version goes live only by reviewer approval, which supersedes the live version in the same transaction; an older version never replaces a newer live one.',
    enforcedIn: ['gateway/ingest/course-review-decisions.ts#CourseCentre.approve'], testedIn: ['gateway/ingest/ingest.test.ts'],
  },
  {
    id: 'course.reject-takedown-with-reasons', requirementIds: ['R14'],
    description: 'Non-conforming course versions are rejected, and live courses taken down, only with at least one reason; each decision is audited.',
    enforcedIn: ['gateway/ingest/course-review-decisions.ts#CourseCentre.reject', 'gateway/ingest/course-review-decisions.ts#CourseCentre.takedown'], testedIn: ['gateway/ingest/ingest.test.ts'],
  },
]
