// What reviewers and admins do to an admitted provider (R18–R20), each in one transaction with its
// audit entry. The admission state machine ends at 'active', so the operating status lives in
// provider_status (active | interview | suspended | exited) with the reason code.
// - interview (约谈) and suspension (暂停) follow R19 recommendations; a suspended provider's courses
//   are hidden and it is neither synced nor assessed; reinstatement makes it active again.
// - takedown (下架, R14/R19) takes every course of the provider out of the course centre.
// - exit (R18, on written request) and forced exit (R20, one of seven reason codes): signing keys
//   and provider tokens are revoked (interface and accounts shut), sync stops, courses are closed to
//   new learners; existing learners keep access and every learning record is kept.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import { AuditLog } from '../audit/audit-log.js'
import type { Store } from '../store/open-store.js'
import type { Database, ProviderOperatingStatus } from '../store/schema.js'
import type { ProviderDirectory } from '../sync/provider-directory.js'

/** 第二十条 (一)…(七). */
export const FORCED_EXIT_REASONS = {
  'R20-1': { 'zh-CN': '存在法律、政治、科学性、规范性等问题', en: 'Legal, political, scientific or normative problems' },
  'R20-2': { 'zh-CN': '存在失信记录', en: 'A dishonesty (失信) record' },
  'R20-3': { 'zh-CN': '服务器迁移至国（境）外', en: 'Servers moved outside mainland China' },
  'R20-4': { 'zh-CN': '内容不再符合要求', en: 'Content no longer fits the requirements' },
  'R20-5': { 'zh-CN': '违规收费', en: 'Illegal charging' },
  'R20-6': { 'zh-CN': '评价较差', en: 'Poor evaluation' },
  'R20-7': { 'zh-CN': '其他违法违规行为', en: 'Other violations' },
} as const
export type ForcedExitReason = keyof typeof FORCED_EXIT_REASONS
export const isForcedExitReason = (v: string): v is ForcedExitReason => Object.hasOwn(FORCED_EXIT_REASONS, v)

export type ManagementAction = 'interview' | 'suspend' | 'reinstate' | 'takedown'
export const MANAGEMENT_ACTIONS: readonly ManagementAction[] = ['interview', 'suspend', 'reinstate', 'takedown']

export interface ActionRecord { id: string; providerId: string; action: string; reasonCode: string | null; note: string; actor: string; at: number; status: ProviderOperatingStatus }

export class ProviderManagement {
  readonly #store: Store
  readonly #directory: ProviderDirectory
  readonly #audit: AuditLog
  readonly #now: () => number

  constructor(o: { store: Store; directory: ProviderDirectory; now?: () => number }) {
    this.#store = o.store
    this.#directory = o.directory
    this.#audit = new AuditLog(o.store)
    this.#now = o.now ?? Date.now
  }

  /** R19 actions (and reinstatement), usually on a feedback case's recommendation. */
  async act(providerId: string, action: ManagementAction, o: { note: string; actor: string; caseId?: string }): Promise<ActionRecord> {
    const next: Record<ManagementAction, ProviderOperatingStatus | null> = { interview: 'interview', suspend: 'suspended', reinstate: 'active', takedown: null }
    return this.#change(providerId, action, { ...o, reasonCode: action === 'reinstate' ? null : 'R19', status: next[action], requirementIds: ['R17', 'R19'] }, async (trx, now) => {
      if (action === 'takedown') await trx.updateTable('centre_courses').set({ status: 'taken-down', updated_at: now }).where('provider_id', '=', providerId).where('status', '=', 'live').execute()
    })
  }

  /** R18: voluntary exit on the provider's written request (reference it in `note`). */
  async exit(providerId: string, o: { note: string; actor: string }): Promise<ActionRecord> {
    const done = await this.#change(providerId, 'exit', { ...o, reasonCode: 'R18', status: 'exited', requirementIds: ['R18'] }, (trx, now) => this.#shutDown(trx, providerId, now))
    this.#store.apiTokens.forgetProvider(providerId)
    return done
  }

  /** R20: forced exit with one of the seven reason codes. */
  async forcedExit(providerId: string, reasonCode: string, o: { note: string; actor: string; caseId?: string }): Promise<ActionRecord> {
    if (!isForcedExitReason(reasonCode)) throw sgError('SG_ERR_EXIT_REASON', `got ${reasonCode.slice(0, 20)}`, { allowed: Object.keys(FORCED_EXIT_REASONS) })
    const done = await this.#change(providerId, 'forced-exit', { ...o, reasonCode, status: 'exited', requirementIds: [reasonCode, 'R17'] }, (trx, now) => this.#shutDown(trx, providerId, now))
    this.#store.apiTokens.forgetProvider(providerId)
    return done
  }

  async history(providerId: string): Promise<ActionRecord[]> {
    const rows = await this.#store.db.selectFrom('provider_actions').selectAll().where('provider_id', '=', providerId).orderBy('at').orderBy('id').execute()
    const { status } = await this.#directory.get(providerId)
    return rows.map((r) => ({ id: r.id, providerId: r.provider_id, action: r.action, reasonCode: r.reason_code, note: r.note, actor: r.actor, at: r.at, status }))
  }

  async #shutDown(trx: Transaction<Database>, providerId: string, now: number): Promise<void> {
    await trx.updateTable('provider_keys').set({ revoked_at: now }).where('provider_id', '=', providerId).where('revoked_at', 'is', null).execute()
    // Through the repository, not a bare UPDATE: its verification cache would otherwise keep the
    // tokens working for up to TOKEN_CACHE_TTL_MS after the exit (R18: accounts shut at once).
    await this.#store.apiTokens.revokeAllForProvider(providerId, now, trx)
    await trx.updateTable('centre_courses').set({ status: 'closed', updated_at: now }).where('provider_id', '=', providerId).where('status', '=', 'live').execute()
  }

  async #change(providerId: string, action: string, o: { note: string; actor: string; caseId?: string; reasonCode: string | null; status: ProviderOperatingStatus | null; requirementIds: string[] }, effect: (trx: Transaction<Database>, now: number) => Promise<void>): Promise<ActionRecord> {
    if (o.note.trim() === '') throw sgError('SG_ERR_VALIDATION', 'a management action needs a written note')
    const now = this.#now()
    return this.#store.transaction(async (trx) => {
      const current = await this.#directory.get(providerId, trx)
      if (current.status === 'exited') throw sgError('SG_ERR_PROVIDER_NOT_OPERATING', `the provider exited (${current.reasonCode ?? 'no reason code'})`, { status: current.status, reasonCode: current.reasonCode })
      const status = o.status ?? current.status
      await effect(trx, now)
      const values = { status, reason_code: o.status === null ? current.reasonCode : o.reasonCode, note: o.note, updated_by: o.actor, updated_at: now }
      await trx.insertInto('provider_status').values({ provider_id: providerId, ...values }).onConflict((oc) => oc.column('provider_id').doUpdateSet(values)).execute()
      const id = `pact_${randomUUID()}`
      await trx.insertInto('provider_actions').values({ id, provider_id: providerId, action, reason_code: o.reasonCode, note: o.note, recommendation_id: o.caseId ?? null, actor: o.actor, at: now }).execute()
      await this.#audit.append({ actor: o.actor, action: `provider.${action}`, subjectType: 'provider', subjectId: providerId, at: now, data: { from: current.status, to: status, reasonCode: o.reasonCode, note: o.note, requirementIds: o.requirementIds, ...(o.caseId ? { caseId: o.caseId } : {}) } }, trx)
      return { id, providerId, action, reasonCode: o.reasonCode, note: o.note, actor: o.actor, at: now, status }
    })
  }
}
