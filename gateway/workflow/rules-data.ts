// The data-interface and dynamic-management rules (R13–R20 after admission), appended to
// `workflowRules` in rules.ts. Each names the code that refuses the violation and the test with
// its passing case and failing twin.
import type { WorkflowRule } from './rules.js'

export const dataInterfaceRules: WorkflowRule[] = [
  {
    id: 'data.sync-atomic', requirementIds: ['R17'],
    description: 'Catalogue sync from every operating API provider is incremental (updatedSince + cursor, tombstones remove courses), every page is validated against catalogue-page.schema.json, and the whole delta is applied in one transaction: a hang, huge body, cursor cycle, 500 or schema drift changes nothing, is recorded, and opens the provider\'s circuit after N consecutive failures while other providers continue.',
    enforcedIn: ['gateway/sync/collect-delta.ts#collectDelta', 'gateway/sync/apply-delta.ts#applyDelta', 'gateway/sync/catalogue-sync.ts#CatalogueSync', 'gateway/sync/circuit-breaker.ts#admit'], testedIn: ['gateway/sync/catalogue-sync.test.ts'],
  },
  {
    id: 'data.course-centre', requirementIds: ['R13', 'R14', 'R16'],
    description: 'GET /api/v1/courses lists synced and approved package courses with category, occupation, free/paid, provider and title filters; taken-down and closed courses and suspended or exited providers\' courses are hidden.',
    enforcedIn: ['gateway/sync/course-centre-query.ts#listCentreCourses', 'gateway/routes/courses.ts#default'], testedIn: ['gateway/assessment/provider-management.test.ts', 'gateway/sync/catalogue-sync.test.ts'],
  },
  {
    id: 'data.learning-records', requirementIds: ['R17'],
    description: 'Learning records are pushed signed (validated against learning-record-batch.schema.json), only by an admitted, operating provider (application active, not suspended or exited), or pulled, idempotent on (provider, statement id), corrected only by voiding (never deleted), exported as CSV for subsidy review, and kept ≥ 1095 days: a purge inside the window is refused.',
    enforcedIn: ['gateway/records/learning-records.ts#LearningRecords', 'gateway/routes/learning-records.ts#default', 'gateway/workflow/provider-gates.ts#assertMayPushRecords'], testedIn: ['gateway/records/learning-records.test.ts', 'gateway/routes/learning-records.test.ts', 'gateway/provider-gates.test.ts'],
  },
  {
    id: 'data.drift-cases', requirementIds: ['R17', 'R5.1-3', 'R5.1-4', 'R20-3'],
    description: 'A daily scheduled re-run of the conformance kit on each operating API provider opens an assessment case per drift kind (free share, preview length, host outside mainland China, broken contract); reviewers resolve cases with a note.',
    enforcedIn: ['gateway/assessment/assessment.ts#Assessment', 'gateway/assessment/drift.ts#findDrift', 'gateway/sync/jobs.ts#dataJobHandlers'], testedIn: ['gateway/assessment/assessment.test.ts'],
  },
  {
    id: 'data.feedback-r19', requirementIds: ['R19', 'R17'],
    description: 'Feedback tickets from training entities are answered, resolved and rated; response, resolution and satisfaction rates over a window below configured floors recommend an interview, a suspension or a takedown, which reviewers act on.',
    enforcedIn: ['gateway/assessment/feedback.ts#Feedback', 'gateway/assessment/r19-thresholds.ts#recommendR19', 'gateway/assessment/provider-management.ts#ProviderManagement'], testedIn: ['gateway/assessment/provider-management.test.ts'],
  },
  {
    id: 'data.exit', requirementIds: ['R18', 'R20-1', 'R20-2', 'R20-3', 'R20-4', 'R20-5', 'R20-6', 'R20-7'],
    description: 'Voluntary exit (written request) and forced exit (one of the seven reason codes of Article 20) revoke keys and tokens, stop sync, close courses to new learners while records are kept, and are audited.',
    enforcedIn: ['gateway/assessment/provider-management.ts#ProviderManagement', 'gateway/routes/exit.ts#default'], testedIn: ['gateway/assessment/provider-management.test.ts'],
  },
]
