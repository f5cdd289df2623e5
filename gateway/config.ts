// Gateway configuration: defaults < JSON file (SKILLGATE_CONFIG) < environment. Validated once
// against gateway/config.schema.json at boot (unknown keys are errors), then deeply frozen. Its
// type, GatewayConfig, is generated from the same schema (gateway/config.gen.ts, drift-tested).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import cron from 'node-cron'
import { sgError } from '../specs/lib/errors.js'
import { packageRoot } from '../specs/lib/paths.js'
import { createAjv, explain } from '../specs/lib/schemas.js'
import type { GatewayConfig } from './config.gen.js'
import type { DataInterfaceSettings } from './sync/settings.js'

export type { GatewayConfig } from './config.gen.js'

/** `dataInterface` in config.schema.json: the data interface's settings minus what only code can give (resolvers) or the top level sets (ssrfMode). */
export type DataInterfaceConfig = GatewayConfig['dataInterface']

// The schema's section and the code's settings must describe one shape: if config.schema.json and
// gateway/sync/settings.ts disagree (a field added to one only), this stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type _DataInterfaceConfigMatchesSettings = Assert<Same<DataInterfaceConfig, Omit<DataInterfaceSettings, 'ssrfMode' | 'resolver' | 'geoResolver'>>>
type Assert<T extends true> = T

export const configSchema = JSON.parse(readFileSync(join(packageRoot, 'gateway', 'config.schema.json'), 'utf8')) as Record<string, unknown>

/** Environment variable → config path. */
const ENV: Record<string, [string, 'string' | 'int' | 'bool']> = {
  SKILLGATE_HOST: ['host', 'string'],
  PORT: ['port', 'int'],
  SKILLGATE_PORT: ['port', 'int'],
  SKILLGATE_PUBLIC_BASE_URL: ['publicBaseUrl', 'string'],
  DATABASE_URL: ['databaseUrl', 'string'],
  SKILLGATE_DATA_DIR: ['dataDir', 'string'],
  SKILLGATE_LOG_LEVEL: ['logLevel', 'string'],
  SKILLGATE_SSRF_MODE: ['ssrfMode', 'string'],
  SKILLGATE_DEMO: ['demo', 'bool'],
  SKILLGATE_WORKER: ['worker.enabled', 'bool'],
  SKILLGATE_SCHEDULER: ['scheduler.enabled', 'bool'],
  SKILLGATE_BLOBS_SPOOL_MAX_BYTES: ['blobs.spoolMaxBytes', 'int'],
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let cur = target
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>
  cur[keys.at(-1)!] = value
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v)
    Object.freeze(o)
  }
  return o
}

export function loadConfig(opts: { env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}): Readonly<GatewayConfig> {
  const env = opts.env ?? process.env
  let raw: Record<string, unknown> = {}
  if (env.SKILLGATE_CONFIG) {
    try {
      raw = JSON.parse(readFileSync(env.SKILLGATE_CONFIG, 'utf8')) as Record<string, unknown>
    } catch (err) {
      throw sgError('SG_ERR_CONFIG', `cannot read SKILLGATE_CONFIG=${env.SKILLGATE_CONFIG}: ${(err as Error).message}`)
    }
  }
  for (const [name, [path, type]] of Object.entries(ENV)) {
    const v = env[name]
    if (v === undefined || v === '') continue
    const value = type === 'int' ? Number(v) : type === 'bool' ? ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()) : v
    if (type === 'int' && !Number.isInteger(value)) throw sgError('SG_ERR_CONFIG', `${name}=${v} is not an integer`)
    setPath(raw, path, value)
  }
  for (const [path, value] of Object.entries(opts.overrides ?? {})) setPath(raw, path, value)
  const ajv = createAjv({ useDefaults: true })
  const validate = ajv.compile(configSchema)
  const config = structuredClone(raw)
  if (!validate(config)) {
    const problems = explain(validate.errors ?? [], config).map((e) => `${e.path}: expected ${e.expected}, found ${e.found}`)
    throw sgError('SG_ERR_CONFIG', problems.join('; '), { problems })
  }
  // A schedule that cannot parse would otherwise fail only when the scheduler starts, after boot.
  const di = (config as unknown as GatewayConfig).dataInterface
  const crons: Array<[string, string]> = [['dataInterface.sync.cron', di.sync.cron], ['dataInterface.records.pullCron', di.records.pullCron], ['dataInterface.assessment.cron', di.assessment.cron]]
  const badCrons = crons.filter(([, expression]) => !cron.validate(expression)).map(([path, expression]) => `/${path.replaceAll('.', '/')}: expected a node-cron expression, found ${JSON.stringify(expression)}`)
  if (badCrons.length > 0) throw sgError('SG_ERR_CONFIG', badCrons.join('; '), { problems: badCrons })
  return deepFreeze(config as unknown as GatewayConfig)
}
