// Complete application bodies per provider kind and one upload body per required document type:
// what the benches (and, through gateway/workflow/workflow.test-support.ts, the tests) submit.
import type { NewApplicationInput } from '../gateway/workflow/application.js'
import { documentTypesFor } from '../gateway/workflow/requirements-by-kind.js'
import type { ProviderKind } from '../gateway/workflow/requirements-by-kind.js'

/** Valid USCCs (check digit per GB 32100-2015) and one with a wrong check digit. */
export const USCC = { valid: '91110108MA01ABCD1E', badCheckDigit: '91110108MA01ABCD1F' } as const

export function applicationBody(kind: ProviderKind, overrides: Partial<NewApplicationInput> = {}): NewApplicationInput {
  return {
    kind,
    organisation: { name: '北京示例职业培训科技有限公司', uscc: USCC.valid },
    contact: { name: '王老师', phone: '010-12345678', email: 'contact@example.cn' },
    declarations: { noDishonestyRecord: true, ...(kind === 'self-hosted' ? { personTimesServed: 1_200_000 } : {}) },
    ...(kind === 'resource' ? {} : { serviceTeam: { phone: '400-000-0000', hours: '9:00–18:00' }, endpointBaseUrl: 'http://127.0.0.1:9/' }),
    ...(kind === 'self-hosted' ? { sandboxTenants: [{ tenantId: 'tenant-a', token: 'tok-a' }, { tenantId: 'tenant-b', token: 'tok-b' }] } : {}),
    ...overrides,
  }
}

/** One upload body per required document type of `kind` (a tiny PDF-looking file each). */
export function documentBodies(kind: ProviderKind): { type: string; fileName: string; contentType: string; contentBase64: string; attributes?: Record<string, unknown> }[] {
  return documentTypesFor(kind).map((d) => ({
    type: d.type,
    fileName: `${d.type}.pdf`,
    contentType: 'application/pdf',
    contentBase64: Buffer.from(`%PDF-1.4\n% ${d.type} ${d.zh}\n%%EOF\n`).toString('base64'),
    ...(d.type === 'mlps-certificate' ? { attributes: { level: 3 } } : {}),
  }))
}
