// The Workflow service on both engines (R6, R9, R10, R12): every legal transition of the table
// fires with its guards satisfied and writes exactly one audit row with actor/from/to/reasons; for
// every guard, a twin missing exactly that fact is refused and leaves neither a state change nor an
// audit row; every illegal event is a 409 that writes nothing.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Test } from 'tap'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { ROADSHOW_MIN_SCORERS } from './guards.js'
import { documentTypesFor } from './requirements-by-kind.js'
import { SecretBox } from './secret-box.js'
import { EVENTS, STATES, TRANSITIONS } from './state-machine.js'
import type { ActorRole, ApplicationState, GuardName } from './state-machine.js'
import { applicationBody, checkFrameworkRunner } from './workflow.test-support.js'
import { Workflow } from './workflow.js'
import type { Actor } from './actor.js'

const SHA = 'a'.repeat(64)
const NOW = Date.parse('2026-03-02T10:00:00+08:00')

function makeWorkflow(t: Test, store: Store): Workflow {
  const box = new SecretBox(randomBytes(32))
  return new Workflow({ store, blobs: new DiskBlobStore(join(t.testdir({}), 'blobs')), secrets: () => box, now: () => NOW })
}

async function auditCount(store: Store): Promise<number> {
  const r = await store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Facts that satisfy each guard, written straight into the tables. */
const SATISFY: Record<GuardName, (store: Store, id: string) => Promise<void>> = {
  completeness: async (store, id) => {
    const row = await store.db.selectFrom('applications').select('kind').where('id', '=', id).executeTakeFirstOrThrow()
    for (const d of documentTypesFor(row.kind as 'on-demand')) {
      await store.db.insertInto('application_documents').values({ id: `doc_${d.type}_${id}`, application_id: id, doc_type: d.type, file_name: 'x.pdf', content_type: 'application/pdf', sha256: SHA, size: 1, attributes: JSON.stringify(d.type === 'mlps-certificate' ? { level: 2 } : {}), uploaded_at: NOW }).execute()
    }
  },
  reasons: async () => undefined,
  'conformance-report': async (store, id) => { await store.db.updateTable('applications').set({ conformance_report_sha256: SHA, conformance_verdict: 'conformant' }).where('id', '=', id).execute() },
  'roadshow-scores': async (store, id) => {
    for (let i = 0; i < ROADSHOW_MIN_SCORERS; i++) await store.db.insertInto('roadshow_scores').values({ application_id: id, reviewer: `r${i}`, score: 80, comments: 'ok', scored_at: NOW }).execute()
  },
  'roadshow-recommended': async (store, id) => { await store.db.updateTable('applications').set({ roadshow_decision: JSON.stringify({ recommend: true }) }).where('id', '=', id).execute() },
  'publicity-over': async (store, id) => { await store.db.updateTable('applications').set({ publicity_start_date: '2026-02-23', publicity_end_date: '2026-02-27', publicity_ends_at: NOW - 1 }).where('id', '=', id).execute() },
  'no-open-objections': async () => undefined,
  'no-confirmed-open-objections': async () => undefined,
  'commitment-letter': async (store, id) => { await store.db.updateTable('applications').set({ commitment_letter_sha256: SHA }).where('id', '=', id).execute() },
}

/** The one defect per guard (for facts that the guard reads from the tables or the call). */
const BREAK: Partial<Record<GuardName, { reasons?: string[]; after?: (store: Store, id: string) => Promise<void> }>> = {
  completeness: { after: async (store, id) => { await store.db.deleteFrom('application_documents').where('application_id', '=', id).where('doc_type', '=', 'credit-report').execute() } },
  reasons: { reasons: ['  '] },
  'conformance-report': { after: async (store, id) => { await store.db.updateTable('applications').set({ conformance_report_sha256: null }).where('id', '=', id).execute() } },
  'roadshow-scores': { after: async (store, id) => { await store.db.deleteFrom('roadshow_scores').where('application_id', '=', id).where('reviewer', '=', 'r0').execute() } },
  'roadshow-recommended': { after: async (store, id) => { await store.db.updateTable('applications').set({ roadshow_decision: JSON.stringify({ recommend: false }) }).where('id', '=', id).execute() } },
  'publicity-over': { after: async (store, id) => { await store.db.updateTable('applications').set({ publicity_ends_at: NOW + 1 }).where('id', '=', id).execute() } },
  'no-open-objections': { after: async (store, id) => { await store.db.insertInto('publicity_objections').values({ id: `obj_${id}`, application_id: id, text: 'x', contact: null, filed_at: NOW, resolved_at: null, outcome: null, resolution: null, resolved_by: null }).execute() } },
  'no-confirmed-open-objections': { after: async (store, id) => { await store.db.insertInto('publicity_objections').values({ id: `obj_c_${id}`, application_id: id, text: 'x', contact: '13800000000', objector_name: '张三', filed_at: NOW, confirmed_at: NOW, confirmed_by: 'reviewer:t', confirmation: '电话回访', resolved_at: null, outcome: null, resolution: null, resolved_by: null }).execute() } },
  'commitment-letter': { after: async (store, id) => { await store.db.updateTable('applications').set({ commitment_letter_sha256: null }).where('id', '=', id).execute() } },
}

async function seed(wf: Workflow, store: Store, state: ApplicationState, guards: readonly GuardName[]): Promise<{ id: string; providerId: string }> {
  const { application, provider } = await wf.createApplication(applicationBody('self-hosted'))
  await store.db.updateTable('applications').set({ state }).where('id', '=', application.id).execute()
  for (const g of guards) await SATISFY[g](store, application.id)
  return { id: application.id, providerId: provider.providerId }
}

const actorFor = (role: ActorRole, providerId: string): Actor =>
  role === 'provider' ? { role, id: `provider:${providerId}`, providerId } : { role, id: `${role}:test` }

forEachEngine(t, async (t, store) => {
  const wf = makeWorkflow(t, store)

  t.test('every legal transition fires and is audited in the same transaction', async (t) => {
    for (const tr of TRANSITIONS) {
      const { id, providerId } = await seed(wf, store, tr.from, tr.guards)
      const before = await auditCount(store)
      const row = await wf.fire(id, tr.event, actorFor(tr.roles[0]!, providerId), { reasons: ['because'] })
      t.equal(row.state, tr.to, `${tr.from} --${tr.event}--> ${tr.to}`)
      const trail = await wf.audit.forSubject('application', id)
      const last = trail.at(-1)!
      t.equal(await auditCount(store), before + 1, 'one audit row')
      t.match(last, { action: `workflow.${tr.event}`, actor: actorFor(tr.roles[0]!, providerId).id, data: { from: tr.from, to: tr.to, reasons: ['because'] } })
      t.equal((await wf.get(id, { role: 'reviewer', id: 'reviewer:x' })).state, tr.to)
    }
  })

  t.test('each guard: the twin missing exactly one fact is refused, with no state change and no audit row', async (t) => {
    for (const tr of TRANSITIONS.filter((x) => x.guards.length > 0)) {
      for (const guard of tr.guards) {
        const defect = BREAK[guard]!
        const { id, providerId } = await seed(wf, store, tr.from, tr.guards)
        await defect.after?.(store, id)
        const before = await auditCount(store)
        await t.rejects(wf.fire(id, tr.event, actorFor(tr.roles[0]!, providerId), { reasons: defect.reasons ?? ['because'] }),
          { code: guard === 'completeness' ? 'SG_ERR_WORKFLOW_INCOMPLETE' : 'SG_ERR_WORKFLOW_GUARD_FAILED' }, `${tr.event} without ${guard}`)
        t.equal((await wf.get(id, { role: 'reviewer', id: 'reviewer:x' })).state, tr.from, 'state unchanged')
        t.equal(await auditCount(store), before, 'no audit row')
      }
    }
  })

  t.test('every illegal event in every state is a 409 that writes nothing', async (t) => {
    const byState = new Map<ApplicationState, string>()
    for (const state of STATES) byState.set(state, (await seed(wf, store, state, [])).id)
    const before = await auditCount(store)
    for (const state of STATES) {
      for (const event of EVENTS.filter((e) => !TRANSITIONS.some((x) => x.from === state && x.event === e))) {
        await t.rejects(wf.fire(byState.get(state)!, event, { role: 'admin', id: 'admin:test' }), { code: 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION', statusCode: 409 }, `${state} + ${event}`)
      }
    }
    t.equal(await auditCount(store), before)
  })

  t.test('a provider cannot fire events on another provider\'s application (reads as not found)', async (t) => {
    const mine = await seed(wf, store, 'draft', ['completeness'])
    const other = await seed(wf, store, 'draft', ['completeness'])
    await t.rejects(wf.fire(mine.id, 'submit', actorFor('provider', other.providerId)), { code: 'SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND' })
    t.equal((await wf.submit(mine.id, actorFor('provider', mine.providerId))).state, 'material-review', 'R9: submit runs completeness, then queues for review')
  })

  t.test('R9 material pass enqueues conformance atomically; the runner\'s report is stored and moves the state', async (t) => {
    const a = await seed(wf, store, 'material-review', [])
    await t.rejects(wf.materialReview(a.id, actorFor('reviewer', ''), 'pass', []), { code: 'SG_ERR_WORKFLOW_GUARD_FAILED' }, 'R9: a decision without reasons is refused')
    t.equal(await store.db.selectFrom('jobs').select('id').where('kind', '=', 'workflow.conformance').execute().then((r) => r.length), 0, 'no job when the review did not commit')
    await wf.materialReview(a.id, actorFor('reviewer', ''), 'pass', ['documents valid'])
    const jobs = await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'workflow.conformance').execute()
    t.equal(jobs.length, 1)
    wf.runner = checkFrameworkRunner('not-conformant')
    const r1 = await wf.runConformance(a.id)
    t.equal(r1.verdict, 'not-conformant')
    t.equal((await wf.get(a.id, actorFor('reviewer', ''))).state, 'conformance-failed')
    const report = JSON.parse(await new Response((await wf.blobs.get(r1.reportSha256!)) as unknown as ReadableStream).text())
    t.equal(report.verdict, 'not-conformant', 'the stored blob is the runner\'s report')
    await wf.requestConformance(a.id, actorFor('provider', a.providerId))
    wf.runner = checkFrameworkRunner('conformant')
    t.equal((await wf.runConformance(a.id)).verdict, 'conformant')
    t.equal((await wf.get(a.id, actorFor('reviewer', ''))).state, 'roadshow')
  })

  t.test('R10 roadshow: one score per reviewer, decision needs the minimum, joint-review record; R12 letter → active with the kind title', async (t) => {
    const a = await seed(wf, store, 'roadshow', [])
    const reviewer = actorFor('reviewer', '')
    await wf.addRoadshowScore(a.id, reviewer, 'rev-1', 90, 'good')
    await t.rejects(wf.addRoadshowScore(a.id, reviewer, 'rev-1', 10, 'again'), { code: 'SG_ERR_WORKFLOW_DUPLICATE_SCORE' })
    await t.rejects(wf.roadshowDecision(a.id, reviewer, true, 'record'), { code: 'SG_ERR_WORKFLOW_GUARD_FAILED' }, 'too few scores')
    for (let i = 2; i <= ROADSHOW_MIN_SCORERS; i++) await wf.addRoadshowScore(a.id, reviewer, `rev-${i}`, 70 + i, 'fine')
    const { jointReview, application } = await wf.roadshowDecision(a.id, reviewer, true, '联合评审纪要：同意推荐')
    t.equal(application.state, 'roadshow', 'recommendation recorded; publicity starts separately')
    t.equal(jointReview.scores.length, ROADSHOW_MIN_SCORERS)
    t.equal(jointReview.meanScore, Math.round(((90 + 72 + 73) / 3) * 100) / 100)
    const b = await seed(wf, store, 'commitment', [])
    await t.rejects(wf.submitCommitmentLetter(b.id, actorFor('provider', a.providerId), { fileName: 'c.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF') }), { code: 'SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND' }, 'another provider\'s letter is refused')
    const active = await wf.submitCommitmentLetter(b.id, actorFor('provider', b.providerId), { fileName: 'c.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4 signed') })
    t.equal(active.state, 'active')
    t.equal(active.title, '北京市职业技能提升行动自有课培训平台方')
  })
})
