// Feedback tickets from training entities (参培主体) about a provider (R17, R19). Only tickets filed
// by an identified training body (a bearer token the platform issued it, training-bodies.ts) count
// towards the R19 rates; anyone may still file anonymously, and such a ticket is kept for the
// reviewers but never counted, never shown to the provider and never rated (issue 16). The
// identified filer receives a one-time rating token, shown once and stored hashed, with which it
// later rates the handling 1–5. The provider answers and resolves through its signed API.
// Rates over a window feed the R19 thresholds (gateway/assessment/r19-thresholds.ts).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import type { FeedbackTicketsTable } from '../store/schema.js'

export interface NewTicket {
  providerId: string
  courseId?: string
  /** Anonymous tickets name the entity themselves; an identified ticket takes the registered name. */
  entityName?: string
  entityUscc?: string
  contact?: string
  subject: string
  body: string
}

export interface TicketView {
  id: string
  providerId: string
  courseId: string | null
  entityName: string
  subject: string
  body: string
  filedAt: number
  respondedAt: number | null
  response: string | null
  resolvedAt: number | null
  resolution: string | null
  rating: number | null
  state: 'filed' | 'answered' | 'resolved' | 'rated'
  /** Filed by an identified training body: counts towards R19. False: anonymous, kept for reviewers only. */
  identified: boolean
}

export interface FeedbackMetrics {
  providerId: string
  windowDays: number
  from: number
  to: number
  tickets: number
  /** Tickets answered within the response deadline ÷ tickets whose deadline has passed or that were answered. */
  responseRate: number | null
  /** Tickets resolved ÷ tickets filed in the window. */
  resolutionRate: number | null
  /** Mean rating 1–5 over rated tickets. */
  satisfaction: number | null
  rated: number
  /** Anonymous tickets in the window: kept for reviewers, never counted in the rates above (R19). */
  anonymousTickets: number
}

const hash = (token: string): string => createHash('sha256').update(token).digest('hex')
const DAY_MS = 86_400_000

function toView(r: FeedbackTicketsTable): TicketView {
  return {
    id: r.id, providerId: r.provider_id, courseId: r.course_id, entityName: r.entity_name, subject: r.subject, body: r.body, filedAt: r.filed_at,
    respondedAt: r.responded_at, response: r.response, resolvedAt: r.resolved_at, resolution: r.resolution, rating: r.rating,
    state: r.rating !== null ? 'rated' : r.resolved_at !== null ? 'resolved' : r.responded_at !== null ? 'answered' : 'filed',
    identified: r.training_body_id !== null,
  }
}

export class Feedback {
  readonly #store: Store
  readonly #now: () => number

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store
    this.#now = now
  }

  /**
   * Files a ticket. `by` is the identified training body (from its token): its ticket counts
   * towards R19 and gets a rating token. Without it the ticket is anonymous: kept, never counted.
   */
  async file(t: NewTicket, by?: { id: string; name: string; uscc: string | null }): Promise<{ ticket: TicketView; ratingToken?: string }> {
    const entityName = by ? by.name : t.entityName?.trim()
    if (!entityName) throw sgError('SG_ERR_VALIDATION', 'anonymous feedback must name the entity (entityName)')
    const known = await this.#store.db.selectFrom('applications').select('provider_id').where('provider_id', '=', t.providerId).where('state', '=', 'active').executeTakeFirst()
    if (!known) throw sgError('SG_ERR_PROVIDER_UNKNOWN', t.providerId.slice(0, 80))
    // An anonymous ticket is never rated: its hash is of a secret nobody keeps.
    const ratingToken = `fbt_${randomBytes(24).toString('base64url')}`
    const row: FeedbackTicketsTable = {
      id: `fb_${randomUUID()}`, provider_id: t.providerId, course_id: t.courseId ?? null, entity_name: entityName, entity_uscc: by ? by.uscc : t.entityUscc ?? null,
      contact: t.contact ?? null, subject: t.subject, body: t.body, rating_token_hash: hash(ratingToken), filed_at: this.#now(),
      responded_at: null, response: null, resolved_at: null, resolution: null, rating: null, rated_at: null, training_body_id: by?.id ?? null,
    }
    await this.#store.db.insertInto('feedback_tickets').values(row).execute()
    return by ? { ticket: toView(row), ratingToken } : { ticket: toView(row) }
  }

  async #load(id: string, providerId?: string): Promise<FeedbackTicketsTable> {
    let q = this.#store.db.selectFrom('feedback_tickets').selectAll().where('id', '=', id)
    // Another provider's ticket reads as absent (no IDOR); so does an anonymous one, which only reviewers see.
    if (providerId !== undefined) q = q.where('provider_id', '=', providerId).where('training_body_id', 'is not', null)
    const row = await q.executeTakeFirst()
    if (!row) throw sgError('SG_ERR_FEEDBACK_NOT_FOUND', id.slice(0, 80))
    return row
  }

  async get(id: string, providerId?: string): Promise<TicketView> {
    return toView(await this.#load(id, providerId))
  }

  /** `identified`: only identified (true) or only anonymous (false) tickets; a provider passes true. */
  async list(f: { providerId?: string; state?: TicketView['state']; identified?: boolean; limit?: number } = {}): Promise<TicketView[]> {
    let q = this.#store.db.selectFrom('feedback_tickets').selectAll()
    if (f.providerId !== undefined) q = q.where('provider_id', '=', f.providerId)
    if (f.identified !== undefined) q = q.where('training_body_id', f.identified ? 'is not' : 'is', null)
    const rows = await q.orderBy('filed_at', 'desc').orderBy('id').limit(Math.min(f.limit ?? 100, 500)).execute()
    return rows.map(toView).filter((v) => f.state === undefined || v.state === f.state)
  }

  async respond(providerId: string, id: string, response: string): Promise<TicketView> {
    await this.#load(id, providerId)
    const r = await this.#store.db.updateTable('feedback_tickets').set({ responded_at: this.#now(), response })
      .where('id', '=', id).where('provider_id', '=', providerId).where('responded_at', 'is', null).executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw sgError('SG_ERR_FEEDBACK_STATE', 'the ticket was already answered')
    return this.get(id)
  }

  async resolve(providerId: string, id: string, resolution: string): Promise<TicketView> {
    await this.#load(id, providerId)
    const now = this.#now()
    const r = await this.#store.db.updateTable('feedback_tickets').set((eb) => ({
      resolved_at: now, resolution,
      // Resolving answers an unanswered ticket too.
      responded_at: eb.fn.coalesce('responded_at', eb.val(now)),
      response: eb.fn.coalesce('response', eb.val(resolution)),
    })).where('id', '=', id).where('provider_id', '=', providerId).where('resolved_at', 'is', null).executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw sgError('SG_ERR_FEEDBACK_STATE', 'the ticket was already resolved')
    return this.get(id)
  }

  async rate(id: string, ratingToken: string, rating: number): Promise<TicketView> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw sgError('SG_ERR_VALIDATION', 'rating must be an integer 1–5')
    const row = await this.#load(id)
    if (row.training_body_id === null) throw sgError('SG_ERR_FEEDBACK_RATING_TOKEN', 'an anonymous ticket cannot be rated')
    const a = Buffer.from(row.rating_token_hash, 'hex')
    const b = Buffer.from(hash(ratingToken), 'hex')
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw sgError('SG_ERR_FEEDBACK_RATING_TOKEN')
    if (row.resolved_at === null) throw sgError('SG_ERR_FEEDBACK_STATE', 'a ticket is rated after the provider resolved it')
    const r = await this.#store.db.updateTable('feedback_tickets').set({ rating, rated_at: this.#now() }).where('id', '=', id).where('rating', 'is', null).executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw sgError('SG_ERR_FEEDBACK_STATE', 'the ticket was already rated')
    return this.get(id)
  }

  /**
   * R19 rates over the `windowDays` before now, from identified tickets only (anonymous ones are
   * counted apart and never move a rate). A ticket counts against the response rate once its
   * deadline has passed unanswered.
   */
  async metrics(providerId: string, o: { windowDays: number; responseDeadlineHours: number }): Promise<FeedbackMetrics> {
    const to = this.#now()
    const from = to - o.windowDays * DAY_MS
    const deadline = o.responseDeadlineHours * 3_600_000
    const all = await this.#store.db.selectFrom('feedback_tickets').select(['filed_at', 'responded_at', 'resolved_at', 'rating', 'training_body_id'])
      .where('provider_id', '=', providerId).where('filed_at', '>=', from).where('filed_at', '<=', to).execute()
    const rows = all.filter((r) => r.training_body_id !== null)
    const due = rows.filter((r) => r.responded_at !== null || r.filed_at + deadline <= to)
    const onTime = due.filter((r) => r.responded_at !== null && r.responded_at - r.filed_at <= deadline)
    const rated = rows.filter((r) => r.rating !== null)
    return {
      providerId, windowDays: o.windowDays, from, to, tickets: rows.length,
      responseRate: due.length === 0 ? null : onTime.length / due.length,
      resolutionRate: rows.length === 0 ? null : rows.filter((r) => r.resolved_at !== null).length / rows.length,
      satisfaction: rated.length === 0 ? null : rated.reduce((s, r) => s + r.rating!, 0) / rated.length,
      rated: rated.length,
      anonymousTickets: all.length - rows.length,
    }
  }
}
