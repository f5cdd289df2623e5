// R5.3-4 content moderation on a self-hosted platform, tested with the spec's canaries
// (specs/canaries/README.md). What an upload answers is only a claim, so three checks share one
// run (self-hosted-moderation-run.ts) and look at what happens after it:
//   moderation-canaries  every canary upload answered "blocked" with its category and was alerted in time;
//   moderation-withheld  every canary object, read back as its owner, as tenant B and anonymously, is
//                        refused or quarantined, whatever the upload answered;
//   moderation-control   every clean control stored as clean, readable, and no alert about it for
//                        the spec's full window (60 s after the upload).
import { loadCanaries } from '../../specs/lib/canaries.js'
import type { StoredObject } from '../../specs/types.gen.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { defineCheck, fail, note, pass, type CheckDefinition, type CheckOutcome, type CheckRuntime, type Evidence } from './framework.js'
import { exchangeEvidence, reproduce } from './http-expect.js'
import { mapLimit } from './map-limit.js'
import { alertMatches, controlWatch, moderationRun, uploadLabel as label, type ModerationRun, type ModerationUpload, type SelfHostedCheckOptions } from './self-hosted-moderation-run.js'
import { bearer, objectPath, tenantsOf } from './self-hosted-objects.js'
import { TENANT_REQUIRES } from '../probe-preconditions.js'

export type { ModerationClock, SelfHostedCheckOptions } from './self-hosted-moderation-run.js'

const SELF = ['self-hosted'] as const
/** Answers that withhold an object (the owner may also get quarantined metadata, see below). */
const REFUSALS = new Set([401, 403, 404, 410, 451])
const seconds = (ms: number): number => Math.round(ms / 100) / 10

/** One moderation run, split into its canary uploads and its clean controls. */
interface Moderated { run: ModerationRun; canaries: ModerationUpload[]; controls: ModerationUpload[] }

/**
 * An R5.3-4 check: tenant checks of a self-hosted platform, all 'must', judging the one shared
 * moderation run (its canaries and its clean controls), each in its own way.
 */
function moderationCheck(o: SelfHostedCheckOptions, def: Pick<CheckDefinition<ProbeContext>, 'id' | 'title' | 'does' | 'failureMeans'> & {
  judge(m: Moderated, ctx: ProbeContext, rt: CheckRuntime): Promise<CheckOutcome>
}): CheckDefinition<ProbeContext> {
  return defineCheck<ProbeContext>({
    id: def.id,
    requires: TENANT_REQUIRES,
    requirementIds: ['R5.3-4'],
    severity: 'must',
    kinds: SELF,
    subject: 'platform',
    title: def.title,
    does: def.does,
    failureMeans: def.failureMeans,
    async run(ctx, rt) {
      const run = await moderationRun(ctx, o, rt.signal)
      return def.judge({ run, canaries: run.uploads.filter((u) => u.canary.category !== null), controls: run.uploads.filter((u) => u.canary.category === null) }, ctx, rt)
    },
  })
}

function canariesCheck(o: SelfHostedCheckOptions): CheckDefinition<ProbeContext> {
  return moderationCheck(o, {
    id: 'selfhosted.moderation-canaries',
    title: { 'zh-CN': '内容审核测试标记被自动拦截并在规定时间内预警', en: 'Moderation canaries are blocked automatically and alerted in time' },
    does: { 'zh-CN': '以租户 A 按各种投递方式上传带有规范测试标记（canaries）的内容，要求每次上传被拦截（verdict blocked 且类别正确），并在规定时间内出现在预警接口中。', en: 'Uploads content carrying the specification’s canaries in every delivery form as tenant A and requires each upload blocked with the right category and alerted on the feed in time.' },
    failureMeans: { 'zh-CN': '含违规内容标记的上传未被自动拦截或未预警：内容审核链路不满足第五条（三）4。', en: 'Uploads carrying the markers are not blocked automatically or not alerted: content moderation does not meet R5.3-4.' },
    async judge({ run, canaries }) {
      const notBlocked: string[] = []
      const notAlerted: string[] = []
      const evidence: Evidence[] = []
      for (const u of canaries) {
        const obj = u.uploaded.object
        if (!obj) {
          notBlocked.push(`${label(u)}: upload answered ${u.uploaded.response.status}, expected 201 with verdict "blocked"`)
          evidence.push(exchangeEvidence(u.uploaded.response, `${label(u)}: upload answered ${u.uploaded.response.status}`))
          continue
        }
        const m = obj.moderation as Partial<StoredObject['moderation']> | undefined
        if (m?.verdict !== 'blocked' || !Array.isArray(m.categories) || !m.categories.includes(u.canary.category!)) {
          notBlocked.push(`${label(u)}: verdict ${JSON.stringify(m?.verdict) ?? 'absent'}, categories ${JSON.stringify(m?.categories) ?? 'absent'}`)
          if (evidence.length < 10) evidence.push(exchangeEvidence(u.uploaded.response, `${label(u)} not blocked as ${u.canary.category!}`))
        }
        if (!alertMatches(u, run.feed.alerts.get(obj.objectId))) notAlerted.push(`${label(u)} (object ${obj.objectId})`)
      }
      if (run.feed.lastResponse) evidence.push(exchangeEvidence(run.feed.lastResponse, `alert feed since ${run.since}, last of ${run.feed.polls} poll(s)`))
      const measured = {
        uploads: canaries.length,
        blocked: canaries.length - notBlocked.length,
        alerted: canaries.length - notAlerted.length,
        alertLimitSeconds: run.limitSeconds,
        waitedSeconds: seconds(run.feed.waitedMs),
        feedPolls: run.feed.polls,
        deliveries: loadCanaries().deliveries.map((d) => d.id),
      }
      const problems: string[] = []
      if (notBlocked.length > 0) problems.push(`${notBlocked.length} canary upload(s) not blocked, e.g. ${notBlocked[0]!}`)
      if (notAlerted.length > 0) problems.push(`${notAlerted.length} canary upload(s) without a matching alert within ${run.limitSeconds} s, e.g. ${notAlerted[0]!}${run.feed.problem ? ` (${run.feed.problem})` : ''}`)
      if (problems.length > 0) {
        if (notAlerted.length > 0) evidence.push(note('canaries without an alert', { missing: notAlerted }))
        const bad = canaries.find((u) => !u.uploaded.object)?.uploaded.response ?? run.feed.lastResponse
        return fail({ 'zh-CN': `内容审核链路不完整：${problems.join('；')}`, en: `The moderation pipeline is incomplete: ${problems.join('; ')}` }, {
          evidence, measured, errorCode: notBlocked.length > 0 ? 'SG_ERR_MODERATION_NOT_BLOCKED' : 'SG_ERR_MODERATION_NOT_ALERTED', ...(bad ? { reproduce: reproduce(bad) } : {}),
        })
      }
      return pass({ 'zh-CN': `${canaries.length} 个测试标记上传均按正确类别拦截，并在 ${run.limitSeconds} 秒内预警`, en: `${canaries.length} canary upload(s) blocked with the right category and alerted within ${run.limitSeconds} s` }, { evidence, measured })
    },
  })
}

interface ReadBack { label: string; res: ProbeResponse; withheld: boolean; how: string }

/**
 * R5.3-4: read one canary object back three ways. The owner may get a refusal or its metadata still
 * marked blocked (quarantined: the API serves metadata only, and a blocked record stays blocked);
 * tenant B and an anonymous reader must get a refusal.
 */
async function readBack(ctx: ProbeContext, u: ModerationUpload, objectId: string, signal: AbortSignal): Promise<ReadBack[]> {
  const { A, B } = tenantsOf(ctx)
  const url = ctx.url(objectPath(A.tenantId, objectId))
  const [owner, other, anonymous] = await Promise.all([
    ctx.client.request({ url, headers: bearer(A), signal }),
    ctx.client.request({ url, headers: bearer(B), signal }),
    ctx.anonymous.request({ url, sign: false, signal }),
  ])
  const verdict = (owner.json as Partial<StoredObject> | undefined)?.moderation?.verdict
  const quarantined = owner.status === 200 && verdict === 'blocked'
  const refusal = (res: ProbeResponse): string => (REFUSALS.has(res.status) ? `refused (${res.status})` : `served (${res.status})`)
  return [
    { label: `${label(u)} read by its owner`, res: owner, withheld: REFUSALS.has(owner.status) || quarantined, how: quarantined ? 'quarantined (200, verdict "blocked")' : owner.status === 200 ? `served (200, verdict ${JSON.stringify(verdict) ?? 'absent'})` : refusal(owner) },
    { label: `${label(u)} read by tenant B`, res: other, withheld: REFUSALS.has(other.status), how: refusal(other) },
    { label: `${label(u)} read anonymously`, res: anonymous, withheld: REFUSALS.has(anonymous.status), how: refusal(anonymous) },
  ]
}

function withheldCheck(o: SelfHostedCheckOptions): CheckDefinition<ProbeContext> {
  return moderationCheck(o, {
    id: 'selfhosted.moderation-withheld',
    title: { 'zh-CN': '含审核测试标记的对象不被提供（拒绝或隔离）', en: 'Objects carrying a canary are never served (refused or quarantined)' },
    does: { 'zh-CN': '无论上传响应如何，以所属租户 A、租户 B 和匿名方式读取每个含测试标记的对象：租户 B 与匿名读取须被拒绝（401/403/404/410/451），租户 A 须被拒绝或读到 verdict 仍为 blocked 的元数据（隔离）。', en: 'Whatever the upload answered, reads every canary object as its owner (tenant A), as tenant B and anonymously: B and the anonymous reader must be refused (401/403/404/410/451), the owner refused or shown metadata still marked "blocked" (quarantined).' },
    failureMeans: { 'zh-CN': '平台声称已拦截，却照常存储并提供含违规内容标记的对象：拦截只停留在响应上（第五条（三）4）。', en: 'The platform claims a block but stores and serves the object like any other: the block exists only in the upload answer (R5.3-4).' },
    async judge({ canaries }, ctx, rt) {
      const stored = canaries.filter((u) => u.uploaded.object)
      const reads = (await mapLimit(stored, 4, (u) => readBack(ctx, u, u.uploaded.object!.objectId, rt.signal), rt.signal)).flat()
      const served = reads.filter((r) => !r.withheld)
      const evidence: Evidence[] = served.slice(0, 10).map((r) => exchangeEvidence(r.res, `${r.label}: ${r.how}`))
      const refusedAtUpload = canaries.length - stored.length
      if (refusedAtUpload > 0) evidence.push(note(`${refusedAtUpload} canary upload(s) answered without an object id: nothing to read back`))
      const measured = {
        canaryObjects: stored.length,
        reads: reads.length,
        withheld: reads.length - served.length,
        served: served.length,
        ownerQuarantined: reads.filter((r) => r.how.startsWith('quarantined')).length,
        refusedAtUpload,
      }
      if (served.length > 0) {
        const first = served[0]!
        return fail({
          'zh-CN': `${served.length}/${reads.length} 次读取拿到了含测试标记的对象，如 ${first.label}：${first.how}（第五条（三）4）`,
          en: `${served.length} of ${reads.length} reads were served an object carrying a canary, e.g. ${first.label}: ${first.how} (R5.3-4)`,
        }, { evidence, measured, errorCode: 'SG_ERR_MODERATION_CANARY_SERVED', reproduce: reproduce(first.res) })
      }
      evidence.push(...reads.slice(0, 3).map((r) => note(`${r.label}: ${r.how}`)))
      return pass({ 'zh-CN': `以所属租户、租户 B 和匿名方式对 ${stored.length} 个含测试标记对象的 ${reads.length} 次读取均被拒绝或隔离`, en: `${reads.length} read(s) of ${stored.length} canary object(s) as owner, tenant B and anonymously: all refused or quarantined` }, { evidence, measured })
    },
  })
}

function controlCheck(o: SelfHostedCheckOptions): CheckDefinition<ProbeContext> {
  return moderationCheck(o, {
    id: 'selfhosted.moderation-control',
    title: { 'zh-CN': '正常对照内容不被拦截、在预警时限内不产生预警', en: 'Clean control content is stored as clean and raises no alert within the window' },
    does: { 'zh-CN': '上传正常对照内容，要求以 clean 保存、可被租户 A 读回，并在上传后规范规定的整个时限（60 秒）内持续查看预警接口，不得出现关于它的预警。', en: 'Uploads clean control content and requires it stored as clean and readable by tenant A, and watches the alert feed for the spec’s full window (60 s after the upload): no alert may reference it.' },
    failureMeans: { 'zh-CN': '正常内容被误拦截或误报：审核只是“全部拦截”或乱报警，并未真正识别内容。', en: 'Clean content is blocked or falsely alerted: the filter does not recognise content.' },
    async judge({ run, controls }, ctx, rt) {
      const { A } = tenantsOf(ctx)
      const watch = await controlWatch(ctx, o, rt.signal)
      const blocked: string[] = []
      const alerted: string[] = []
      const evidence: Evidence[] = []
      let reproduceFrom: ProbeResponse | undefined
      await mapLimit(controls, 4, async (u) => {
        const obj = u.uploaded.object
        if (!obj) {
          blocked.push(`${label(u)}: upload answered ${u.uploaded.response.status}, expected 201`)
          evidence.push(exchangeEvidence(u.uploaded.response))
          reproduceFrom ??= u.uploaded.response
          return
        }
        const m = obj.moderation as Partial<StoredObject['moderation']> | undefined
        if (m?.verdict !== 'clean' || !Array.isArray(m.categories) || m.categories.length > 0) {
          blocked.push(`${label(u)}: verdict ${JSON.stringify(m?.verdict) ?? 'absent'}, categories ${JSON.stringify(m?.categories) ?? 'absent'}`)
          if (evidence.length < 10) evidence.push(exchangeEvidence(u.uploaded.response, `${label(u)} not stored as clean`))
          reproduceFrom ??= u.uploaded.response
        }
        const alerts = watch.alerts.get(obj.objectId) ?? []
        if (alerts.length > 0) alerted.push(`${label(u)} (object ${obj.objectId}): ${alerts.length} alert(s) ${alerts.map((a) => `${a.category} at ${a.raisedAt}`).join(', ')}`)
        const read = await ctx.client.request({ url: ctx.url(objectPath(A.tenantId, obj.objectId)), headers: bearer(A), signal: rt.signal })
        if (read.status !== 200) {
          blocked.push(`${label(u)}: tenant A cannot read it back (status ${read.status})`)
          evidence.push(exchangeEvidence(read))
          reproduceFrom ??= read
        }
      }, rt.signal)
      if (watch.lastResponse) evidence.push(exchangeEvidence(watch.lastResponse, `alert feed since ${run.since}, last of ${watch.polls} poll(s)`))
      const measured = { controls: controls.length, blocked: blocked.length, alerted: alerted.length, alertWindowSeconds: watch.windowSeconds, watchedSeconds: seconds(watch.watchedMs), feedPolls: watch.polls }
      if (blocked.length > 0 || alerted.length > 0) {
        const problems = [...blocked, ...alerted]
        if (alerted.length > 0) evidence.push(note('alerts about clean controls', { alerted }))
        const from = reproduceFrom ?? watch.lastResponse
        return fail({ 'zh-CN': `正常对照内容被误拦截或误报：${problems.slice(0, 5).join('；')}`, en: `Clean controls were blocked or alerted: ${problems.slice(0, 5).join('; ')}` }, {
          evidence, measured, errorCode: blocked.length > 0 ? 'SG_ERR_MODERATION_CONTROL_BLOCKED' : 'SG_ERR_MODERATION_CONTROL_ALERTED', ...(from ? { reproduce: reproduce(from) } : {}),
        })
      }
      // Without a readable feed for the whole window, "no alert" was not observed.
      if (watch.problem) {
        return fail({ 'zh-CN': `无法在预警时限内持续读取预警接口（${watch.problem}），对照内容未被误报一事无法验证`, en: `The alert feed could not be watched for the window (${watch.problem}), so "no alert about the controls" is not verified` }, {
          evidence, measured, ...(watch.lastResponse ? { reproduce: reproduce(watch.lastResponse) } : {}),
        })
      }
      return pass({ 'zh-CN': `${controls.length} 个正常对照上传被存为正常、可读取，且在 ${watch.windowSeconds} 秒时限内未产生预警`, en: `${controls.length} clean control upload(s) stored as clean, readable, and not alerted during the ${watch.windowSeconds} s window` }, { evidence, measured })
    },
  })
}

export function createModerationChecks(o: SelfHostedCheckOptions = {}): CheckDefinition<ProbeContext>[] {
  return [canariesCheck(o), withheldCheck(o), controlCheck(o)]
}
