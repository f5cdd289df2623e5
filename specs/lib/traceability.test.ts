// Every requirement has a verification method, and every probe-, package- or workflow-verified ID
// is covered by a check or a workflow rule. Uncovered IDs fail this test.
import t from 'tap'
import { SchemaRegistry } from './schemas.js'
import { coverage, loadCoverers, loadRequirements } from './traceability.js'
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'

t.test('the requirement catalogue validates and has every ID of shared/REQUIREMENTS.md', async (t) => {
  const doc = JSON.parse(readFileSync(specPath('requirements', 'requirements.json'), 'utf8'))
  const r = new SchemaRegistry().validate('requirements', doc)
  t.ok(r.ok, 'catalogue validates', { errors: r.errors })
  const ids = loadRequirements().map((x) => x.id)
  t.equal(new Set(ids).size, ids.length, 'IDs are unique')
  for (const id of ['R5-0', 'R5.1-1', 'R5.1-2', 'R5.1-3', 'R5.1-4', 'R5.1-5', 'R5.2-1', 'R5.2-2', 'R5.2-3', 'R5.2-4', 'R5.3-1', 'R5.3-2', 'R5.3-3', 'R5.3-4', 'R5.3-5a', 'R5.3-5b', 'R5.3-6', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'R16', 'R17', 'R18', 'R19', 'R20-1', 'R20-2', 'R20-3', 'R20-4', 'R20-5', 'R20-6', 'R20-7']) {
    t.ok(ids.includes(id), `${id} is in the catalogue`)
  }
  for (const req of loadRequirements()) t.ok(req.verifiedBy.length > 0, `${req.id} has a verification method`)
})

t.test('every probe/package/workflow-verified requirement is covered by a check or workflow rule', async (t) => {
  const coverers = await loadCoverers()
  const present = new Set(coverers.map((c) => c.source))
  const rows = coverage(loadRequirements(), coverers)
  const uncovered = rows.filter((r) => r.coveredBy.length === 0)
  t.comment(`coverage: ${rows.length - uncovered.length}/${rows.length} covered`)
  // An uncovered ID is listed; it fails once the kind of code that should cover it exists
  // (checks for probe/package IDs, workflow rules for workflow IDs).
  const sourceFor = (need: string) => (need === 'workflow' ? 'workflow' : 'check')
  for (const r of uncovered) {
    const due = r.needs.some((n) => present.has(sourceFor(n)))
    if (due) t.fail(`UNCOVERED ${r.id} (${r.needs.join('+')}): no check or workflow rule names it`)
    else t.comment(`not yet covered: ${r.id} (${r.needs.join('+')})`)
  }
  t.pass(`${uncovered.length} uncovered IDs listed`)
})
