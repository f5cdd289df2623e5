// The check catalogue as the specification publishes it (specs/checks/checks.json): generated from
// the kit's own check list, so the IDs a provider passes to --only/--skip, and what each check does
// and what its failure means, are never a second hand-kept copy. `npm run gen:checks` rewrites the
// file; published-catalogue.test.ts fails when it drifts from the code.
import { specPath } from '../../specs/lib/paths.js'
import { allChecks } from './catalogue.js'
import type { CheckCatalogue, CheckDescription } from './framework.js'
import { describeCatalogue } from './framework.js'

export const CHECKS_FILE = specPath('checks', 'checks.json')

export interface PublishedCatalogue { $schema: string; generatedFrom: string; checks: Array<Required<CheckDescription>> }

/** The document for `catalogue`, in catalogue (report) order; throws when a check lacks its published texts. */
export function publishedCatalogue(catalogue: CheckCatalogue<never> = allChecks): PublishedCatalogue {
  const described = new Map(describeCatalogue(catalogue).map((d) => [d.id, d]))
  const checks = catalogue.map((c) => {
    const d = described.get(c.id)!
    if (!d.does || !d.failureMeans) throw new Error(`check ${c.id} needs does and failureMeans (both languages) to be published`)
    const { does, failureMeans, ...rest } = d
    return { ...rest, does, failureMeans }
  })
  return { $schema: 'https://skillgate.example.cn/spec/v1/checks/checks.schema.json', generatedFrom: 'conformance/checks/catalogue.ts (allChecks)', checks }
}

export const renderPublishedCatalogue = (doc: PublishedCatalogue): string => `${JSON.stringify(doc, null, 2)}\n`

/** What differs between a committed catalogue and the generated one, one line per check and field. */
export function catalogueDrift(committed: PublishedCatalogue, generated: PublishedCatalogue): string[] {
  const out: string[] = []
  const before = new Map(committed.checks.map((c) => [c.id, c]))
  const after = new Map(generated.checks.map((c) => [c.id, c]))
  for (const id of after.keys()) if (!before.has(id)) out.push(`${id}: in the code, missing from checks.json`)
  for (const id of before.keys()) if (!after.has(id)) out.push(`${id}: in checks.json, no longer in the code`)
  for (const [id, c] of after) {
    const old = before.get(id)
    if (!old) continue
    for (const k of Object.keys(c) as Array<keyof typeof c>) {
      if (JSON.stringify(c[k]) !== JSON.stringify(old[k])) out.push(`${id}: ${k} differs`)
    }
  }
  const order = (d: PublishedCatalogue): string => d.checks.map((c) => c.id).join(',')
  if (out.length === 0 && order(committed) !== order(generated)) out.push('the order of the checks differs')
  return out
}
