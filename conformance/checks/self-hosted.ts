// Self-hosted platforms store training organisations' own courses (第五条（三）). With the two
// sandbox tenants the platform hands the kit, these checks upload small objects as tenant A and
// then try what must not work: reading them anonymously or as tenant B (R5.3-5a), deleting one
// before its retention ends (R5.3-5b), and getting content carrying a moderation canary past the
// filter without an alert (R5.3-4, in self-hosted-moderation.ts). Uploads are shared through `ctx.once`; the object probed for
// privacy is never the one the delete probe targets, so a platform that wrongly allows the delete
// cannot make the privacy probes pass by 404.
import type { RetentionPolicy } from '../../specs/types.gen.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext, SandboxTenantCredentials } from '../probe-context.js'
import { defineCheck, fail, pass, type CheckDefinition, type Evidence } from './framework.js'
import { exchangeEvidence, judgeProblem, reproduce } from './http-expect.js'
import { createModerationChecks, type SelfHostedCheckOptions } from './self-hosted-moderation.js'
import { bearer, objectPath, probeObject, tenantsOf, uploadFailure } from './self-hosted-objects.js'
import { TENANT_REQUIRES } from '../probe-preconditions.js'

export type { ModerationClock, SelfHostedCheckOptions } from './self-hosted-moderation.js'

/** R5.3-5b: three years, as the spec counts them. */
export const MIN_RETENTION_DAYS = 1095
const DAY_MS = 86_400_000
/** Timestamps may carry whole seconds only. */
const CLOCK_SLACK_MS = 1_000

const SELF = ['self-hosted'] as const

// ---------------------------------------------------------------------------------------------
// R5.3-5b retention

export const retentionPolicyCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.retention-policy',
  requirementIds: ['R5.3-5b'],
  severity: 'must',
  kinds: SELF,
  subject: 'platform',
  title: { 'zh-CN': '保存策略：租户课程至少保存 3 年（1095 天）且拒绝提前删除', en: 'Retention policy: tenant courses kept ≥ 3 years (1095 days), early deletion refused' },
  does: { 'zh-CN': '读取保存策略，要求 minimumRetentionDays 不少于 1095 天、earlyDeletion 为 refused、appliesTo 含 tenant-courses（第五条（三）5）。', en: 'Reads the retention policy and requires minimumRetentionDays ≥ 1095, earlyDeletion "refused" and appliesTo including tenant-courses (R5.3-5b).' },
  failureMeans: { 'zh-CN': '声明的保存策略不足 3 年或允许提前删除：不满足第五条（三）5 的保存要求。', en: 'The declared policy keeps courses less than 3 years or allows early deletion: R5.3-5b is not met.' },
  async run(ctx, rt) {
    const res = await ctx.client.request({ url: ctx.url('/v1/storage/retention-policy'), signal: rt.signal })
    const evidence = [exchangeEvidence(res)]
    const policy = res.status === 200 ? (res.json as Partial<RetentionPolicy> | undefined) : undefined
    const reasons: string[] = []
    if (!policy || typeof policy !== 'object') reasons.push(`no policy document (status ${res.status})`)
    else {
      if (typeof policy.minimumRetentionDays !== 'number' || policy.minimumRetentionDays < MIN_RETENTION_DAYS) reasons.push(`minimumRetentionDays is ${JSON.stringify(policy.minimumRetentionDays) ?? 'absent'}, at least ${MIN_RETENTION_DAYS} required`)
      if (policy.earlyDeletion !== 'refused') reasons.push(`earlyDeletion is ${JSON.stringify(policy.earlyDeletion) ?? 'absent'}, "refused" required`)
      if (!Array.isArray(policy.appliesTo) || !policy.appliesTo.includes('tenant-courses')) reasons.push('appliesTo does not include "tenant-courses"')
    }
    const measured = { minimumRetentionDays: policy?.minimumRetentionDays ?? null, earlyDeletion: policy?.earlyDeletion ?? null, appliesTo: policy?.appliesTo ?? null }
    if (reasons.length > 0) {
      return fail({ 'zh-CN': `保存策略不合规：${reasons.join('；')}`, en: `The retention policy falls short: ${reasons.join('; ')}` }, { evidence, measured, errorCode: 'SG_ERR_RETENTION_TOO_SHORT', reproduce: reproduce(res) })
    }
    return pass({ 'zh-CN': `策略保留租户课程 ${policy!.minimumRetentionDays} 天并拒绝提前删除`, en: `policy keeps tenant courses ${policy!.minimumRetentionDays} days and refuses early deletion` }, { evidence, measured })
  },
})

export const retainUntilCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.retain-until',
  requires: TENANT_REQUIRES,
  requirementIds: ['R5.3-5b'],
  severity: 'must',
  kinds: SELF,
  subject: 'platform',
  title: { 'zh-CN': '上传对象的 retainUntil 不早于上传时间加 3 年', en: "An uploaded object's retainUntil is at least 3 years after uploadedAt" },
  does: { 'zh-CN': '以租户 A 上传一个对象，要求 retainUntil 不早于 uploadedAt 加 1095 天。', en: 'Uploads an object as tenant A and requires retainUntil at least 1095 days after uploadedAt.' },
  failureMeans: { 'zh-CN': '上传的课程实际保存期不足 3 年。', en: 'Uploaded courses are actually kept less than 3 years.' },
  async run(ctx) {
    const u = await probeObject(ctx, 'private')
    if (!u.object) return uploadFailure(u, '检测对象 / the probe object')
    const uploadedMs = Date.parse(u.object.uploadedAt)
    const retainMs = Date.parse(u.object.retainUntil)
    const evidence = [exchangeEvidence(u.response)]
    const days = (retainMs - uploadedMs) / DAY_MS
    const measured = { objectId: u.object.objectId, uploadedAt: u.object.uploadedAt, retainUntil: u.object.retainUntil, retainedDays: Number.isFinite(days) ? Math.round(days * 1000) / 1000 : null, requiredDays: MIN_RETENTION_DAYS }
    if (!Number.isFinite(uploadedMs) || !Number.isFinite(retainMs)) {
      return fail({ 'zh-CN': 'uploadedAt 或 retainUntil 不是有效时间戳', en: 'uploadedAt or retainUntil is not a valid timestamp' }, { evidence, measured, errorCode: 'SG_ERR_RETENTION_TOO_SHORT', reproduce: reproduce(u.response) })
    }
    if (retainMs + CLOCK_SLACK_MS < uploadedMs + MIN_RETENTION_DAYS * DAY_MS) {
      return fail({
        'zh-CN': `对象 ${u.object.objectId} 仅保存 ${measured.retainedDays} 天（至 ${u.object.retainUntil}），少于 ${MIN_RETENTION_DAYS} 天`,
        en: `Object ${u.object.objectId} is retained only ${measured.retainedDays} days (until ${u.object.retainUntil}), fewer than ${MIN_RETENTION_DAYS}`,
      }, { evidence, measured, errorCode: 'SG_ERR_RETENTION_TOO_SHORT', reproduce: reproduce(u.response) })
    }
    return pass({ 'zh-CN': `对象 ${u.object.objectId} 保留至 ${u.object.retainUntil}（${measured.retainedDays} 天）`, en: `object ${u.object.objectId} is retained until ${u.object.retainUntil} (${measured.retainedDays} days)` }, { evidence, measured })
  },
})

export const earlyDeleteRefusedCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.early-delete-refused',
  requires: TENANT_REQUIRES,
  requirementIds: ['R5.3-5b'],
  severity: 'must',
  kinds: SELF,
  subject: 'platform',
  title: { 'zh-CN': '保存期内删除自有对象被拒绝（409）', en: 'Deleting an own object before retainUntil is refused (409)' },
  does: { 'zh-CN': '以租户 A 在保存期内删除自己的对象，要求以 409 SG_ERR_RETENTION_ACTIVE 拒绝。', en: 'Deletes an own object as tenant A before retainUntil and requires a refusal with 409 SG_ERR_RETENTION_ACTIVE.' },
  failureMeans: { 'zh-CN': '保存期内的课程可被删除：保存承诺可被绕过。', en: 'Courses can be deleted while retained: the retention promise can be bypassed.' },
  async run(ctx, rt) {
    const { A } = tenantsOf(ctx)
    const u = await probeObject(ctx, 'delete')
    if (!u.object) return uploadFailure(u, '检测对象 / the probe object')
    const res = await ctx.client.request({ method: 'DELETE', url: ctx.url(objectPath(A.tenantId, u.object.objectId)), headers: bearer(A), signal: rt.signal })
    const evidence = [exchangeEvidence(u.response, `uploaded ${u.object.objectId}, retainUntil ${u.object.retainUntil}`), exchangeEvidence(res)]
    const measured = { objectId: u.object.objectId, retainUntil: u.object.retainUntil, status: res.status }
    if (res.status >= 200 && res.status < 300) {
      return fail({
        'zh-CN': `租户 A 在保存期（至 ${u.object.retainUntil}）内删除对象 ${u.object.objectId} 成功（状态 ${res.status}），应返回 409`,
        en: `Tenant A deleted object ${u.object.objectId} before its retainUntil ${u.object.retainUntil} (status ${res.status}); 409 expected`,
      }, { evidence, measured, errorCode: 'SG_ERR_RETENTION_EARLY_DELETE', reproduce: reproduce(res) })
    }
    const verdict = judgeProblem(res, { status: 409, codes: ['SG_ERR_RETENTION_ACTIVE'] })
    if (!verdict.ok) {
      return fail({ 'zh-CN': `提前删除的拒绝答复不符合规范：${verdict.reasons.join('；')}`, en: `The refusal of an early delete is off-contract: ${verdict.reasons.join('; ')}` }, { evidence, measured, errorCode: 'SG_ERR_RETENTION_EARLY_DELETE', reproduce: reproduce(res) })
    }
    return pass({ 'zh-CN': `提前删除被拒绝：409 ${verdict.code ?? ''}`.trim(), en: `early delete refused with 409 ${verdict.code ?? ''}`.trim() }, { evidence, measured })
  },
})

// ---------------------------------------------------------------------------------------------
// R5.3-5a privacy

const REFUSALS = new Set([401, 403, 404])

interface PrivacyProbe { label: string; res: ProbeResponse; allowed: ReadonlySet<number> }

async function privacyCheckRun(ctx: ProbeContext, signal: AbortSignal, probes: (A: SandboxTenantCredentials, B: SandboxTenantCredentials, objectId: string) => Promise<PrivacyProbe[]>, what: { zh: string; en: string }) {
  const { A, B } = tenantsOf(ctx)
  const u = await probeObject(ctx, 'private')
  if (!u.object) return uploadFailure(u, '私有对象 / a private object')
  const own = await ctx.client.request({ url: ctx.url(objectPath(A.tenantId, u.object.objectId)), headers: bearer(A), signal })
  const evidence: Evidence[] = [exchangeEvidence(own, `control: tenant A reads its own object → ${own.status}`)]
  // Without this control a platform that answers 404 to everyone would pass.
  if (own.status !== 200) {
    return fail({
      'zh-CN': `租户 A 无法读取自己的对象（状态 ${own.status}），隐私检测无法得出结论`,
      en: `Tenant A cannot read its own object (status ${own.status}), so the privacy probe proves nothing`,
    }, { evidence, measured: { ownRead: own.status }, errorCode: 'SG_ERR_TENANT_PRIVACY_BREACH', reproduce: reproduce(own) })
  }
  const results = await probes(A, B, u.object.objectId)
  const bad = results.filter((p) => !p.allowed.has(p.res.status))
  for (const p of results) evidence.push(exchangeEvidence(p.res, `${p.label} → ${p.res.status}`))
  const measured = { objectId: u.object.objectId, ownRead: own.status, probes: results.map((p) => ({ probe: p.label, status: p.res.status })) }
  if (bad.length > 0) {
    const leaked = bad.filter((p) => p.res.status >= 200 && p.res.status < 300)
    const first = leaked[0] ?? bad[0]!
    const list = bad.map((p) => `${p.label} → ${p.res.status}`).join('; ')
    return fail({
      'zh-CN': `${what.zh}：${list}（应为 ${[...first.allowed].join('/')}）`,
      en: `${what.en}: ${list} (expected ${[...first.allowed].join('/')})`,
    }, { evidence, measured, errorCode: 'SG_ERR_TENANT_PRIVACY_BREACH', reproduce: reproduce(first.res) })
  }
  return pass({ 'zh-CN': `对租户 A 对象的 ${results.length} 次未授权读取均被拒绝：${results.map((p) => p.res.status).join(', ')}`, en: `${results.length} unauthorised read(s) of tenant A's object refused: ${results.map((p) => p.res.status).join(', ')}` }, { evidence, measured })
}

export const privacyAnonymousCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.privacy-anonymous',
  requires: TENANT_REQUIRES,
  requirementIds: ['R5.3-5a'],
  severity: 'must',
  kinds: SELF,
  subject: 'platform',
  title: { 'zh-CN': '无租户令牌不能读取租户私有课程', en: "A tenant's private course cannot be read without a tenant token" },
  does: { 'zh-CN': '确认租户 A 能读取自己的对象后，分别以签名但无租户令牌、以及完全匿名的请求读取，要求 401、403 或 404。', en: 'After checking that tenant A reads its own object, reads it signed without a tenant token and wholly anonymously, and requires 401, 403 or 404.' },
  failureMeans: { 'zh-CN': '租户私有课程无需租户令牌即可读取：参培机构的自有课程未被保密（第五条（三）5）。', en: 'A tenant’s private course is readable without a tenant token: organisations’ own courses are not kept private (R5.3-5a).' },
  async run(ctx, rt) {
    return privacyCheckRun(ctx, rt.signal, async (A, _B, objectId) => {
      const url = ctx.url(objectPath(A.tenantId, objectId))
      // Signed but with no tenant token (the platform's API client), then wholly anonymous.
      const [signed, bare] = await Promise.all([
        ctx.client.request({ url, signal: rt.signal }),
        ctx.anonymous.request({ url, sign: false, signal: rt.signal }),
      ])
      return [
        { label: 'signed request without a tenant token', res: signed, allowed: REFUSALS },
        { label: 'unsigned request without a tenant token', res: bare, allowed: REFUSALS },
      ]
    }, { zh: '无租户令牌即可读取租户 A 的私有对象', en: "Tenant A's private object is readable without a tenant token" })
  },
})

export const privacyCrossTenantCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.privacy-cross-tenant',
  requires: TENANT_REQUIRES,
  requirementIds: ['R5.3-5a'],
  severity: 'must',
  kinds: SELF,
  subject: 'platform',
  title: { 'zh-CN': '其他租户不能读取租户私有课程', en: "Another tenant cannot read a tenant's private course" },
  does: { 'zh-CN': '以租户 B 的令牌读取租户 A 的对象（A 的路径和 B 的路径各一次），要求 403 或 404。', en: 'Reads tenant A’s object with tenant B’s token (under A’s path and under B’s) and requires 403 or 404.' },
  failureMeans: { 'zh-CN': '一个租户可以读取另一个租户的私有课程：租户隔离失效（第五条（三）5）。', en: 'One tenant can read another’s private course: tenants are not isolated (R5.3-5a).' },
  async run(ctx, rt) {
    return privacyCheckRun(ctx, rt.signal, async (A, B, objectId) => {
      const [inA, inB] = await Promise.all([
        ctx.client.request({ url: ctx.url(objectPath(A.tenantId, objectId)), headers: bearer(B), signal: rt.signal }),
        // The same object id under B's own path must not resolve to A's object either.
        ctx.client.request({ url: ctx.url(objectPath(B.tenantId, objectId)), headers: bearer(B), signal: rt.signal }),
      ])
      return [
        { label: "tenant B reads A's object under A's path", res: inA, allowed: new Set([403, 404]) },
        { label: "tenant B reads A's object id under B's path", res: inB, allowed: new Set([403, 404]) },
      ]
    }, { zh: '租户 B 可读取租户 A 的私有对象', en: "Tenant B can read tenant A's private object" })
  },
})

export function createSelfHostedChecks(o: SelfHostedCheckOptions = {}): CheckDefinition<ProbeContext>[] {
  return [retentionPolicyCheck, retainUntilCheck, earlyDeleteRefusedCheck, privacyAnonymousCheck, privacyCrossTenantCheck, ...createModerationChecks(o)]
}

export const selfHostedChecks: CheckDefinition<ProbeContext>[] = createSelfHostedChecks()
