// R8/R9 completeness per kind (R5-0, R5.1-1, R5.2-4, R5.3-1, R5.3-2, R5.3-3): a complete
// application passes; each twin lacks exactly one item and fails naming that item.
import t from 'tap'
import { MIN_PERSON_TIMES_SERVED, PROVIDER_KINDS, checkCompleteness, documentTypesFor } from './requirements-by-kind.js'
import type { CompletenessInput, ProviderKind } from './requirements-by-kind.js'

function complete(kind: ProviderKind): CompletenessInput {
  return {
    kind,
    form: {
      contact: { name: '王老师', phone: '010-1', email: 'a@b.cn' },
      declarations: { noDishonestyRecord: true, ...(kind === 'self-hosted' ? { personTimesServed: MIN_PERSON_TIMES_SERVED } : {}) },
      ...(kind === 'resource' ? {} : { serviceTeam: { phone: '400' } }),
    },
    endpointBaseUrl: kind === 'resource' ? null : 'https://api.example.cn/',
    sandboxTenantCount: kind === 'self-hosted' ? 2 : 0,
    documents: documentTypesFor(kind).map((d) => ({ docType: d.type, attributes: d.type === 'mlps-certificate' ? { level: 2 } : {} })),
  }
}

for (const kind of PROVIDER_KINDS) {
  t.test(`${kind}: complete passes, each twin with one defect fails on that item`, async (t) => {
    t.same(checkCompleteness(complete(kind)), [])
    const twins: [string, (c: CompletenessInput) => void][] = [
      ...documentTypesFor(kind).map((d) => [`document:${d.type}`, (c: CompletenessInput) => { c.documents = c.documents.filter((x) => x.docType !== d.type) }] as [string, (c: CompletenessInput) => void]),
      ['declarations.noDishonestyRecord', (c) => { c.form.declarations.noDishonestyRecord = false }],
      ['contact.name', (c) => { c.form.contact.name = ' ' }],
    ]
    if (kind !== 'resource') {
      twins.push(['endpointBaseUrl', (c) => { c.endpointBaseUrl = null }])
      twins.push(['serviceTeam', (c) => { delete c.form.serviceTeam }])
    }
    if (kind === 'self-hosted') {
      twins.push(['sandboxTenants', (c) => { c.sandboxTenantCount = 1 }])
      twins.push(['declarations.personTimesServed', (c) => { c.form.declarations.personTimesServed = MIN_PERSON_TIMES_SERVED - 1 }])
      twins.push(['document:mlps-certificate', (c) => { c.documents = c.documents.map((d) => (d.docType === 'mlps-certificate' ? { ...d, attributes: { level: 1 } } : d)) }])
    }
    for (const [item, defect] of twins) {
      const input = structuredClone(complete(kind))
      defect(input)
      const missing = checkCompleteness(input)
      t.same(missing.map((m) => m.item), [item], `missing exactly ${item}`)
      t.ok(missing[0]!.requirementIds.length > 0, `${item} cites requirements`)
    }
  })
}

t.test('R5.2-4: a resource provider without a named contact is incomplete under R5.2-4', async (t) => {
  const input = complete('resource')
  input.form.contact.name = ''
  t.ok(checkCompleteness(input)[0]!.requirementIds.includes('R5.2-4'))
})
