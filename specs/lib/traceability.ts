// Traceability: every requirement ID verified by probe, package or workflow must be covered by at
// least one registered check or workflow rule. Coverage is read from the code that enforces it
// (the conformance check catalogue and the gateway's workflow rule list), never from a hand list.
import { existsSync } from 'node:fs'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { packageRoot, specPath } from './paths.js'

export interface Requirement { id: string; clause: string; clauseZh: string; summary: string; kinds: string[]; verifiedBy: string[] }
export interface Coverer { id: string; requirementIds: readonly string[]; source: 'check' | 'workflow' }

export function loadRequirements(): Requirement[] {
  return (JSON.parse(readFileSync(specPath('requirements', 'requirements.json'), 'utf8')) as { requirements: Requirement[] }).requirements
}

/** Modules that register coverers, and the export that lists them. Missing modules cover nothing. */
export const COVERAGE_SOURCES = [
  { module: 'conformance/checks/catalogue', exportName: 'allChecks', source: 'check' },
  { module: 'gateway/workflow/rules', exportName: 'workflowRules', source: 'workflow' },
  { module: 'gateway/ingest/review-rules', exportName: 'courseReviewRules', source: 'workflow' },
] as const

export async function loadCoverers(): Promise<Coverer[]> {
  const out: Coverer[] = []
  for (const s of COVERAGE_SOURCES) {
    const ts = `${packageRoot}/${s.module}.ts`
    if (!existsSync(ts)) continue
    const mod = (await import(pathToFileURL(ts.replace(/\.ts$/, '.js')).href.replace(/\.js$/, '.ts'))) as Record<string, { id: string; requirementIds: readonly string[] }[]>
    for (const c of mod[s.exportName] ?? []) out.push({ id: c.id, requirementIds: c.requirementIds, source: s.source })
  }
  return out
}

/** Requirement IDs that need a check or rule (probe/package/workflow) and what covers each. */
export function coverage(requirements: Requirement[], coverers: Coverer[]): { id: string; needs: string[]; coveredBy: string[] }[] {
  return requirements
    .filter((r) => r.verifiedBy.some((v) => v !== 'evidence'))
    .map((r) => ({
      id: r.id,
      needs: r.verifiedBy.filter((v) => v !== 'evidence'),
      coveredBy: coverers.filter((c) => c.requirementIds.includes(r.id)).map((c) => `${c.source}:${c.id}`),
    }))
}
