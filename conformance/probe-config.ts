// Loads `skillgate probe --config FILE`: JSON, `${VAR}` references replaced from the environment,
// then validated against specs/schemas/probe-config.schema.json (published with the specification;
// strict, no unknown keys, so a literal `secret` in the file is refused). The result is frozen.
import { readFileSync } from 'node:fs'
import { sgError } from '../specs/lib/errors.js'
import { schemas } from '../specs/lib/schemas.js'
import { encodedForms } from './net/scrub.js'
import type { ProbeConfig } from '../specs/types.gen.js'

export type { ProbeConfig }

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replace `${VAR}` in every string; an unset variable is an error naming the JSON path. `used`
 * collects each substituted value with its variable, so messages can show `${VAR}`, never the value.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = '', used: Map<string, string> = new Map()): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (_m, name: string) => {
      const v = env[name]
      if (v === undefined) throw sgError('SG_ERR_PROBE_ENV_MISSING', `${name} (referenced at ${path || '/'} in the config file) is not set`, { variable: name, path: path || '/' })
      if (v.length > 0) used.set(v, `\${${name}}`)
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}/${i}`, used))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, `${path}/${k}`, used)]))
  }
  return value
}

/** `text` with every substituted value (raw, percent-encoded, base64) shown as its `${VAR}`. */
export function maskSubstituted(text: string, used: ReadonlyMap<string, string>): string {
  let out = text
  const forms = [...used].flatMap(([value, ref]) => encodedForms(value).map((f) => [f, ref] as const)).filter(([f]) => f.length > 0).sort((a, b) => b[0].length - a[0].length)
  for (const [form, ref] of forms) out = out.split(form).join(ref)
  return out
}

export function parseProbeConfig(text: string, env: NodeJS.ProcessEnv, label = 'config'): Readonly<ProbeConfig> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw sgError('SG_ERR_PROBE_CONFIG', `${label} is not JSON (parse error: ${(err as Error).message})`)
  }
  const used = new Map<string, string>()
  const data = substituteEnv(raw, env, '', used)
  const { ok, errors: problems } = schemas().validate('probe-config', data)
  if (!ok) {
    // A token that broke the schema is named by its variable: the message reaches the terminal.
    const shown = problems.map((p) => ({ ...p, found: maskSubstituted(p.found, used) }))
    throw sgError('SG_ERR_PROBE_CONFIG', `${label}: ${shown.map((p) => `at ${p.path}: expected ${p.expected}, found ${p.found}`).join('; ')}`, { problems: shown })
  }
  return Object.freeze(data as ProbeConfig)
}

export function loadProbeConfig(file: string, env: NodeJS.ProcessEnv): Readonly<ProbeConfig> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw sgError('SG_ERR_PROBE_CONFIG', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return parseProbeConfig(text, env, file)
}
