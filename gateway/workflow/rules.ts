// The workflow rules the gateway enforces, with the requirement IDs each verifies. The
// traceability test (specs/lib/traceability.test.ts) reads this list: an ID appears here only when
// the code named in `enforcedIn` refuses the violation and the test named in `testedIn` proves it
// with a passing case and a failing twin. `enforcedIn` entries are `path#Symbol` (an export of that
// file, `default`, or `Export.member`) and `testedIn` entries test files citing the rule's IDs; the
// traceability test resolves every one, so a renamed symbol or file fails it.
import { dataInterfaceRules } from './rules-data.js'

export interface WorkflowRule {
  id: string
  requirementIds: string[]
  description: string
  /** `path#Symbol`: an exported symbol (`default`, or `Export.member` for a method or table entry). */
  enforcedIn: readonly string[]
  /** Test files (`*.test.ts`) that cite at least one of `requirementIds`. */
  testedIn: readonly string[]
}

export const workflowRules: WorkflowRule[] = [
  {
    id: 'workflow.stages', requirementIds: ['R6'],
    description: 'Applications move only along the transition table (draft → submitted → material review → conformance → roadshow → publicity → commitment → active); any other event is a 409 naming the state and the allowed events.',
    enforcedIn: ['gateway/workflow/state-machine.ts#planTransition'], testedIn: ['gateway/workflow/state-machine.test.ts', 'gateway/workflow/workflow.test.ts'],
  },
  {
    id: 'workflow.audited-transitions', requirementIds: ['R6'],
    description: 'Every transition is written to the hash-chained audit log in the same transaction as the state change (actor, from, to, reasons); a tampered row is found by GET /api/v1/audit/verify.',
    enforcedIn: ['gateway/workflow/transition.ts#fire', 'gateway/workflow/transition.ts#appendAudit'], testedIn: ['gateway/workflow/workflow.test.ts', 'gateway/routes/applications.test.ts'],
  },
  {
    id: 'spec.published', requirementIds: ['R7'],
    description: 'The gateway serves the one technical specification under /spec/ and its own API at /openapi.json; conformance against it gates the roadshow (conformance-pass / conformance-fail on the report verdict).',
    enforcedIn: ['gateway/routes/spec.ts#default', 'gateway/workflow/conformance.ts#runConformance'], testedIn: ['gateway/app.test.ts', 'gateway/routes/applications.test.ts'],
  },
  {
    id: 'application.uscc-checksum', requirementIds: ['R5-0'],
    description: 'The organisation\'s unified social credit code must pass the GB 32100-2015 check digit when the application is created.',
    enforcedIn: ['gateway/workflow/application.ts#createApplication'], testedIn: ['gateway/routes/applications.test.ts'],
  },
  {
    id: 'application.kind-documents', requirementIds: ['R8', 'R5-0', 'R5.1-1', 'R5.2-4', 'R5.3-1', 'R5.3-2'],
    description: 'The applicant picks a provider kind and uploads the qualification documents that kind requires (business licence and credit report for all; ICP licence and software copyright for on-demand; MLPS ≥ 2, ISO 27001 and ISO 20000 for self-hosted; a named contact for resource providers); documents of other kinds are refused.',
    enforcedIn: ['gateway/workflow/requirements-by-kind.ts#documentTypesFor', 'gateway/workflow/workflow.ts#Workflow.addDocument'], testedIn: ['gateway/workflow/requirements-by-kind.test.ts', 'gateway/routes/applications.test.ts'],
  },
  {
    id: 'application.completeness', requirementIds: ['R9', 'R8'],
    description: 'Submission runs the automated completeness check; an incomplete application stays a draft with a 422 listing what is missing.',
    enforcedIn: ['gateway/workflow/guards.ts#completenessOf', 'gateway/workflow/requirements-by-kind.ts#checkCompleteness'], testedIn: ['gateway/workflow/requirements-by-kind.test.ts', 'gateway/workflow/workflow.test.ts'],
  },
  {
    id: 'review.material-decision', requirementIds: ['R9'],
    description: 'A reviewer\'s material-review decision (pass or reject) must carry at least one reason.',
    enforcedIn: ['gateway/workflow/guards.ts#GUARDS.reasons'], testedIn: ['gateway/workflow/workflow.test.ts'],
  },
  {
    id: 'roadshow.scores', requirementIds: ['R10'],
    description: 'Each reviewer scores 0–100 once; the committee decides only after at least ROADSHOW_MIN_SCORERS scores.',
    enforcedIn: ['gateway/workflow/roadshow.ts#addRoadshowScore', 'gateway/workflow/guards.ts#GUARDS.roadshow-scores'], testedIn: ['gateway/workflow/workflow.test.ts', 'gateway/routes/applications.test.ts'],
  },
  {
    id: 'roadshow.joint-review', requirementIds: ['R10'],
    description: 'The recommendation produces a joint-review record (scores, mean, record text, decider); publicity starts only after a recommendation.',
    enforcedIn: ['gateway/workflow/roadshow.ts#roadshowDecision', 'gateway/workflow/guards.ts#GUARDS.roadshow-recommended'], testedIn: ['gateway/workflow/workflow.test.ts'],
  },
  {
    id: 'publicity.five-working-days', requirementIds: ['R11'],
    description: 'Publicity lasts 5 Chinese working days (holidays and make-up working days counted) and is closed to commitment only once its end has passed, by a daily scheduled job.',
    enforcedIn: ['gateway/workflow/publicity.ts#startPublicity', 'gateway/workflow/publicity.ts#closeDuePublicity', 'gateway/workflow/guards.ts#GUARDS.publicity-over'], testedIn: ['gateway/workflow/publicity.test.ts'],
  },
  {
    id: 'publicity.objection-pauses', requirementIds: ['R11'],
    description: 'A public objection names its objector (name and contact); once a reviewer confirms the objector it pauses the publicity; a dismissed objection resumes it with the end extended by the paused working days; an upheld one rejects the application. Unconfirmed objections never pause, are never decided on, hold the close, and are dismissed as spam in bulk.',
    enforcedIn: ['gateway/workflow/objections.ts#fileObjection', 'gateway/workflow/objections.ts#confirmObjector', 'gateway/workflow/objections.ts#dismissSpam', 'gateway/workflow/objections.ts#resolveObjection'], testedIn: ['gateway/workflow/publicity.test.ts', 'gateway/routes/objections.test.ts', 'gateway/routes/publicity-page.test.ts'],
  },
  {
    id: 'admission.commitment-letter', requirementIds: ['R12'],
    description: 'After publicity without an upheld objection, the provider becomes active only with its signed service commitment letter, under its kind\'s title.',
    enforcedIn: ['gateway/workflow/commitment.ts#submitCommitmentLetter', 'gateway/workflow/guards.ts#GUARDS.commitment-letter'], testedIn: ['gateway/workflow/workflow.test.ts', 'gateway/routes/applications.test.ts'],
  },
  ...dataInterfaceRules,
]
