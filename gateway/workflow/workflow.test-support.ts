// Shared by the workflow and route tests: complete application bodies per kind and their documents
// (kept in bench/, which uses them too), a signed-request helper for app.inject, and a conformance
// runner that produces a real report through the check framework (conformance/checks) with a chosen verdict.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { defineCheck, fail, pass, runChecks } from '../../conformance/checks/framework.js'
import type { RunContext } from '../../conformance/checks/framework.js'
import { signRequest } from '../../conformance/signing/index.js'
import type { ConformanceRunner } from './conformance.js'

export { applicationBody, documentBodies, USCC } from '../../bench/application-bodies.js'

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
        run: async () => (verdict === 'conformant' ? pass({ 'zh-CN': '120 门课程', en: '120 courses' }, { measured: { courses: 120 } }) : fail({ 'zh-CN': '12 门课程，少于 100 门', en: '12 courses, fewer than 100' }, { measured: { courses: 12 } })),
      }),
    ], ctx)
    return { report, verdict: report.verdict === 'conformant' ? 'conformant' : 'not-conformant' }
  }
}
