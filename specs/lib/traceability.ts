// Traceability: every requirement ID verified by probe, package or workflow must be covered, for each
// of those kinds separately, by a registered check (a platform check for probe, a package check for
// package) or workflow rule. Coverage is read from the code that enforces it (the conformance check
// catalogue and the gateway's workflow rule lists), never from a hand list; a coverage module that is
// missing, or lacks its export, is an error, not "nothing covered". A workflow rule's claims must
// resolve: each `enforcedIn` to an existing file and an exported symbol (`path#Symbol`), each
// `testedIn` to an existing test file that cites one of the rule's requirement IDs.
import { existsSync, readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { packageRoot, specPath } from './paths.js'

export interface Requirement { id: string; clause: string; clauseZh: string; summary: string; kinds: string[]; verifiedBy: string[] }
/** `kind`: what the coverer verifies: 'probe' (platform checks), 'package' (package checks), 'workflow'. */
export interface Coverer { id: string; requirementIds: readonly string[]; source: 'check' | 'workflow'; kind: 'probe' | 'package' | 'workflow' }
export interface CoverageSource { module: string; exportName: string; source: 'check' | 'workflow' }
interface Registered { id: string; requirementIds: readonly string[]; subject?: string; enforcedIn?: readonly string[]; testedIn?: readonly string[] }

export function loadRequirements(): Requirement[] {
  return (JSON.parse(readFileSync(specPath('requirements', 'requirements.json'), 'utf8')) as { requirements: Requirement[] }).requirements
}

/** Modules that register coverers, and the export that lists them. Each must exist. */
export const COVERAGE_SOURCES: readonly CoverageSource[] = [
  { module: 'conformance/checks/catalogue', exportName: 'allChecks', source: 'check' },
  { module: 'gateway/workflow/rules', exportName: 'workflowRules', source: 'workflow' },
  { module: 'gateway/ingest/review-rules', exportName: 'courseReviewRules', source: 'workflow' },
]

/**
 * A coverage module as this one runs: the .ts source under tsx, the compiled .js beside a compiled
 * copy of this module (dist/, or the compiled test tree dist-test/).
 */
function runnable(module: string, root: string): URL {
  if (root !== packageRoot) return pathToFileURL(`${root}/${module}.ts`)
  return new URL(`../../${module}${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
}

async function loadSource(s: CoverageSource, root: string): Promise<Registered[]> {
  const ts = `${root}/${s.module}.ts`
  if (!existsSync(ts)) throw new Error(`coverage module ${s.module}.ts does not exist (renamed or moved? update COVERAGE_SOURCES)`)
  const mod = (await import(runnable(s.module, root).href)) as Record<string, unknown>
  const list = mod[s.exportName]
  if (!Array.isArray(list)) throw new Error(`coverage module ${s.module}.ts does not export ${s.exportName} as a list`)
  return list as Registered[]
}

export async function loadCoverers(sources: readonly CoverageSource[] = COVERAGE_SOURCES, root = packageRoot): Promise<Coverer[]> {
  const out: Coverer[] = []
  for (const s of sources) {
    for (const c of await loadSource(s, root)) {
      const kind = s.source === 'workflow' ? 'workflow' : c.subject === 'package' ? 'package' : 'probe'
      out.push({ id: c.id, requirementIds: c.requirementIds, source: s.source, kind })
    }
  }
  return out
}

/** The workflow rules of every workflow source, with their claims. */
export async function loadWorkflowRules(sources: readonly CoverageSource[] = COVERAGE_SOURCES, root = packageRoot): Promise<Registered[]> {
  const out: Registered[] = []
  for (const s of sources.filter((x) => x.source === 'workflow')) out.push(...(await loadSource(s, root)))
  return out
}

/** Per requirement, per verification kind it needs (probe, package, workflow): what covers it there. */
export function coverage(requirements: Requirement[], coverers: Coverer[]): { id: string; need: string; coveredBy: string[] }[] {
  return requirements.flatMap((r) => r.verifiedBy.filter((v) => v !== 'evidence').map((need) => ({
    id: r.id,
    need,
    coveredBy: coverers.filter((c) => c.kind === need && c.requirementIds.includes(r.id)).map((c) => `${c.source}:${c.id}`),
  })))
}

/** Does `file` export `symbol` (`default`, a name, or `Export.member`)? Read from the source text. */
function exportsSymbol(text: string, symbol: string): boolean {
  const [head, member] = symbol.split('.', 2) as [string, string | undefined]
  const exported = head === 'default'
    ? /^export default\b/m.test(text)
    : new RegExp(`^export (?:default )?(?:async )?(?:function\\*? |const |let |class |interface |type |enum )${head}\\b`, 'm').test(text) || new RegExp(`^export \\{[^}]*\\b${head}\\b[^}]*\\}`, 'm').test(text)
  if (!exported || member === undefined) return exported
  const m = member.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // A method (`member(`), or an entry of an exported table (`member:` / 'member':).
  return new RegExp(`(?:^|[\\s{,])(?:async\\s+)?(?:${m}\\s*[(<]|${m}\\s*:|'${m}'\\s*:|"${m}"\\s*:)`, 'm').test(text)
}

/** Every claim of a workflow rule that does not resolve, as readable problems (empty: all resolve). */
export function unresolvedClaims(rule: Registered, root = packageRoot): string[] {
  const problems: string[] = []
  if (!Array.isArray(rule.enforcedIn) || rule.enforcedIn.length === 0) problems.push(`${rule.id}: enforcedIn names no code`)
  for (const claim of rule.enforcedIn ?? []) {
    const [path, symbol] = claim.split('#', 2)
    if (!path || !symbol) {
      problems.push(`${rule.id}: enforcedIn "${claim}" is not path#Symbol`)
      continue
    }
    if (!existsSync(`${root}/${path}`)) {
      problems.push(`${rule.id}: enforcedIn ${path} does not exist`)
      continue
    }
    if (!exportsSymbol(readFileSync(`${root}/${path}`, 'utf8'), symbol)) problems.push(`${rule.id}: ${path} does not export ${symbol}`)
  }
  if (!Array.isArray(rule.testedIn) || rule.testedIn.length === 0) problems.push(`${rule.id}: testedIn names no test`)
  for (const test of rule.testedIn ?? []) {
    if (!/\.test\.ts$/.test(test) || !existsSync(`${root}/${test}`)) {
      problems.push(`${rule.id}: testedIn ${test} is not an existing *.test.ts file`)
      continue
    }
    const text = readFileSync(`${root}/${test}`, 'utf8')
    if (!rule.requirementIds.some((id) => new RegExp(`\\b${id.replace(/\./g, '\\.')}\\b`).test(text))) problems.push(`${rule.id}: ${test} cites none of ${rule.requirementIds.join(', ')}`)
  }
  return problems
}
