import t, { type Test } from 'tap'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { sealReport } from './json.js'
import { renderJunit } from './junit.js'
import { sampleReport } from './sample-report.test-support.js'
import { xmlAttr, xmlText } from './xml-escape.js'

// The attribute and child sets of the JUnit XSD that Jenkins, GitLab and most CI parsers share
// (jenkins-junit.xsd / the Ant junit schema).
const SHAPE: Record<string, { attrs: string[]; required: string[]; children: string[] }> = {
  testsuites: { attrs: ['name', 'time', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'timestamp'], required: [], children: ['testsuite'] },
  testsuite: { attrs: ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp', 'hostname', 'id', 'package', 'disabled', 'file'], required: ['name', 'tests'], children: ['properties', 'testcase', 'system-out', 'system-err'] },
  properties: { attrs: [], required: [], children: ['property'] },
  property: { attrs: ['name', 'value'], required: ['name', 'value'], children: [] },
  testcase: { attrs: ['name', 'classname', 'time', 'assertions', 'status', 'file', 'line'], required: ['name'], children: ['skipped', 'error', 'failure', 'system-out', 'system-err'] },
  failure: { attrs: ['message', 'type'], required: [], children: [] },
  error: { attrs: ['message', 'type'], required: [], children: [] },
  skipped: { attrs: ['message'], required: [], children: [] },
  'system-out': { attrs: [], required: [], children: [] },
}

type Node = Record<string, unknown>
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && name !== 'testsuites' && name !== '?xml', textNodeName: '#text', htmlEntities: true, parseAttributeValue: false, parseTagValue: false, trimValues: false })

function checkShape(t: Test, name: string, node: Node, path: string): void {
  const shape = SHAPE[name]
  if (!shape) { t.fail(`unexpected element <${name}> at ${path}`); return }
  for (const key of Object.keys(node)) {
    if (key === '#text') continue
    if (key.startsWith('@')) {
      if (!shape.attrs.includes(key.slice(1))) t.fail(`<${name}> at ${path} has attribute ${key.slice(1)} outside the JUnit XSD`)
      continue
    }
    if (!shape.children.includes(key)) { t.fail(`<${name}> at ${path} has child <${key}> outside the JUnit XSD`); continue }
    for (const [i, child] of (node[key] as Node[]).entries()) checkShape(t, key, typeof child === 'object' ? child : {}, `${path}/${key}[${i}]`)
  }
  for (const r of shape.required) if (!(`@${r}` in node)) t.fail(`<${name}> at ${path} lacks ${r}`)
}

t.test('JUnit XML parses, follows the JUnit XSD shape and keeps hostile text intact', async (t) => {
  const report = sealReport(await sampleReport())
  const xml = renderJunit(report)
  t.equal(XMLValidator.validate(xml), true, 'well-formed XML')
  const doc = parser.parse(xml) as { testsuites: Node }
  const root = doc.testsuites
  checkShape(t, 'testsuites', root, '')
  t.same([root['@tests'], root['@failures'], root['@errors'], root['@skipped']], ['5', '1', '1', '1'])
  const suites = root.testsuite as Node[]
  t.same(suites.map((s) => s['@name']), ['R5.1-2', 'R5.1-3', 'R5.1-4', 'R5.1-5', 'R20-3'], 'one suite per (first) requirement')
  for (const s of suites) {
    const cases = s.testcase as Node[]
    t.equal(Number(s['@tests']), cases.length, `${String(s['@name'])}: tests count`)
    t.equal(Number(s['@failures']), cases.filter((c) => c.failure).length, `${String(s['@name'])}: failures count`)
  }
  const preview = (suites[1]?.testcase as Node[])[0] as Node
  t.equal(preview['@classname'], 'R5.1-3')
  t.equal(preview['@name'], 'preview.media-duration')
  const failure = (preview.failure as Node[])[0] as Node
  t.equal(failure['@type'], 'SG_CHECK_FAILED')
  t.match(failure['@message'], /^\[must\] Course c-7 preview plays 431\.2 s/)
  t.ok(String(failure['@message']).includes('<script>alert("x")</script> ]]> & "quoted" \'single\''), 'hostile text survives as text')
  t.ok(String(failure['@message']).includes('\\u0001\\u0007\\u000b 中文'), 'control characters shown as visible escapes, Chinese kept')
  t.match(failure['#text'], /reproduce: curl /)
  const contact = ((suites[3]?.testcase as Node[])[0] as Node)
  t.equal(((contact.error as Node[])[0] as Node)['@type'], 'SG_ERR_CHECK_CRASHED')
  const location = ((suites[4]?.testcase as Node[])[0] as Node)
  t.ok(location.skipped, 'skip → <skipped/>')
  const free = ((suites[2]?.testcase as Node[])[0] as Node)
  t.match((free['system-out'] as string[])[0], /^WARNING zh-CN: 免费占比/)
  t.notOk(free.failure, 'a warning is not a failure')
})

t.test('escaping helpers, with the unescaped twin rejected by the same validator', async (t) => {
  const nasty = '<a href="x">]]>&amp;\u0000\u001f\uFFFF\uD800'
  t.equal(XMLValidator.validate(`<r a="${xmlAttr(nasty)}">${xmlText(nasty)}</r>`), true)
  t.not(XMLValidator.validate(`<r a="${nasty}">${nasty}</r>`), true, 'unescaped input is rejected')
  t.equal(xmlText('\uD83D\uDE00'), '\uD83D\uDE00', 'a valid surrogate pair is kept')
  const round = parser.parse(`<r a="${xmlAttr('line1\nline2\ttab')}"/>`) as { r: Node[] }
  t.equal(round.r[0]?.['@a'], 'line1\nline2\ttab', 'attribute line breaks survive parsing')
})
