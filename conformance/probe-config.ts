// Loads `skillgate probe --config FILE`: JSON, `${VAR}` references replaced from the environment,
// then validated against conformance/probe-config.schema.json (strict, no unknown keys, so a
// literal `secret` in the file is refused). The result is frozen.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sgError } from '../specs/lib/errors.js'
import { packageRoot } from '../specs/lib/paths.js'
import { createAjv, explain } from '../specs/lib/schemas.js'
import type { ValidateFunction } from 'ajv'
import type { SandboxTenants } from './probe-context.js'

// From the package root, so the compiled CLI (dist/) reads the same file as the sources.
export const PROBE_CONFIG_SCHEMA_PATH = join(packageRoot, 'conformance', 'probe-config.schema.json')

export interface ProbeConfig {
  baseUrl?: string
  kind?: 'on-demand' | 'self-hosted'
  keyId?: string
  secretEnv?: string
  out?: string
  formats?: Array<'json' | 'junit' | 'html' | 'md'>
  concurrency?: number
  sample?: number
  allMedia?: boolean
  only?: string[]
  skip?: string[]
  denyPrivate?: boolean
  deadlineMs?: number
  tenants?: SandboxTenants
}

let validator: ValidateFunction | undefined
function validate(): ValidateFunction {
  validator ??= createAjv().compile(JSON.parse(readFileSync(PROBE_CONFIG_SCHEMA_PATH, 'utf8')) as object)
  return validator
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Replace `${VAR}` in every string; an unset variable is an error naming the JSON path. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (_m, name: string) => {
      const v = env[name]
      if (v === undefined) throw sgError('SG_ERR_PROBE_ENV_MISSING', `${name} (referenced at ${path || '/'} in the config file) is not set`, { variable: name, path: path || '/' })
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}/${i}`))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, `${path}/${k}`)]))
  }
  return value
}

export function parseProbeConfig(text: string, env: NodeJS.ProcessEnv, label = 'config'): Readonly<ProbeConfig> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw sgError('SG_ERR_PROBE_CONFIG', `${label} is not JSON: ${(err as Error).message}`)
  }
  const data = substituteEnv(raw, env)
  const v = validate()
  if (!v(data)) {
    const problems = explain(v.errors ?? [], data)
    throw sgError('SG_ERR_PROBE_CONFIG', `${label}: ${problems.map((p) => `at ${p.path}: expected ${p.expected}, found ${p.found}`).join('; ')}`, { problems })
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
