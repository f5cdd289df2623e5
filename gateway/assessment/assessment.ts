// Dynamic assessment (R17): a daily re-run of the conformance kit against each operating API
// provider. Every drift kind found opens an assessment case for reviewers (one open case per
// provider and kind: a later run that sees the same drift updates it), and reviewers resolve cases
// with a note. Every run is kept in assessment_runs, pass or fail.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Report } from '../../conformance/checks/framework.js'
import { runProbe } from '../../conformance/probe.js'
import type { Resolver } from '../../conformance/net/ssrf-guard.js'
import { AuditLog } from '../audit/audit-log.js'
import type { Store } from '../store/open-store.js'
import type { AssessmentCasesTable, Database } from '../store/schema.js'
import type { ApiKind, ProviderDirectory } from '../sync/provider-directory.js'
import { isOperatingApiProvider } from '../sync/provider-directory.js'
import { findDrift } from './drift.js'
import type { DriftFinding } from './drift.js'

export type CaseKind = DriftFinding['kind'] | 'feedback'

export interface AssessmentTarget { providerId: string; kind: ApiKind; baseUrl: string; keyId: string; secret: string }
export type AssessmentRunner = (target: AssessmentTarget) => Promise<Pick<Report, 'results' | 'verdict' | 'summary'>>

/** The conformance library in gateway mode, as admission ran it (R7: same checks before and after). */
export function probeRunner(o: { ssrfMode: 'deny' | 'local'; resolver?: Resolver; geoResolver?: Resolver; sample?: number; deadlineMs?: number }): AssessmentRunner {
  return (target) => runProbe({
    baseUrl: target.baseUrl, kind: target.kind, keyId: target.keyId, secret: target.secret, mode: o.ssrfMode,
    ...(o.resolver ? { resolver: o.resolver } : {}), ...(o.geoResolver ? { geoResolver: o.geoResolver } : {}), ...(o.sample ? { sample: o.sample } : {}), ...(o.deadlineMs ? { deadlineMs: o.deadlineMs } : {}),
  })
}

export interface CaseView {
  id: string
  providerId: string
  kind: string
  requirementIds: string[]
  status: 'open' | 'resolved'
  runId: string | null
  evidence: unknown
  recommendation: string | null
  openedAt: number
  lastSeenAt: number
  resolvedAt: number | null
  resolvedBy: string | null
  resolution: string | null
  note: string | null
}

const toCase = (r: AssessmentCasesTable): CaseView => ({
  id: r.id, providerId: r.provider_id, kind: r.kind, requirementIds: JSON.parse(r.requirement_ids) as string[], status: r.status,
  runId: r.run_id, evidence: JSON.parse(r.evidence) as unknown, recommendation: r.recommendation, openedAt: r.opened_at, lastSeenAt: r.last_seen_at,
  resolvedAt: r.resolved_at, resolvedBy: r.resolved_by, resolution: r.resolution, note: r.note,
})

export const RESOLUTIONS = ['fixed', 'dismissed', 'action-taken'] as const
export type Resolution = (typeof RESOLUTIONS)[number]

export class Assessment {
  readonly #store: Store
  readonly #directory: ProviderDirectory
  readonly #audit: AuditLog
  readonly #now: () => number
  runner: AssessmentRunner

  constructor(o: { store: Store; directory: ProviderDirectory; runner: AssessmentRunner; now?: () => number }) {
    this.#store = o.store
    this.#directory = o.directory
    this.#audit = new AuditLog(o.store)
    this.runner = o.runner
    this.#now = o.now ?? Date.now
  }

  async assessAll(): Promise<Array<Awaited<ReturnType<Assessment['assessProvider']>>>> {
    const out = []
    // One at a time: a run already fans out (the probe's own concurrency) and is daily.
    for (const p of await this.#directory.operatingApiProviders()) out.push(await this.assessProvider(p.providerId))
    return out
  }

  async assessProvider(providerId: string): Promise<{ providerId: string; runId: string | null; verdict: string; drift: DriftFinding[]; cases: string[] }> {
    const provider = await this.#directory.get(providerId)
    if (!isOperatingApiProvider(provider)) return { providerId, runId: null, verdict: 'skipped', drift: [], cases: [] }
    const key = await this.#directory.credentials(providerId)
    if (!key) return { providerId, runId: null, verdict: 'skipped', drift: [], cases: [] }
    const started = this.#now()
    let report: Pick<Report, 'results' | 'verdict' | 'summary'>
    try {
      report = await this.runner({ providerId, kind: provider.kind, baseUrl: provider.baseUrl, ...key })
    } catch (err) {
      // The kit could not run at all (unreachable, refused): the contract is broken for this run.
      report = { verdict: 'error', summary: { pass: 0, fail: 0, warn: 0, skip: 0, error: 1 }, results: [{ checkId: 'assessment.run', requirementIds: ['R17'], severity: 'must', title: { 'zh-CN': '定期检测', en: 'Scheduled assessment' }, status: 'error', message: { 'zh-CN': '检测未能完成', en: (err as Error).message.slice(0, 500) }, durationMs: 0, evidence: [] }] }
    }
    const drift = findDrift(report)
    const runId = `asr_${randomUUID()}`
    const now = this.#now()
    const cases = await this.#store.transaction(async (trx) => {
      await trx.insertInto('assessment_runs').values({ id: runId, provider_id: providerId, started_at: started, finished_at: now, verdict: report.verdict, drift: JSON.stringify(drift), summary: JSON.stringify(report.summary) }).execute()
      const ids: string[] = []
      for (const d of drift) ids.push(await this.openCase(trx, { providerId, kind: d.kind, requirementIds: d.requirementIds, runId, evidence: d, actor: 'system:assessment' }))
      return ids
    })
    return { providerId, runId, verdict: report.verdict, drift, cases }
  }

  /** Opens a case, or refreshes the open one of the same provider and kind. Returns the case id. */
  async openCase(trx: Transaction<Database>, c: { providerId: string; kind: CaseKind; requirementIds: string[]; runId: string | null; evidence: unknown; recommendation?: string; actor: string }): Promise<string> {
    const now = this.#now()
    const openKey = `${c.providerId}:${c.kind}`
    const existing = await trx.selectFrom('assessment_cases').select('id').where('open_key', '=', openKey).executeTakeFirst()
    if (existing) {
      await trx.updateTable('assessment_cases').set({ last_seen_at: now, run_id: c.runId, evidence: JSON.stringify(c.evidence), recommendation: c.recommendation ?? null }).where('id', '=', existing.id).execute()
      return existing.id
    }
    const id = `case_${randomUUID()}`
    await trx.insertInto('assessment_cases').values({
      id, provider_id: c.providerId, kind: c.kind, requirement_ids: JSON.stringify(c.requirementIds), open_key: openKey, status: 'open', run_id: c.runId,
      evidence: JSON.stringify(c.evidence), recommendation: c.recommendation ?? null, opened_at: now, last_seen_at: now, resolved_at: null, resolved_by: null, resolution: null, note: null,
    }).execute()
    await this.#audit.append({ actor: c.actor, action: 'assessment.case-opened', subjectType: 'provider', subjectId: c.providerId, at: now, data: { caseId: id, kind: c.kind, requirementIds: c.requirementIds, ...(c.recommendation ? { recommendation: c.recommendation } : {}) } }, trx)
    return id
  }

  async listCases(f: { status?: 'open' | 'resolved'; providerId?: string; kind?: string; limit?: number } = {}): Promise<CaseView[]> {
    let q = this.#store.db.selectFrom('assessment_cases').selectAll()
    if (f.status) q = q.where('status', '=', f.status)
    if (f.providerId) q = q.where('provider_id', '=', f.providerId)
    if (f.kind) q = q.where('kind', '=', f.kind)
    return (await q.orderBy('opened_at', 'desc').orderBy('id').limit(Math.min(f.limit ?? 100, 500)).execute()).map(toCase)
  }

  async getCase(id: string): Promise<CaseView> {
    const row = await this.#store.db.selectFrom('assessment_cases').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw sgError('SG_ERR_ASSESSMENT_CASE_NOT_FOUND', id.slice(0, 80))
    return toCase(row)
  }

  async resolveCase(id: string, actor: string, resolution: Resolution, note: string): Promise<CaseView> {
    if (note.trim() === '') throw sgError('SG_ERR_VALIDATION', 'a resolution needs a note')
    const now = this.#now()
    await this.#store.transaction(async (trx) => {
      const r = await trx.updateTable('assessment_cases').set({ status: 'resolved', open_key: null, resolved_at: now, resolved_by: actor, resolution, note })
        .where('id', '=', id).where('status', '=', 'open').executeTakeFirst()
      if (Number(r.numUpdatedRows) !== 1) {
        const exists = await trx.selectFrom('assessment_cases').select('id').where('id', '=', id).executeTakeFirst()
        throw exists ? sgError('SG_ERR_ASSESSMENT_CASE_CLOSED', id) : sgError('SG_ERR_ASSESSMENT_CASE_NOT_FOUND', id.slice(0, 80))
      }
      const row = await trx.selectFrom('assessment_cases').select('provider_id').where('id', '=', id).executeTakeFirstOrThrow()
      await this.#audit.append({ actor, action: 'assessment.case-resolved', subjectType: 'provider', subjectId: row.provider_id, at: now, data: { caseId: id, resolution, note } }, trx)
    })
    return this.getCase(id)
  }
}
