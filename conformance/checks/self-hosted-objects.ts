// Tenant objects on a self-hosted platform (第五条（三）): the sandbox tenants, the object routes,
// and the small uploads the privacy, retention and moderation checks share through `ctx.once`.
import { sgError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { StoredObject } from '../../specs/types.gen.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext, SandboxTenantCredentials } from '../probe-context.js'
import { fail } from './framework.js'
import { exchangeEvidence, reproduce } from './http-expect.js'

export function tenantsOf(ctx: ProbeContext): { A: SandboxTenantCredentials; B: SandboxTenantCredentials } {
  const { A, B } = ctx.tenants
  if (!A || !B) {
    throw sgError('SG_ERR_CHECK_TENANTS_MISSING', `missing sandbox tenant ${[!A ? 'A' : '', !B ? 'B' : ''].filter(Boolean).join(' and ')}`)
  }
  return { A, B }
}

export const bearer = (t: SandboxTenantCredentials): Record<string, string> => ({ authorization: `Bearer ${t.token}` })
export const objectsPath = (tenantId: string): string => `/v1/tenants/${encodeURIComponent(tenantId)}/objects`
export const objectPath = (tenantId: string, objectId: string): string => `${objectsPath(tenantId)}/${encodeURIComponent(objectId)}`

export interface Uploaded {
  response: ProbeResponse
  /** The stored object when the answer was 201 with a JSON body carrying an objectId. */
  object?: StoredObject
  schemaErrors: number
}

export async function upload(ctx: ProbeContext, tenant: SandboxTenantCredentials, body: { name: string; contentType: string; content: Buffer; title?: string }): Promise<Uploaded> {
  const response = await ctx.client.request({
    method: 'POST',
    url: ctx.url(objectsPath(tenant.tenantId)),
    headers: bearer(tenant),
    json: { name: body.name, contentType: body.contentType, contentBase64: body.content.toString('base64'), ...(body.title ? { title: { 'zh-CN': body.title } } : {}) },
  })
  const json = response.json as Partial<StoredObject> | undefined
  const out: Uploaded = { response, schemaErrors: 0 }
  if (response.status === 201 && json && typeof json === 'object' && typeof json.objectId === 'string') {
    out.object = json as StoredObject
    out.schemaErrors = schemas().validate('stored-object', json).errors.length
  }
  return out
}

/** A harmless object of tenant A's, uploaded once per run per purpose. */
export function probeObject(ctx: ProbeContext, purpose: 'private' | 'delete'): Promise<Uploaded> {
  return ctx.once(`self-hosted:object:${purpose}`, () => {
    const { A } = tenantsOf(ctx)
    const text = `skillgate conformance probe (${purpose}), ${new Date().toISOString()}\n安全用电讲义：本节介绍触电的预防措施。\n`
    return upload(ctx, A, { name: `skillgate-${purpose}-probe.txt`, contentType: 'text/plain; charset=utf-8', content: Buffer.from(text, 'utf8'), title: '一致性检测对象' })
  })
}

export function uploadFailure(u: Uploaded, what: string): ReturnType<typeof fail> {
  return fail({
    'zh-CN': `以租户 A 身份上传${what}失败（状态 ${u.response.status}），无法继续检测`,
    en: `Uploading ${what} as tenant A failed (status ${u.response.status}), so the check cannot proceed`,
  }, { evidence: [exchangeEvidence(u.response)], reproduce: reproduce(u.response) })
}
