// 参培主体 (training bodies): the enterprises and bodies that train their people, and whose feedback
// counts towards the R19 rates that can force a provider out (R17, R19; issue 16). An admin
// registers a body and issues it bearer tokens of role 'training-body'; a provider can never hold
// one (its tokens carry a providerId, these a trainingBodyId, api-tokens.ts refuses both at once).
import { randomUUID } from 'node:crypto'
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import type { TrainingBodiesTable } from '../store/schema.js'

export interface TrainingBodyView { id: string; name: string; uscc: string | null; contact: string; createdAt: number; revokedAt: number | null }

const toView = (r: TrainingBodiesTable): TrainingBodyView =>
  ({ id: r.id, name: r.name, uscc: r.uscc, contact: r.contact, createdAt: r.created_at, revokedAt: r.revoked_at })

export class TrainingBodies {
  readonly #store: Store
  readonly #now: () => number
  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store
    this.#now = now
  }

  /** Registers a body and issues its first token (shown once). */
  async create(input: { name: string; uscc?: string; contact: string }, actor: string): Promise<{ trainingBody: TrainingBodyView; token: string }> {
    if (input.name.trim() === '' || input.contact.trim() === '') throw sgError('SG_ERR_VALIDATION', 'name and contact must not be blank')
    const row: TrainingBodiesTable = { id: `tb_${randomUUID()}`, name: input.name.trim(), uscc: input.uscc ?? null, contact: input.contact.trim(), created_by: actor, created_at: this.#now(), revoked_at: null }
    await this.#store.db.insertInto('training_bodies').values(row).execute()
    const { token } = await this.issueToken(row.id)
    return { trainingBody: toView(row), token }
  }

  /** A further token for a live body (e.g. one per office); the secret is returned once. */
  async issueToken(id: string): Promise<{ token: string; tokenId: string }> {
    const body = await this.get(id)
    if (body.revokedAt !== null) throw sgError('SG_ERR_TRAINING_BODY_NOT_FOUND', `${id} was revoked`)
    const { token, identity } = await this.#store.apiTokens.create({ role: 'training-body', trainingBodyId: id, label: `training body ${body.name}`.slice(0, 200) }, this.#now())
    return { token, tokenId: identity.id }
  }

  async get(id: string): Promise<TrainingBodyView> {
    const row = await this.#store.db.selectFrom('training_bodies').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw sgError('SG_ERR_TRAINING_BODY_NOT_FOUND', id.slice(0, 80))
    return toView(row)
  }

  /** A live body, or undefined when unknown or revoked (its tokens are revoked with it). */
  async live(id: string): Promise<TrainingBodyView | undefined> {
    const row = await this.#store.db.selectFrom('training_bodies').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
    return row ? toView(row) : undefined
  }

  async list(): Promise<TrainingBodyView[]> {
    const rows = await this.#store.db.selectFrom('training_bodies').selectAll().orderBy('created_at').orderBy('id').limit(1000).execute()
    return rows.map(toView)
  }

  /** Revokes the body and every token it holds. Its earlier tickets keep counting: they were identified when filed. */
  async revoke(id: string): Promise<TrainingBodyView> {
    await this.get(id)
    const now = this.#now()
    await this.#store.db.updateTable('training_bodies').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    await this.#store.apiTokens.revokeAllForTrainingBody(id, now)
    return this.get(id)
  }
}
