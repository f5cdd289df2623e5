// What a catalogue of checks says about itself: whether it is well formed (validated at load time),
// its plain description for docs and `--list`, its dependency order, and which checks verify each
// requirement (the traceability test walks this).
import { readFileSync } from 'node:fs'
import { specPath } from '../../../specs/lib/paths.js'
import type { Bilingual, CheckCatalogue, CheckDefinition, ProviderKind, Severity, SubjectType } from './check-types.js'

const CHECK_ID = /^[a-z0-9]+(\.[a-z0-9-]+)+$/
const REQ_ID = /^R[0-9]+(\.[0-9]+)?(-[0-9a-z]+)?$/
const KINDS: readonly ProviderKind[] = ['on-demand', 'resource', 'self-hosted']

export interface RequirementEntry {
  id: string
  clause: string
  clauseZh: string
  summary: string
  kinds: ProviderKind[]
  verifiedBy: string[]
}

let requirementCache: RequirementEntry[] | undefined
/** The requirement catalogue (specs/requirements/requirements.json). */
export function loadRequirements(): RequirementEntry[] {
  requirementCache ??= (JSON.parse(readFileSync(specPath('requirements', 'requirements.json'), 'utf8')) as { requirements: RequirementEntry[] }).requirements
  return requirementCache
}

/**
 * Authoring errors in a catalogue are bugs, so they throw plain Errors at load time. A must-check
 * may not depend on a should-check: a failed should-check would skip it and the run would come out
 * conformant with a must requirement never verified.
 */
export function validateCatalogue(catalogue: CheckCatalogue<never>): void {
  const known = new Set(loadRequirements().map((r) => r.id))
  const byId = new Map<string, CheckDefinition<never>>()
  for (const c of catalogue) {
    if (!CHECK_ID.test(c.id)) throw new Error(`check id "${c.id}" must match ${CHECK_ID}`)
    if (byId.has(c.id)) throw new Error(`check id "${c.id}" is defined twice`)
    byId.set(c.id, c)
    if (c.requirementIds.length === 0) throw new Error(`check ${c.id} names no requirement`)
    for (const r of c.requirementIds) {
      if (!REQ_ID.test(r) || !known.has(r)) throw new Error(`check ${c.id} names unknown requirement "${r}"`)
    }
    if (c.kinds.length === 0 || c.kinds.some((k) => !KINDS.includes(k))) throw new Error(`check ${c.id} has invalid kinds ${JSON.stringify(c.kinds)}`)
    if (!c.title['zh-CN'] || !c.title.en) throw new Error(`check ${c.id} needs a title in zh-CN and en`)
  }
  for (const c of catalogue) {
    for (const d of c.dependsOn ?? []) {
      const dep = byId.get(d)
      if (!dep) throw new Error(`check ${c.id} depends on unknown check "${d}"`)
      if (c.severity === 'must' && dep.severity === 'should') throw new Error(`must-check ${c.id} cannot depend on should-check ${d}`)
    }
  }
  topologicalOrder(catalogue)
}

/** Dependencies before their dependents, otherwise catalogue order; throws on a cycle. */
export function topologicalOrder<C>(catalogue: CheckCatalogue<C>): CheckDefinition<C>[] {
  const byId = new Map(catalogue.map((c) => [c.id, c]))
  const state = new Map<string, 'visiting' | 'done'>()
  const out: CheckDefinition<C>[] = []
  const visit = (c: CheckDefinition<C>, path: string[]): void => {
    const s = state.get(c.id)
    if (s === 'done') return
    if (s === 'visiting') throw new Error(`dependency cycle: ${[...path, c.id].join(' → ')}`)
    state.set(c.id, 'visiting')
    for (const d of c.dependsOn ?? []) {
      const dep = byId.get(d)
      if (dep) visit(dep, [...path, c.id])
    }
    state.set(c.id, 'done')
    out.push(c)
  }
  for (const c of catalogue) visit(c, [])
  return out
}

export interface CheckDescription {
  id: string
  requirementIds: string[]
  severity: Severity
  kinds: ProviderKind[]
  subject: SubjectType
  title: Bilingual
  dependsOn: string[]
  does?: Bilingual
  failureMeans?: Bilingual
}

/** Plain data for docs and `--list` output, in dependency order. */
export function describeCatalogue(catalogue: CheckCatalogue<never>): CheckDescription[] {
  return topologicalOrder(catalogue).map((c) => ({
    id: c.id,
    requirementIds: [...c.requirementIds],
    severity: c.severity,
    kinds: [...c.kinds],
    subject: c.subject,
    title: { ...c.title },
    dependsOn: [...(c.dependsOn ?? [])],
    ...(c.does ? { does: { ...c.does } } : {}),
    ...(c.failureMeans ? { failureMeans: { ...c.failureMeans } } : {}),
  }))
}

/** requirementId → IDs of the checks that verify it (the traceability test walks this). */
export function requirementCoverage(catalogue: CheckCatalogue<never>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const c of catalogue) {
    for (const r of c.requirementIds) out.set(r, [...(out.get(r) ?? []), c.id])
  }
  return out
}
