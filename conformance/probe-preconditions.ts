// The platform run's preconditions (conformance/checks/framework/preconditions.ts): the target
// answers at all, the kit's signed requests are accepted, and the sandbox tenants are configured and
// accepted. Each is decided once, from the shared GET /v1/service-info or one cheap tenant request,
// and when one does not hold every check that needs it reports this root cause (with the code, the
// evidence and a fix), instead of failing with its own, misleading code.
import { isSkillgateError } from '../specs/lib/errors.js'
import type { Bilingual, Precondition, PreconditionFailure } from './checks/framework/check-types.js'
import { exchangeEvidence, reproduce } from './checks/http-expect.js'
import { note } from './checks/framework.js'
import type { ProbeResponse } from './net/probe-client.js'
import type { ProbeContext, SandboxTenantCredentials } from './probe-context.js'

export const PRECONDITIONS = { reachable: 'target-reachable', signed: 'signed-access', tenants: 'tenant-access' } as const
/** What a platform check needs unless it declares otherwise. */
export const DEFAULT_REQUIRES: readonly string[] = [PRECONDITIONS.reachable, PRECONDITIONS.signed]
/** Checks that act as a sandbox tenant (R5.3-4, R5.3-5a, R5.3-5b). */
export const TENANT_REQUIRES: readonly string[] = [PRECONDITIONS.reachable, PRECONDITIONS.signed, PRECONDITIONS.tenants]

/** Network failures that mean the platform cannot be reached at all. */
const UNREACHABLE = new Set(['SG_ERR_NET_UNREACHABLE', 'SG_ERR_NET_DNS', 'SG_ERR_NET_TLS'])
/** Root causes that are the caller's to fix before any run (the CLI exits 2 on them). */
export const CONFIG_ROOT_CAUSES: ReadonlySet<string> = new Set(['SG_ERR_PROBE_NO_KEY', 'SG_ERR_CHECK_TENANTS_MISSING'])

const failure = (code: string, message: Bilingual, res?: ProbeResponse, config = false): PreconditionFailure => ({
  code,
  message,
  ...(res ? { evidence: [exchangeEvidence(res)], reproduce: reproduce(res) } : {}),
  ...(config ? { config } : {}),
})

const problemCode = (res: ProbeResponse): string => {
  const code = (res.json as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? ` ${code}` : ''
}

async function reachable(ctx: ProbeContext): Promise<PreconditionFailure | undefined> {
  try {
    await ctx.serviceInfo()
    return undefined
  } catch (err) {
    if (!isSkillgateError(err)) throw err
    const exchange = err.details?.evidence
    const evidence = exchange ? [note(`${err.code}: ${err.message}`)] : []
    if (UNREACHABLE.has(err.code)) {
      return {
        code: 'SG_ERR_PROBE_TARGET_UNREACHABLE',
        message: { 'zh-CN': `无法连接被检测平台 ${ctx.baseUrl}（${err.code}：${err.message}）；请核对 BASE_URL 并确认平台正在运行`, en: `The platform at ${ctx.baseUrl} cannot be reached (${err.code}: ${err.message}); check BASE_URL and that the platform is running` },
        evidence,
      }
    }
    // Any other failure of the first request (SSRF refusal, deadline, oversized body) is itself the root cause.
    return { code: err.code, message: { 'zh-CN': `GET /v1/service-info 未完成（${err.code}）：${err.message}`, en: `GET /v1/service-info did not complete (${err.code}): ${err.message}` }, evidence }
  }
}

async function signedAccess(ctx: ProbeContext): Promise<PreconditionFailure | undefined> {
  if (!ctx.credentials) {
    return failure('SG_ERR_PROBE_NO_KEY', { 'zh-CN': '未提供签名密钥：本检查项需要签名请求，请传入 --key-id 与 --secret-env', en: 'No signing key: this check needs signed requests; give --key-id and --secret-env' }, undefined, true)
  }
  const { response } = await ctx.serviceInfo()
  if (response.status !== 401 && response.status !== 403) return undefined
  return failure('SG_ERR_PROBE_UNAUTHORISED', {
    'zh-CN': `平台拒绝了检测工具的签名请求：以密钥标识 ${ctx.credentials.keyId} 签名的 GET /v1/service-info 返回 ${response.status}${problemCode(response)}。请检查 --key-id/--secret-env；两者无误时，请用 /spec/signing/vectors.json 核对平台的签名校验`,
    en: `Signed requests are refused: GET /v1/service-info signed with key id ${ctx.credentials.keyId} answered ${response.status}${problemCode(response)}. Check --key-id/--secret-env; if both are right, check the platform's signature verification against /spec/signing/vectors.json`,
  }, response)
}

/** The tenant's token on its own (absent) object: 404 means the token was accepted, 401/403 that it was not. */
async function tenantAccess(ctx: ProbeContext): Promise<PreconditionFailure | undefined> {
  const { A, B } = ctx.tenants
  if (!A || !B) {
    const missing = [!A ? 'A' : '', !B ? 'B' : ''].filter(Boolean).join(' and ')
    return failure('SG_ERR_CHECK_TENANTS_MISSING', { 'zh-CN': `缺少沙箱租户 ${missing}：请在 --config 的 tenants 中提供租户 ID 与令牌`, en: `Sandbox tenant ${missing} missing: give its tenant id and token under tenants in --config` }, undefined, true)
  }
  for (const [name, t] of [['A', A], ['B', B]] as [string, SandboxTenantCredentials][]) {
    const res = await ctx.client.request({ url: ctx.url(`/v1/tenants/${encodeURIComponent(t.tenantId)}/objects/skillgate-precondition-absent`), headers: { authorization: `Bearer ${t.token}` } })
    if (res.status === 401 || res.status === 403) {
      return failure('SG_ERR_PROBE_TENANT_REFUSED', {
        'zh-CN': `平台拒绝了沙箱租户 ${name}（${t.tenantId}）的令牌：读取其自有对象返回 ${res.status}${problemCode(res)}。请核对配置文件中 tenants.${name} 的 tenantId 与 token`,
        en: `The platform refused sandbox tenant ${name}'s (${t.tenantId}) token: reading its own object answered ${res.status}${problemCode(res)}. Check tenants.${name} (tenantId, token) in the config file`,
      }, res)
    }
  }
  return undefined
}

/** The preconditions of one platform run, bound to its context. */
export function platformPreconditions(ctx: () => ProbeContext): Record<string, Precondition> {
  return {
    [PRECONDITIONS.reachable]: () => reachable(ctx()),
    [PRECONDITIONS.signed]: () => signedAccess(ctx()),
    [PRECONDITIONS.tenants]: () => tenantAccess(ctx()),
  }
}
