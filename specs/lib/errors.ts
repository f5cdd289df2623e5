// The single error inventory. Codes, statuses and bilingual fix texts live in specs/errors/*.json
// (published with the spec); this module only reads them. Throwing an unlisted code is a bug, so
// `sgError` refuses it at the throw site instead of producing an undocumented problem+json.
import { readdirSync, readFileSync } from 'node:fs'
import { specPath } from './paths.js'

export interface Bilingual { 'zh-CN': string; en: string }
export interface ErrorCodeEntry { status: number; title: Bilingual; fix: Bilingual }

function loadInventory(): Record<string, ErrorCodeEntry & { area: string }> {
  const dir = specPath('errors')
  const out: Record<string, ErrorCodeEntry & { area: string }> = {}
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const area = file.replace(/\.json$/, '')
    const entries = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Record<string, ErrorCodeEntry>
    for (const [code, entry] of Object.entries(entries)) {
      if (out[code]) throw new Error(`error code ${code} is listed twice (${out[code].area}, ${area})`)
      out[code] = { ...entry, area }
    }
  }
  return out
}

export const errorCodes: Readonly<Record<string, ErrorCodeEntry & { area: string }>> = Object.freeze(loadInventory())

export class SkillgateError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly fix: Bilingual
  readonly title: Bilingual
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, detail?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    const entry = errorCodes[code]
    if (!entry) throw new Error(`undocumented error code ${code}: add it to specs/errors/*.json`)
    super(detail ? `${entry.title.en}: ${detail}. ${entry.fix.en}` : `${entry.title.en}. ${entry.fix.en}`, options)
    this.name = 'SkillgateError'
    this.code = code
    this.statusCode = entry.status
    this.fix = entry.fix
    this.title = entry.title
    this.details = details
  }
}

/** Build an error from the inventory; `detail` says what went wrong in this instance. */
export function sgError(code: string, detail?: string, details?: Record<string, unknown>, cause?: unknown): SkillgateError {
  return new SkillgateError(code, detail, details, cause === undefined ? undefined : { cause })
}

export const isSkillgateError = (e: unknown): e is SkillgateError => e instanceof SkillgateError

export interface ProblemDetails {
  type: string
  title: string
  status: number
  code: string
  detail?: string
  instance?: string
  fix?: Bilingual
  titleZh?: string
  [k: string]: unknown
}

/** RFC 9457 problem+json body for an error (unknown errors become SG_ERR_INTERNAL without leaking). */
export function toProblem(err: unknown, instance?: string): ProblemDetails {
  const e = isSkillgateError(err) ? err : sgError('SG_ERR_INTERNAL')
  const problem: ProblemDetails = {
    type: `https://skillgate.example.cn/spec/errors#${e.code}`,
    title: e.title.en,
    titleZh: e.title['zh-CN'],
    status: e.statusCode,
    code: e.code,
    detail: e.message,
    fix: e.fix,
  }
  if (instance) problem.instance = instance
  if (e.details) Object.assign(problem, { details: e.details })
  return problem
}
