// Guard functions named by the transition table. Each returns what is not yet satisfied (empty =
// pass) and reads only through `trx`, inside the transaction that will change the state, so a
// guard's verdict and the state change it allows cannot be separated by another writer.
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { ApplicationRow, Database } from '../store/schema.js'
import { checkCompleteness } from './requirements-by-kind.js'
import type { ApplicationForm, MissingItem, ProviderKind } from './requirements-by-kind.js'
import type { GuardName } from './state-machine.js'

/** R10: the roadshow committee decides only once at least this many reviewers have scored. */
export const ROADSHOW_MIN_SCORERS = 3

export interface GuardContext {
  trx: Transaction<Database>
  /** The application row with the pending change applied. */
  row: ApplicationRow
  reasons: readonly string[]
  now: number
}

type Guard = (ctx: GuardContext) => Promise<string[]>

export interface StoredForm extends ApplicationForm {
  sandboxTenantIds?: string[]
}

export async function completenessOf(trx: Transaction<Database>, row: ApplicationRow): Promise<MissingItem[]> {
  const docs = await trx.selectFrom('application_documents').select(['doc_type', 'attributes']).where('application_id', '=', row.id).execute()
  const form = JSON.parse(row.form) as StoredForm
  return checkCompleteness({
    kind: row.kind as ProviderKind,
    form,
    endpointBaseUrl: row.endpoint_base_url,
    sandboxTenantCount: form.sandboxTenantIds?.length ?? 0,
    documents: docs.map((d) => ({ docType: d.doc_type, attributes: JSON.parse(d.attributes) as Record<string, unknown> })),
  })
}

async function openObjections(trx: Transaction<Database>, applicationId: string, confirmedOnly = false): Promise<number> {
  let q = trx.selectFrom('publicity_objections').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('application_id', '=', applicationId).where('resolved_at', 'is', null)
  if (confirmedOnly) q = q.where('confirmed_at', 'is not', null)
  const r = await q.executeTakeFirstOrThrow()
  return Number(r.n)
}

export const GUARDS: Readonly<Record<GuardName, Guard>> = {
  // R8/R9: the automated completeness check; reported as SG_ERR_WORKFLOW_INCOMPLETE, see runGuards.
  completeness: async ({ trx, row }) => (await completenessOf(trx, row)).map((m) => `${m.item}: ${m.message} (${m.requirementIds.join(', ')})`),
  // R9: a material-review decision, like every reviewer decision, carries its reasons.
  reasons: async ({ reasons }) => (reasons.some((r) => r.trim() !== '') ? [] : ['give at least one non-empty reason']),
  'conformance-report': async ({ row }) => (row.conformance_report_sha256 ? [] : ['no conformance report is linked']),
  // R10: scores per reviewer before the committee decides.
  'roadshow-scores': async ({ trx, row }) => {
    const r = await trx.selectFrom('roadshow_scores').select((eb) => eb.fn.countAll<number>().as('n')).where('application_id', '=', row.id).executeTakeFirstOrThrow()
    const n = Number(r.n)
    return n >= ROADSHOW_MIN_SCORERS ? [] : [`${n} reviewer score(s); the roadshow needs at least ${ROADSHOW_MIN_SCORERS}`]
  },
  'roadshow-recommended': async ({ row }) => {
    const decision = row.roadshow_decision ? (JSON.parse(row.roadshow_decision) as { recommend?: boolean }) : undefined
    return decision?.recommend === true ? [] : ['the roadshow committee has not recommended this application']
  },
  // R11: five working days, closed only once the (possibly extended) end has passed.
  'publicity-over': async ({ row, now }) =>
    row.publicity_ends_at !== null && row.publicity_ends_at <= now ? [] : [`the publicity period runs until ${row.publicity_end_date ?? '?'} (24:00 Asia/Shanghai)`],
  'no-open-objections': async ({ trx, row }) => {
    const n = await openObjections(trx, row.id)
    return n === 0 ? [] : [`${n} objection(s) are still open (confirm or dismiss them)`]
  },
  // R11: only a confirmed objection holds publicity paused; an unconfirmed one never paused it.
  'no-confirmed-open-objections': async ({ trx, row }) => {
    const n = await openObjections(trx, row.id, true)
    return n === 0 ? [] : [`${n} confirmed objection(s) are still open`]
  },
  // R12: admission needs the signed service commitment letter.
  'commitment-letter': async ({ row }) => (row.commitment_letter_sha256 ? [] : ['upload the signed service commitment letter']),
}

export async function runGuards(names: readonly GuardName[], ctx: GuardContext): Promise<void> {
  for (const name of names) {
    if (name === 'completeness') {
      const missing = await completenessOf(ctx.trx, ctx.row)
      if (missing.length > 0) throw sgError('SG_ERR_WORKFLOW_INCOMPLETE', missing.map((m) => m.item).join(', '), { missing })
      continue
    }
    const failures = await GUARDS[name](ctx)
    if (failures.length > 0) throw sgError('SG_ERR_WORKFLOW_GUARD_FAILED', failures.join('; '), { guard: name, reasons: failures })
  }
}
