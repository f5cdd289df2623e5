// The admission workflow service (R6–R12) as routes, jobs and plugins see it: one object over the
// rooms of the admission stages. It owns every write to the workflow tables; each method hands its
// arguments to the stage module that does the work, all of them around the one state change in
// transition.ts (`fire`). Where a rule lives:
//   application.ts  R8–R9  provider account, draft, submit, material review, withdrawal
//   documents.ts    R8     document uploads and reads
//   conformance.ts  R7     the conformance job, its runner and report
//   course-package.ts R13  a course-resource provider's workflow waits for a checked package
//   roadshow.ts     R10    scores and the committee's decision
//   publicity.ts    R11    the publicity period, its close job and the public list
//   objections.ts   R11    objections: pause, resolve, resume
//   commitment.ts   R12    the commitment letter → active
//   queries.ts             reads across stages (detail, lists, counts)
import type { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { AuditLog } from '../audit/audit-log.js'
import type { BlobStore } from '../blobs/blob-store.js'
import { WorkingDayCalendar } from '../calendar/working-day-calendar.js'
import type { CalendarWarning, WorkingPeriod } from '../calendar/working-day-calendar.js'
import { JobQueue } from '../jobs/job-queue.js'
import type { Store } from '../store/open-store.js'
import type { ApplicationRow, Database } from '../store/schema.js'
import type { Actor } from './actor.js'
import * as application from './application.js'
import type { NewApplicationInput } from './application.js'
import * as commitment from './commitment.js'
import * as conformance from './conformance.js'
import * as coursePackage from './course-package.js'
import type { ConformanceRunner, ConformanceVerdict } from './conformance.js'
import * as documents from './documents.js'
import type { DocumentInput } from './documents.js'
import * as objections from './objections.js'
import * as publicity from './publicity.js'
import type { PublicityEntry } from './publicity.js'
import * as queries from './queries.js'
import type { ApplicationDetail } from './queries.js'
import * as roadshow from './roadshow.js'
import type { JointReviewRecord } from './roadshow.js'
import type { SecretBox } from './secret-box.js'
import type { ApplicationState } from './state-machine.js'
import { fire } from './transition.js'
import type { FireOptions, WorkflowContext } from './transition.js'
import type { ApplicationView, DocumentView, ObjectionView, ScoreView } from './views.js'

export interface WorkflowOptions {
  store: Store
  blobs: BlobStore
  secrets: () => SecretBox
  now?: () => number
  runner?: ConformanceRunner
  /** Called after a commit that enqueued a job, so an in-process worker can pick it up at once. */
  onEnqueued?: () => void
}

export class Workflow {
  readonly store: Store
  readonly audit: AuditLog
  readonly calendar: WorkingDayCalendar
  readonly queue: JobQueue
  readonly blobs: BlobStore
  readonly #ctx: WorkflowContext
  readonly #detailCache = queries.newDetailCache()

  constructor(opts: WorkflowOptions) {
    this.#ctx = {
      store: opts.store,
      audit: new AuditLog(opts.store),
      calendar: new WorkingDayCalendar(opts.store),
      queue: new JobQueue(opts.store),
      blobs: opts.blobs,
      secrets: opts.secrets,
      now: opts.now ?? Date.now,
      runner: opts.runner ?? conformance.notConfiguredRunner,
      onEnqueued: opts.onEnqueued,
    }
    this.store = this.#ctx.store
    this.audit = this.#ctx.audit
    this.calendar = this.#ctx.calendar
    this.queue = this.#ctx.queue
    this.blobs = this.#ctx.blobs
    // A conformance job that dies fails its run (conformance-failed, reason SG_ERR_JOB_DIED); the provider may retry.
    this.queue.onDead(conformance.CONFORMANCE_JOB, (job, reason, trx) => conformance.settleDeadConformance(this.#ctx, (job.payload as { applicationId: string }).applicationId, reason, trx))
  }

  /** The conformance library entry point; the workflow plugin assigns the real one, tests their own. */
  get runner(): ConformanceRunner { return this.#ctx.runner }
  set runner(runner: ConformanceRunner) { this.#ctx.runner = runner }

  now(): number {
    return this.#ctx.now()
  }

  /** Tests and the demo move time (publicity periods) without waiting days. */
  setClock(now: () => number): void {
    this.#ctx.now = now
  }

  /** The one place a state changes (transition.ts). */
  fire(applicationId: string, event: string, actor: Actor, opts: FireOptions = {}, outer?: Transaction<Database>): Promise<ApplicationRow> {
    return fire(this.#ctx, applicationId, event, actor, opts, outer)
  }

  // ── R8–R9: application, provider account, submit, material review ───────────────────────────

  createApplication(input: NewApplicationInput): Promise<{ application: ApplicationView; provider: { providerId: string; token: string; keyId: string; secret: string } }> {
    return application.createApplication(this.#ctx, input)
  }

  resolveProviderKey(keyId: string): Promise<{ secret: string; providerId: string } | undefined> {
    return application.resolveProviderKey(this.#ctx, keyId)
  }

  submit(applicationId: string, actor: Actor): Promise<ApplicationView> {
    return application.submit(this.#ctx, applicationId, actor)
  }

  materialReview(applicationId: string, actor: Actor, decision: 'pass' | 'reject', reasons: string[]): Promise<ApplicationView> {
    return application.materialReview(this.#ctx, applicationId, actor, decision, reasons)
  }

  withdraw(applicationId: string, actor: Actor, reasons: string[]): Promise<ApplicationView> {
    return application.withdraw(this.#ctx, applicationId, actor, reasons)
  }

  // ── R8: documents ───────────────────────────────────────────────────────────────────────────

  addDocument(applicationId: string, actor: Actor, doc: DocumentInput): Promise<DocumentView> {
    return documents.addDocument(this.#ctx, applicationId, actor, doc)
  }

  documents(applicationId: string, actor: Actor): Promise<DocumentView[]> {
    return documents.documents(this.#ctx, applicationId, actor)
  }

  documentContent(applicationId: string, documentId: string, actor: Actor): Promise<{ doc: DocumentView; stream: Readable }> {
    return documents.documentContent(this.#ctx, applicationId, documentId, actor)
  }

  // ── R7: conformance ─────────────────────────────────────────────────────────────────────────

  requestConformance(applicationId: string, actor: Actor): Promise<{ application: ApplicationView; jobId: string }> {
    return conformance.requestConformance(this.#ctx, applicationId, actor)
  }

  runConformance(applicationId: string): Promise<{ skipped?: string; verdict?: ConformanceVerdict; reportSha256?: string }> {
    return conformance.runConformance(this.#ctx, applicationId)
  }

  /** R13: the ingest job's final transaction reports a checked package; an application awaiting one moves on. */
  packageChecked(trx: Transaction<Database>, providerId: string, packageId: string): Promise<string | undefined> {
    return coursePackage.packageChecked(this.#ctx, trx, providerId, packageId)
  }

  conformanceReport(applicationId: string, actor: Actor): Promise<Readable> {
    return conformance.conformanceReport(this.#ctx, applicationId, actor)
  }

  // ── R10: roadshow ───────────────────────────────────────────────────────────────────────────

  addRoadshowScore(applicationId: string, actor: Actor, reviewerId: string, score: number, comments: string): Promise<ScoreView> {
    return roadshow.addRoadshowScore(this.#ctx, applicationId, actor, reviewerId, score, comments)
  }

  roadshowScores(applicationId: string): Promise<ScoreView[]> {
    return roadshow.roadshowScores(this.#ctx, applicationId)
  }

  roadshowDecision(applicationId: string, actor: Actor, recommend: boolean, record: string): Promise<{ application: ApplicationView; jointReview: JointReviewRecord }> {
    return roadshow.roadshowDecision(this.#ctx, applicationId, actor, recommend, record)
  }

  // ── R11: publicity and objections ───────────────────────────────────────────────────────────

  startPublicity(applicationId: string, actor: Actor, startDate?: string): Promise<{ application: ApplicationView; period: WorkingPeriod; warnings: CalendarWarning[] }> {
    return publicity.startPublicity(this.#ctx, applicationId, actor, startDate)
  }

  closeDuePublicity(): Promise<{ closed: string[] }> {
    return publicity.closeDuePublicity(this.#ctx)
  }

  publicityList(): Promise<PublicityEntry[]> {
    return publicity.publicityList(this.#ctx)
  }

  fileObjection(applicationId: string, input: objections.NewObjection): Promise<{ objectionId: string; status: 'unconfirmed'; state: ApplicationState }> {
    return objections.fileObjection(this.#ctx, applicationId, input)
  }

  confirmObjector(applicationId: string, objectionId: string, actor: Actor, confirmation: string): Promise<{ application: ApplicationView; paused: boolean }> {
    return objections.confirmObjector(this.#ctx, applicationId, objectionId, actor, confirmation)
  }

  dismissSpamObjections(objectionIds: readonly string[], actor: Actor, reason: string): Promise<{ dismissed: number; applications: string[] }> {
    return objections.dismissSpam(this.#ctx, objectionIds, actor, reason)
  }

  objectionQueue(filter: { status: 'unconfirmed' | 'confirmed' | 'open' }): Promise<objections.ObjectionQueueItem[]> {
    return objections.objectionQueue(this.#ctx, filter)
  }

  objections(applicationId: string): Promise<ObjectionView[]> {
    return objections.objections(this.#ctx, applicationId)
  }

  resolveObjection(applicationId: string, objectionId: string, actor: Actor, outcome: 'dismissed' | 'upheld', reasons: string[]): Promise<{ application: ApplicationView; resumed: boolean; extendedBy?: number; period?: WorkingPeriod }> {
    return objections.resolveObjection(this.#ctx, applicationId, objectionId, actor, outcome, reasons)
  }

  // ── R12: commitment letter → active ─────────────────────────────────────────────────────────

  submitCommitmentLetter(applicationId: string, actor: Actor, doc: Omit<DocumentInput, 'type'>): Promise<ApplicationView> {
    return commitment.submitCommitmentLetter(this.#ctx, applicationId, actor, doc)
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────────

  get(applicationId: string, actor: Actor): Promise<ApplicationView> {
    return queries.get(this.#ctx, applicationId, actor)
  }

  /** `detail` as cached JSON, valid while the store's change stamp is unchanged (queries.ts). */
  detailJson(applicationId: string, actor: Actor): Promise<string> {
    return queries.detailJson(this.#ctx, this.#detailCache, applicationId, actor)
  }

  detail(applicationId: string, actor: Actor): Promise<ApplicationDetail> {
    return queries.detail(this.#ctx, applicationId, actor)
  }

  list(filter: { state?: ApplicationState; providerId?: string; limit?: number }): Promise<ApplicationView[]> {
    return queries.list(this.#ctx, filter)
  }

  countByState(): Promise<Record<ApplicationState, number>> {
    return queries.countByState(this.#ctx)
  }
}
