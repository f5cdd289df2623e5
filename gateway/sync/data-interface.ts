// The data interface and dynamic management as one service bundle (R17–R20): the routes, the jobs
// and tests all go through it. Built once per app by the plugin, or directly in tests and benches.
import type { Logger } from 'pino'
import { Assessment, probeRunner } from '../assessment/assessment.js'
import type { AssessmentRunner } from '../assessment/assessment.js'
import { Feedback } from '../assessment/feedback.js'
import { ProviderManagement } from '../assessment/provider-management.js'
import { recommendR19 } from '../assessment/r19-thresholds.js'
import { LearningRecords } from '../records/learning-records.js'
import { pullLearningRecords } from '../records/pull-records.js'
import type { PullOutcome } from '../records/pull-records.js'
import type { Store } from '../store/open-store.js'
import { CatalogueSync } from './catalogue-sync.js'
import { ProviderDirectory } from './provider-directory.js'
import type { KeyOpener } from './provider-directory.js'
import type { DataInterfaceSettings } from './settings.js'

export interface DataInterfaceOptions {
  store: Store
  settings: Readonly<DataInterfaceSettings>
  openKey: KeyOpener
  runner?: AssessmentRunner
  now?: () => number
  logger?: Logger
}

export class DataInterface {
  readonly store: Store
  readonly settings: Readonly<DataInterfaceSettings>
  readonly directory: ProviderDirectory
  readonly sync: CatalogueSync
  readonly records: LearningRecords
  readonly assessment: Assessment
  readonly feedback: Feedback
  readonly management: ProviderManagement

  constructor(o: DataInterfaceOptions) {
    const { store, settings } = o
    const now = o.now ?? Date.now
    this.store = store
    this.settings = settings
    this.directory = new ProviderDirectory(store, o.openKey)
    const resolver = settings.resolver ? { resolver: settings.resolver } : {}
    this.sync = new CatalogueSync({ store, directory: this.directory, now, settings: { ssrfMode: settings.ssrfMode, ...settings.sync, ...resolver }, ...(o.logger ? { logger: o.logger } : {}) })
    this.records = new LearningRecords(store, now)
    this.assessment = new Assessment({ store, directory: this.directory, now, runner: o.runner ?? probeRunner({ ssrfMode: settings.ssrfMode, ...resolver, ...(settings.geoResolver ? { geoResolver: settings.geoResolver } : {}), ...settings.assessment }) })
    this.feedback = new Feedback(store, now)
    this.management = new ProviderManagement({ store, directory: this.directory, now })
  }

  pullRecords(providerId: string): Promise<PullOutcome> {
    return pullLearningRecords({ store: this.store, directory: this.directory, records: this.records, providerId, settings: { ssrfMode: this.settings.ssrfMode, deadlineMs: this.settings.sync.deadlineMs, retries: this.settings.sync.retries, maxPages: this.settings.records.maxPages, ...(this.settings.resolver ? { resolver: this.settings.resolver } : {}) } })
  }

  /** R19: metrics per admitted provider over the window; a recommendation opens (or refreshes) a 'feedback' case. */
  async evaluateFeedback(providerId: string): Promise<{ providerId: string; metrics: Awaited<ReturnType<Feedback['metrics']>>; recommendation: ReturnType<typeof recommendR19>; caseId: string | null }> {
    const th = this.settings.r19
    const metrics = await this.feedback.metrics(providerId, { windowDays: th.windowDays, responseDeadlineHours: th.responseDeadlineHours })
    const recommendation = recommendR19(metrics, th)
    let caseId: string | null = null
    if (recommendation) {
      caseId = await this.store.transaction((trx) => this.assessment.openCase(trx, {
        providerId, kind: 'feedback', requirementIds: ['R19'], runId: null, evidence: { metrics, below: recommendation.below }, recommendation: recommendation.action, actor: 'system:feedback',
      }))
    }
    return { providerId, metrics, recommendation, caseId }
  }

  async evaluateFeedbackAll(): Promise<Array<{ providerId: string; recommendation: string | null; caseId: string | null }>> {
    const out = []
    for (const p of await this.directory.admitted()) {
      if (p.status === 'exited') continue
      const r = await this.evaluateFeedback(p.providerId)
      out.push({ providerId: p.providerId, recommendation: r.recommendation?.action ?? null, caseId: r.caseId })
    }
    return out
  }
}
