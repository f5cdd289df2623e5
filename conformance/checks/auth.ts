// Request-signing checks (R7, SG-SIGNATURE-V1, specs/signing/README.md): the platform must refuse an
// unsigned request, a bad signature, a stale timestamp and a replayed nonce, each with 401
// problem+json and the SG_ERR_SIG_* code the scheme assigns, and accept a correctly signed request.
// Requests are crafted here (the probe client's own signer would fix them) and sent unsigned.
import { randomBytes } from 'node:crypto'
import { sgError } from '../../specs/lib/errors.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { SIGNATURE_HEADERS, signRequest } from '../signing/index.js'
import { defineCheck, fail, pass, type CheckDefinition, type CheckOutcome, type CheckRuntime } from './framework.js'
import { contentTypeOf, exchangeEvidence, judgeProblem, reproduce } from './http-expect.js'

const BOTH = ['on-demand', 'self-hosted'] as const
/** A cheap, always-present, signed endpoint. */
const TARGET = '/v1/service-info'
const STALE_BY_MS = 3_600_000

function credentialsOf(ctx: ProbeContext): { keyId: string; secret: string } {
  if (!ctx.credentials) throw sgError('SG_ERR_PROBE_NO_KEY', 'this check signs requests itself and needs --key-id and --secret-env')
  return ctx.credentials
}

const send = (ctx: ProbeContext, rt: CheckRuntime, headers: Record<string, string>): Promise<ProbeResponse> =>
  ctx.anonymous.request({ url: ctx.url(TARGET), headers, signal: rt.signal })

function expectRefusal(res: ProbeResponse, code: string, what: { zh: string; en: string }): CheckOutcome {
  const verdict = judgeProblem(res, { status: 401, codes: [code] })
  const evidence = [exchangeEvidence(res, `${what.en}: ${res.status} ${contentTypeOf(res) || '(no content type)'}${verdict.code ? ` ${verdict.code}` : ''}`)]
  const measured = { status: res.status, code: verdict.code ?? null }
  if (res.status >= 200 && res.status < 300) {
    return fail({ 'zh-CN': `${what.zh}被接受（${res.status}），应以 401 ${code} 拒绝`, en: `${what.en} was accepted (${res.status}); it must be refused with 401 ${code}` }, { evidence, measured, reproduce: reproduce(res) })
  }
  if (!verdict.ok) {
    return fail({ 'zh-CN': `${what.zh}的拒绝不符合规范：${verdict.reasons.join('；')}`, en: `${what.en} is refused off-contract: ${verdict.reasons.join('; ')}` }, { evidence, measured, reproduce: reproduce(res) })
  }
  return pass({ 'zh-CN': `${what.zh}被拒绝：401 ${code}`, en: `${what.en} is refused with 401 ${code}` }, { evidence, measured })
}

export const unsignedCheck = defineCheck<ProbeContext>({
  id: 'auth.unsigned',
  // Sent without credentials: it needs only an answering target (no key, no accepted signature).
  requires: ['target-reachable'],
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '拒绝未签名的请求', en: 'An unsigned request is refused' },
  does: { 'zh-CN': '不带签名头请求 GET /v1/service-info，核对以 401 SG_ERR_SIG_MISSING 拒绝。', en: 'Requests GET /v1/service-info without signature headers and checks it is refused with 401 SG_ERR_SIG_MISSING.' },
  failureMeans: { 'zh-CN': '平台接受未签名的请求：任何人都能冒充管理平台调用接口。', en: 'The platform accepts unsigned requests: anyone can call it as if they were the management platform.' },
  async run(ctx, rt) {
    return expectRefusal(await send(ctx, rt, {}), 'SG_ERR_SIG_MISSING', { zh: '未签名的请求', en: 'An unsigned request' })
  },
})

export const badSignatureCheck = defineCheck<ProbeContext>({
  id: 'auth.bad-signature',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '拒绝签名错误的请求', en: 'A request with a wrong signature is refused' },
  does: { 'zh-CN': '发送签名值被篡改的请求，核对以 401 SG_ERR_SIG_MISMATCH 拒绝。', en: 'Sends a request whose signature was altered and checks it is refused with 401 SG_ERR_SIG_MISMATCH.' },
  failureMeans: { 'zh-CN': '平台不校验签名值：签名形同虚设，请求可被伪造或篡改。', en: 'The platform does not verify the signature: requests can be forged or altered.' },
  async run(ctx, rt) {
    const { keyId, secret } = credentialsOf(ctx)
    const headers = signRequest({ method: 'GET', url: ctx.url(TARGET), keyId, secret })
    const mac = Buffer.from(headers[SIGNATURE_HEADERS.signature]!, 'base64')
    mac[0] = mac[0]! ^ 0xff
    headers[SIGNATURE_HEADERS.signature] = mac.toString('base64')
    return expectRefusal(await send(ctx, rt, headers), 'SG_ERR_SIG_MISMATCH', { zh: '签名错误的请求', en: 'A request with a wrong signature' })
  },
})

export const staleTimestampCheck = defineCheck<ProbeContext>({
  id: 'auth.stale-timestamp',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '拒绝时间戳超出 ±300 秒窗口的请求', en: 'A request with a stale timestamp (outside ±300 s) is refused' },
  does: { 'zh-CN': '发送一小时前签名的请求，核对以 401 SG_ERR_SIG_STALE 拒绝（允许窗口 ±300 秒）。', en: 'Sends a request signed an hour ago and checks it is refused with 401 SG_ERR_SIG_STALE (the window is ±300 s).' },
  failureMeans: { 'zh-CN': '平台接受过期的签名：截获的请求可在很久之后被重放。', en: 'The platform accepts stale signatures: a captured request can be replayed long after.' },
  async run(ctx, rt) {
    const { keyId, secret } = credentialsOf(ctx)
    const headers = signRequest({ method: 'GET', url: ctx.url(TARGET), keyId, secret, now: Date.now() - STALE_BY_MS })
    return expectRefusal(await send(ctx, rt, headers), 'SG_ERR_SIG_STALE', { zh: '时间戳早于一小时的请求', en: 'A request signed an hour ago' })
  },
})

export const replayedNonceCheck = defineCheck<ProbeContext>({
  id: 'auth.replayed-nonce',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '拒绝重放（随机数重复使用）的请求', en: 'A replayed request (nonce used again) is refused' },
  does: { 'zh-CN': '将同一签名请求发送两次，核对第二次以 401 SG_ERR_SIG_REPLAY 拒绝。', en: 'Sends the same signed request twice and checks the second is refused with 401 SG_ERR_SIG_REPLAY.' },
  failureMeans: { 'zh-CN': '平台不防重放：截获的请求可被原样再次发送。', en: 'The platform does not stop replays: a captured request can be sent again as it is.' },
  async run(ctx, rt) {
    const { keyId, secret } = credentialsOf(ctx)
    const headers = signRequest({ method: 'GET', url: ctx.url(TARGET), keyId, secret, nonce: randomBytes(18).toString('base64url') })
    const first = await send(ctx, rt, headers)
    if (first.status < 200 || first.status >= 300) {
      throw sgError('SG_ERR_PROBE_PRECONDITION', `the first, correctly signed request was answered ${first.status}, so a replay cannot be told apart`, { evidence: first.evidence })
    }
    const outcome = expectRefusal(await send(ctx, rt, headers), 'SG_ERR_SIG_REPLAY', { zh: '重放的请求（同一随机数第二次使用）', en: 'The same signed request sent a second time' })
    outcome.evidence.unshift(exchangeEvidence(first, `first use of the nonce: ${first.status}`))
    return outcome
  },
})

export const validSignatureCheck = defineCheck<ProbeContext>({
  id: 'auth.valid-signature',
  requirementIds: ['R7'],
  severity: 'must',
  kinds: BOTH,
  subject: 'platform',
  title: { 'zh-CN': '接受正确签名的请求', en: 'A correctly signed request is accepted' },
  does: { 'zh-CN': '发送正确签名的请求，核对被接受（200）。', en: 'Sends a correctly signed request and checks it is accepted (200).' },
  failureMeans: { 'zh-CN': '平台拒绝正确签名的请求：签名实现与规范（signing/vectors.json）不一致，管理平台无法调用。', en: 'The platform refuses correct signatures: its signing differs from the specification (signing/vectors.json), so the management platform cannot call it.' },
  async run(ctx, rt) {
    const { keyId, secret } = credentialsOf(ctx)
    const res = await send(ctx, rt, signRequest({ method: 'GET', url: ctx.url(TARGET), keyId, secret }))
    const evidence = [exchangeEvidence(res)]
    if (res.status !== 200) {
      const code = (res.json as { code?: unknown } | undefined)?.code
      return fail({ 'zh-CN': `正确签名的请求被拒绝（${res.status}${typeof code === 'string' ? ` ${code}` : ''}）；请用 /spec/signing/vectors.json 核对签名实现`, en: `A correctly signed request was refused (${res.status}${typeof code === 'string' ? ` ${code}` : ''}); check the implementation against /spec/signing/vectors.json` }, { evidence, measured: { status: res.status }, reproduce: reproduce(res) })
    }
    return pass({ 'zh-CN': '正确签名的请求被接受', en: 'a correctly signed request is accepted' }, { evidence, measured: { status: res.status } })
  },
})

export const authChecks: readonly CheckDefinition<ProbeContext>[] = [unsignedCheck, badSignatureCheck, staleTimestampCheck, replayedNonceCheck, validSignatureCheck]
