// Settings of the data interface (sync, record pulls, assessment, R19 thresholds), with defaults.
// The gateway's config (`dataInterface` in gateway/config.schema.json, same defaults: a test in
// gateway/config-data-interface.test.ts holds them equal) is passed by app.ts to the plugin; tests
// and benches that build a DataInterface directly pass partial overrides. Merged here and frozen.
import type { Resolver } from '../../conformance/net/ssrf-guard.js'
import type { CircuitSettings } from './circuit-breaker.js'
import { DEFAULT_R19_THRESHOLDS } from '../assessment/r19-thresholds.js'
import type { R19Thresholds } from '../assessment/r19-thresholds.js'

export interface DataInterfaceSettings {
  ssrfMode: 'deny' | 'local'
  /** Tests map fixture host names to public addresses (R20-3) while connecting only to loopback. */
  resolver?: Resolver
  /** Resolver for the R20-3 location check only (names → addresses to locate; nothing connects to them). */
  geoResolver?: Resolver
  sync: { cron: string; pageLimit: number; maxPages: number; maxBytes: number; deadlineMs: number; retries: number; concurrency: number; maxAttempts: number; circuit: CircuitSettings }
  records: { pullCron: string; maxPages: number }
  assessment: { cron: string; sample?: number; deadlineMs?: number }
  r19: R19Thresholds
}

export type DataInterfaceOverrides = Partial<Omit<DataInterfaceSettings, 'sync' | 'records' | 'assessment' | 'r19'>> & {
  sync?: Partial<DataInterfaceSettings['sync']>
  records?: Partial<DataInterfaceSettings['records']>
  assessment?: Partial<DataInterfaceSettings['assessment']>
  r19?: Partial<R19Thresholds>
}

export function dataInterfaceSettings(ssrfMode: 'deny' | 'local', o: DataInterfaceOverrides = {}): Readonly<DataInterfaceSettings> {
  return Object.freeze({
    ssrfMode: o.ssrfMode ?? ssrfMode,
    ...(o.resolver ? { resolver: o.resolver } : {}),
    ...(o.geoResolver ? { geoResolver: o.geoResolver } : {}),
    sync: {
      cron: '*/15 * * * *', pageLimit: 200, maxPages: 500, maxBytes: 64 * 1024 * 1024, deadlineMs: 15_000, retries: 2, concurrency: 4, maxAttempts: 3,
      circuit: { failureThreshold: 3, coolDownMs: 30 * 60_000 },
      ...o.sync,
    },
    records: { pullCron: '7 * * * *', maxPages: 200, ...o.records },
    assessment: { cron: '30 2 * * *', ...o.assessment },
    r19: { ...DEFAULT_R19_THRESHOLDS, ...o.r19 },
  })
}
