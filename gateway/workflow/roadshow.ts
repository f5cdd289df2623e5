// R10: the roadshow. Each reviewer scores once; the committee's decision needs at least
// ROADSHOW_MIN_SCORERS scores and a joint-review record, and is recorded once. "Not recommended"
// is a state change; "recommended" is recorded and audited, and publicity starts separately (R11).
import { sgError } from '../../specs/lib/errors.js'
import type { Actor } from './actor.js'
import { ROADSHOW_MIN_SCORERS } from './guards.js'
import { appendAudit, fire, loadApplication, requireState } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toScoreView, toView } from './views.js'
import type { ApplicationView, ScoreView } from './views.js'

export interface JointReviewRecord {
  recommend: boolean
  record: string
  decidedBy: string
  decidedAt: number
  scores: { reviewer: string; score: number; comments: string }[]
  meanScore: number
}

export async function addRoadshowScore(ctx: WorkflowContext, applicationId: string, actor: Actor, reviewerId: string, score: number, comments: string): Promise<ScoreView> {
  if (!Number.isInteger(score) || score < 0 || score > 100) throw sgError('SG_ERR_VALIDATION', 'score must be an integer 0–100')
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, actor, true)
    requireState(row, ['roadshow'], 'a roadshow score')
    const existing = await trx.selectFrom('roadshow_scores').select('reviewer').where('application_id', '=', row.id).where('reviewer', '=', reviewerId).executeTakeFirst()
    if (existing) throw sgError('SG_ERR_WORKFLOW_DUPLICATE_SCORE', `reviewer ${reviewerId} has scored ${row.id}`)
    const scoredAt = ctx.now()
    await trx.insertInto('roadshow_scores').values({ application_id: row.id, reviewer: reviewerId, score, comments, scored_at: scoredAt }).execute()
    await appendAudit(ctx, trx, actor, 'roadshow.scored', row.id, { reviewer: reviewerId, score, requirementIds: ['R10'] })
    return { reviewer: reviewerId, score, comments, scoredAt }
  })
}

export async function roadshowScores(ctx: WorkflowContext, applicationId: string): Promise<ScoreView[]> {
  const rows = await ctx.store.db.selectFrom('roadshow_scores').selectAll().where('application_id', '=', applicationId).orderBy('scored_at').orderBy('reviewer').execute()
  return rows.map(toScoreView)
}

/** R10: the committee's decision and the joint-review record (scores, mean, record text). */
export async function roadshowDecision(ctx: WorkflowContext, applicationId: string, actor: Actor, recommend: boolean, record: string): Promise<{ application: ApplicationView; jointReview: JointReviewRecord }> {
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, actor, true)
    requireState(row, ['roadshow'], 'a roadshow decision')
    if (row.roadshow_decision) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'the roadshow decision has been recorded already', { reasons: ['decision already recorded'] })
    const scores = (await trx.selectFrom('roadshow_scores').selectAll().where('application_id', '=', row.id).orderBy('reviewer').execute())
      .map((s) => ({ reviewer: s.reviewer, score: s.score, comments: s.comments }))
    if (scores.length < ROADSHOW_MIN_SCORERS) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', `${scores.length} score(s); at least ${ROADSHOW_MIN_SCORERS} reviewers must score first`, { guard: 'roadshow-scores', reasons: [`needs ${ROADSHOW_MIN_SCORERS} scores`] })
    if (record.trim() === '') throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', 'the joint-review record text is empty', { guard: 'reasons', reasons: ['record is empty'] })
    const jointReview: JointReviewRecord = {
      recommend,
      record,
      decidedBy: actor.id,
      decidedAt: ctx.now(),
      scores,
      meanScore: Math.round((scores.reduce((a, s) => a + s.score, 0) / scores.length) * 100) / 100,
    }
    const decision = JSON.stringify(jointReview)
    if (!recommend) {
      const next = await fire(ctx, row.id, 'not-recommend', actor, { reasons: [record], data: { meanScore: jointReview.meanScore }, effect: async () => ({ roadshow_decision: decision }) }, trx)
      return { application: toView(next), jointReview }
    }
    const now = ctx.now()
    await trx.updateTable('applications').set({ roadshow_decision: decision, updated_at: now }).where('id', '=', row.id).execute()
    await appendAudit(ctx, trx, actor, 'roadshow.recommended', row.id, { meanScore: jointReview.meanScore, record, requirementIds: ['R10'] })
    return { application: toView({ ...row, roadshow_decision: decision, updated_at: now }), jointReview }
  })
}
