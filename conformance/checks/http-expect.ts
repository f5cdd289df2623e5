// Shared judgements on HTTP answers for the platform checks: content types, problem+json bodies
// with a documented code (RFC 9457, specs/errors), and the evidence/reproduce pair of a response.
import { errorCodes, isSkillgateError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { httpEvidence, reproduceFrom, type Evidence } from './framework.js'

export const contentTypeOf = (res: Pick<ProbeResponse, 'headers'>): string => {
  const v = res.headers['content-type']
  return (Array.isArray(v) ? v[0] : v) ?? ''
}
export const isJsonContentType = (ct: string): boolean => /^application\/json\s*(;|$)/i.test(ct)
export const isProblemContentType = (ct: string): boolean => /^application\/problem\+json\s*(;|$)/i.test(ct)

export interface ProblemVerdict {
  ok: boolean
  /** What is wrong, one reason per item (empty when ok). */
  reasons: string[]
  code?: string
}

/** A refusal must be `status`, problem+json, valid against problem.schema.json, with one of `codes`. */
export function judgeProblem(res: ProbeResponse, expect: { status: number; codes: readonly string[] }): ProblemVerdict {
  const reasons: string[] = []
  if (res.status !== expect.status) reasons.push(`status ${res.status}, expected ${expect.status}`)
  const ct = contentTypeOf(res)
  if (!isProblemContentType(ct)) reasons.push(`Content-Type "${ct || 'none'}", expected application/problem+json`)
  const body = res.json ?? (() => {
    try {
      return JSON.parse(res.body.toString('utf8')) as unknown
    } catch {
      return undefined
    }
  })()
  let code: string | undefined
  if (body === undefined) {
    reasons.push('the body is not JSON')
  } else {
    const v = schemas().validate('problem', body)
    if (!v.ok) reasons.push(`the body is not an RFC 9457 problem: ${v.errors.slice(0, 3).map((e) => `${e.path} ${e.expected}`).join('; ')}`)
    const c = (body as { code?: unknown }).code
    if (typeof c === 'string') {
      code = c
      if (!errorCodes[c]) reasons.push(`code ${c} is not in the published error list (errors.json)`)
      else if (!expect.codes.includes(c)) reasons.push(`code ${c}, expected ${expect.codes.join(' or ')}`)
    }
  }
  return { ok: reasons.length === 0, reasons, ...(code === undefined ? {} : { code }) }
}

/** Evidence and, for a failed exchange, the curl command that reproduces it. */
export function exchangeEvidence(res: ProbeResponse, summary?: string): Evidence {
  return httpEvidence(res.evidence, summary)
}
export const reproduce = (res: ProbeResponse): string => reproduceFrom(res.evidence)

/**
 * For a verdict no single request shows (a share over the whole catalogue): the command that runs
 * this check again, alone, with the user's key from an environment variable.
 */
export function rerunCommand(ctx: ProbeContext, checkId: string): string {
  const key = ctx.credentials ? ` --key-id '${ctx.credentials.keyId.replace(/'/g, `'\\''`)}' --secret-env SKILLGATE_SECRET` : ''
  return `skillgate probe '${ctx.baseUrl.replace(/'/g, `'\\''`)}' --kind ${ctx.kind}${key} --only ${checkId} --format json,md`
}

/** For a media verdict: what ffprobe itself says about the file (the kit's referee, run by hand). */
export const ffprobeCommand = (url: string): string =>
  `ffprobe -v error -show_entries format=duration,format_name:stream=index,codec_type,codec_name,start_time,duration -of compact '${url.replace(/'/g, `'\\''`)}'`

/** The HTTP status carried by a body-too-large error (the headers arrived, the body was refused). */
export function statusOfOversizedBody(err: unknown): number | undefined {
  if (!isSkillgateError(err) || err.code !== 'SG_ERR_NET_BODY_TOO_LARGE') return undefined
  const ev = err.details?.evidence as { response?: { status?: number } } | undefined
  return ev?.response?.status
}
