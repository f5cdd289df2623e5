// R12: the signed service commitment letter. Received in the commitment state, it is stored as a
// document and the application becomes active with its admission title, in one transaction.
import type { Actor } from './actor.js'
import { insertDocument } from './documents.js'
import type { DocumentInput } from './documents.js'
import { ADMISSION_TITLES, COMMITMENT_LETTER_TYPE } from './requirements-by-kind.js'
import type { ProviderKind } from './requirements-by-kind.js'
import { fire, loadApplication, requireState } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toView } from './views.js'
import type { ApplicationView } from './views.js'

export async function submitCommitmentLetter(ctx: WorkflowContext, applicationId: string, actor: Actor, doc: Omit<DocumentInput, 'type'>): Promise<ApplicationView> {
  return ctx.store.transaction(async (trx) => {
    const row = await loadApplication(ctx, trx, applicationId, actor, true)
    requireState(row, ['commitment'], 'a commitment letter')
    const stored = await insertDocument(ctx, trx, actor, row.id, { ...doc, type: COMMITMENT_LETTER_TYPE })
    const title = ADMISSION_TITLES[row.kind as ProviderKind]
    return toView(await fire(ctx, row.id, 'submit-commitment', actor, {
      reasons: ['signed service commitment letter received'],
      data: { documentId: stored.id, sha256: stored.sha256, title },
      effect: async () => ({ commitment_letter_sha256: stored.sha256, title }),
    }, trx))
  })
}
