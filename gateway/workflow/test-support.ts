// Shared by the workflow tests, the bench and the demo: complete application bodies per kind,
// their documents, a signed-request helper for app.inject, and a conformance runner that produces
// a real report through the check framework (conformance/checks) with a chosen verdict.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { defineCheck, fail, pass, runChecks } from '../../conformance/checks/framework.js'
import type { RunContext } from '../../conformance/checks/framework.js'
import { signRequest } from '../../conformance/signing/index.js'
import { documentTypesFor } from './requirements-by-kind.js'
import type { ProviderKind } from './requirements-by-kind.js'
import type { NewApplicationInput } from './application.js'
import type { ConformanceRunner } from './conformance.js'

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

export interface ProviderCredentials { providerId: string; token: string; keyId: string; secret: string }

/** app.inject with the request signed by the provider's key (SG-SIGNATURE-V1). */
export function signedInject(app: FastifyInstance, creds: Pick<ProviderCredentials, 'keyId' | 'secret'>, method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const host = 'gateway.test'
  const headers = signRequest({ method, url, headers: { host }, body: payload === undefined ? undefined : Buffer.from(payload), keyId: creds.keyId, secret: creds.secret })
  const opts: InjectOptions = { method, url, headers: { ...headers, host, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) }
  return app.inject(opts)
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** A runner that runs one real check through the framework; the report's verdict is `verdict`. */
export function checkFrameworkRunner(verdict: 'conformant' | 'not-conformant'): ConformanceRunner {
  return async (target) => {
    const ctx: RunContext = { subject: { type: 'platform', kind: target.kind, baseUrl: target.endpointBaseUrl ?? 'http://127.0.0.1:9/' }, mode: 'local' }
    const report = await runChecks([
      defineCheck<RunContext>({
        id: 'catalogue.count', requirementIds: ['R5.1-2'], severity: 'must', kinds: [target.kind], subject: 'platform',
        title: { 'zh-CN': '课程数量达标', en: 'Enough courses' },
        run: async () => (verdict === 'conformant' ? pass('120 courses', { measured: { courses: 120 } }) : fail('12 courses, fewer than 100', { measured: { courses: 12 } })),
      }),
    ], ctx)
    return { report, verdict: report.verdict === 'conformant' ? 'conformant' : 'not-conformant' }
  }
}
