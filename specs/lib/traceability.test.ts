// Every requirement has a verification method, and every probe-, package- or workflow-verified ID
// is covered, for each kind it needs, by a check or a workflow rule; every workflow rule's
// enforcedIn/testedIn resolves to real code and a real test. Each safeguard is shown failing on a
// case built broken (a renamed coverage module, a symbol that does not exist, a requirement covered
// for one kind only), so the test cannot pass by accident.
import t from 'tap'
import { createHash, createHmac } from 'node:crypto'
import { SchemaRegistry } from './schemas.js'
import { COVERAGE_SOURCES, coverage, loadCoverers, loadRequirements, loadWorkflowRules, unresolvedClaims, type Requirement } from './traceability.js'
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

t.test('every requirement is covered for each verification kind it needs (probe, package, workflow separately)', async (t) => {
  const rows = coverage(loadRequirements(), await loadCoverers())
  t.ok(rows.length > 0)
  for (const r of rows) t.ok(r.coveredBy.length > 0, `${r.id} (${r.need}) covered by ${r.coveredBy.join(', ') || 'NOTHING'}`)
})

t.test('a requirement that needs probe and workflow is not covered by the workflow rule alone', async (t) => {
  const req: Requirement = { id: 'R99', clause: '', clauseZh: '', summary: '', kinds: [], verifiedBy: ['probe', 'workflow'] }
  const onlyWorkflow = coverage([req], [{ id: 'w.rule', requirementIds: ['R99'], source: 'workflow', kind: 'workflow' }])
  t.same(onlyWorkflow.map((r) => [r.need, r.coveredBy.length]), [['probe', 0], ['workflow', 1]], 'the probe side stays uncovered')
  const both = coverage([req], [{ id: 'w.rule', requirementIds: ['R99'], source: 'workflow', kind: 'workflow' }, { id: 'c.check', requirementIds: ['R99'], source: 'check', kind: 'probe' }])
  t.same(both.map((r) => r.coveredBy.length), [1, 1], 'twin: covered for both')
  const packageOnly = coverage([{ ...req, verifiedBy: ['probe'] }], [{ id: 'p.check', requirementIds: ['R99'], source: 'check', kind: 'package' }])
  t.same(packageOnly[0]?.coveredBy, [], 'a package check does not cover a probe need')
})

t.test('a missing (renamed) coverage module or export fails, never counts as "nothing to cover"', async (t) => {
  const renamed = COVERAGE_SOURCES.map((s) => (s.module === 'gateway/workflow/rules' ? { ...s, module: 'gateway/workflow/rules-renamed' } : s))
  await t.rejects(loadCoverers(renamed), /coverage module gateway\/workflow\/rules-renamed\.ts does not exist/)
  const noExport = COVERAGE_SOURCES.map((s) => (s.module === 'gateway/workflow/rules' ? { ...s, exportName: 'workflowRulesOld' } : s))
  await t.rejects(loadCoverers(noExport), /does not export workflowRulesOld/)
  t.ok((await loadCoverers()).some((c) => c.kind === 'workflow'), 'twin: the real sources load')
})

t.test("every workflow rule's enforcedIn and testedIn resolve; a rule naming a symbol that does not exist fails", async (t) => {
  const rules = await loadWorkflowRules()
  t.ok(rules.length >= 20)
  for (const r of rules) t.same(unresolvedClaims(r), [], `${r.id}: every claim resolves`)
  const real = rules.find((r) => r.id === 'roadshow.scores')!
  t.same(unresolvedClaims(real), [])
  t.same(unresolvedClaims({ ...real, enforcedIn: ['gateway/workflow/roadshow.ts#addRoadshowScores'] }), ['roadshow.scores: gateway/workflow/roadshow.ts does not export addRoadshowScores'])
  t.same(unresolvedClaims({ ...real, enforcedIn: ['gateway/workflow/guards.ts#GUARDS.roadshow-scorez'] }), ['roadshow.scores: gateway/workflow/guards.ts does not export GUARDS.roadshow-scorez'])
  t.same(unresolvedClaims({ ...real, enforcedIn: ['gateway/workflow/roadshows.ts#addRoadshowScore'] }), ['roadshow.scores: enforcedIn gateway/workflow/roadshows.ts does not exist'])
  t.same(unresolvedClaims({ ...real, enforcedIn: ['gateway/workflow/roadshow.ts'] }), ['roadshow.scores: enforcedIn "gateway/workflow/roadshow.ts" is not path#Symbol'])
  t.same(unresolvedClaims({ ...real, testedIn: ['gateway/workflow/publicity.test.ts'], requirementIds: ['R10'] }), ['roadshow.scores: gateway/workflow/publicity.test.ts cites none of R10'])
  t.same(unresolvedClaims({ ...real, testedIn: [] }), ['roadshow.scores: testedIn names no test'])
})

t.test('claims nothing enforces are gone: data.sync-atomic does not claim R16, data.learning-records not R5.3-5b', async (t) => {
  const rules = await loadWorkflowRules()
  t.notOk(rules.find((r) => r.id === 'data.sync-atomic')?.requirementIds.includes('R16'))
  t.notOk(rules.find((r) => r.id === 'data.learning-records')?.requirementIds.includes('R5.3-5b'))
})

t.test('one signing vector derived here with createHmac alone, independent of the signing library (R7)', async (t) => {
  const vectors = JSON.parse(readFileSync(specPath('signing', 'vectors.json'), 'utf8')) as { vectors: Array<{ id: string; secret: string; expected: { signature: string } }> }
  const v = vectors.vectors.find((x) => x.id === 'get-chinese-query')!
  // GET https://api.provider.example.cn/v1/courses?q=电工&page=2&a=1&a=0, empty body, written out by hand:
  const emptyBodySha256 = createHash('sha256').update('').digest('hex')
  t.equal(emptyBodySha256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  const canonical = [
    'GET',
    '/v1/courses',
    'a=0&a=1&page=2&q=%E7%94%B5%E5%B7%A5', // decoded, RFC 3986 re-encoded, sorted by key then value
    'api.provider.example.cn',
    '1767196800',
    'n0nce-get-chinese-query-01',
    'sg-test-provider-01',
    emptyBodySha256,
  ].join('\n')
  const stringToSign = `SG-SIGNATURE-V1\nHMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`
  const signature = createHmac('sha256', 'sgtest_7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4').update(stringToSign, 'utf8').digest('base64')
  t.equal(signature, 'hh6bKqr87B4AM8vejliP73x7DpHkE0QZZ6Tf6XlW5x0=', 'the literal derivation gives the published signature')
  t.equal(v.expected.signature, signature, 'and vectors.json publishes exactly that')
  t.equal(v.secret, 'sgtest_7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4')
})
