// The check framework's public surface, so a check module imports from one place. Each concern has
// its own room under framework/:
//   check-types.ts          what a check is, and what a run is given (context, options, progress)
//   outcomes.ts             pass / fail / warn / skip, notes, HTTP evidence and its curl command
//   catalogue-validation.ts a catalogue's validation, description, order and requirement coverage
//   evidence-caps.ts        size caps on everything a check returns
//   check-results.ts        an outcome (or a throw) turned into the report's result
//   runner.ts               selection (--only / --skip), scheduling and isolation: runChecks
//   verdict.ts              roll-up, exit codes, timestamps and the report's frame
export type {
  Bilingual, CheckCatalogue, CheckDefinition, CheckOutcome, CheckResult, CheckRuntime, CheckStatus, Evidence, EvidenceKind,
  ProgressEvent, ProviderKind, Report, ReportSubject, RunContext, RunOptions, Severity, SubjectType,
} from './framework/check-types.js'
export { defineCheck } from './framework/check-types.js'
export { fail, httpEvidence, note, pass, reproduceFrom, skip, warn } from './framework/outcomes.js'
export {
  describeCatalogue, loadRequirements, requirementCoverage, validateCatalogue, type CheckDescription, type RequirementEntry,
} from './framework/catalogue-validation.js'
export { LIMITS } from './framework/evidence-caps.js'
export { runChecks, selectChecks } from './framework/runner.js'
export { exitCodeFor, rollUp, timestamp } from './framework/verdict.js'
