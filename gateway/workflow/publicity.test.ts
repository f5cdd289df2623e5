// R11 on both engines: 5 Chinese working days across the 2026 National Day and Spring Festival
// holidays (with their make-up working days), objections pause and resume (end extended by the
// paused working days), and the daily scheduled close (one job per day however often it ticks).
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Test } from 'tap'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import { Scheduler } from '../jobs/scheduler.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine } from '../store/engines.test-support.js'
import { closePublicitySchedule, drainWorkflowJobs } from './jobs.js'
import { SecretBox } from './secret-box.js'
import { applicationBody } from './workflow.test-support.js'
import { Workflow } from './workflow.js'
import type { Actor } from './actor.js'

const reviewer: Actor = { role: 'reviewer', id: 'reviewer:t' }
const objector = { name: '王五', contact: '13800138000' }
const at = (iso: string): number => Date.parse(iso)

function makeWorkflow(t: Test, store: Store, clock: { now: number }): Workflow {
  const box = new SecretBox(randomBytes(32))
  return new Workflow({ store, blobs: new DiskBlobStore(join(t.testdir({}), 'blobs')), secrets: () => box, now: () => clock.now })
}

/** An application recommended by the roadshow, ready for publicity. */
async function recommended(wf: Workflow, store: Store): Promise<string> {
  const { application } = await wf.createApplication(applicationBody('on-demand'))
  await store.db.updateTable('applications').set({ state: 'roadshow', roadshow_decision: JSON.stringify({ recommend: true }) }).where('id', '=', application.id).execute()
  for (const r of ['a', 'b', 'c']) await store.db.insertInto('roadshow_scores').values({ application_id: application.id, reviewer: r, score: 80, comments: '', scored_at: 0 }).execute()
  return application.id
}

forEachEngine(t, async (t, store) => {
  const clock = { now: at('2026-09-30T09:00:00+08:00') }
  const wf = makeWorkflow(t, store, clock)

  t.test('National Day 2026: posted 30 September, runs 30 Sep, 8, 9, 10 (Saturday make-up day), 12 October', async (t) => {
    const id = await recommended(wf, store)
    const r = await wf.startPublicity(id, reviewer, '2026-09-30')
    t.same(r.period.workingDays, ['2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12'])
    t.equal(r.application.publicity?.endDate, '2026-10-12')
    t.equal(r.application.publicity?.endsAt, at('2026-10-13T00:00:00+08:00'), 'ends at 24:00 Beijing time')
    t.same(r.warnings, [])
    clock.now = at('2026-10-12T23:59:59+08:00')
    t.same((await wf.closeDuePublicity()).closed, [], 'not closed on its last day')
    clock.now = at('2026-10-13T00:05:00+08:00')
    t.same((await wf.closeDuePublicity()).closed, [id], 'closed the next morning')
    t.equal((await wf.get(id, reviewer)).state, 'commitment', 'R12: on to the commitment letter')
  })

  t.test('Spring Festival 2026: posted 12 February, runs 12, 13, 14 (Saturday make-up day), 24, 25 February', async (t) => {
    clock.now = at('2026-02-12T09:00:00+08:00')
    const id = await recommended(wf, store)
    const r = await wf.startPublicity(id, reviewer, '2026-02-12')
    t.same(r.period.workingDays, ['2026-02-12', '2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25'])
    const plain = await recommended(wf, store)
    t.equal((await wf.startPublicity(plain, reviewer, '2026-03-02')).period.endDate, '2026-03-06', 'an ordinary week: Monday to Friday')
  })

  t.test('R11: publicity cannot be backdated (the public must see all five working days); today is fine', async (t) => {
    clock.now = at('2026-03-10T09:00:00+08:00')
    const id = await recommended(wf, store)
    await t.rejects(wf.startPublicity(id, reviewer, '2026-03-09'), { code: 'SG_ERR_WORKFLOW_GUARD_FAILED', message: /before today/ })
    t.equal((await wf.get(id, reviewer)).state, 'roadshow', 'nothing changed')
    t.equal((await wf.startPublicity(id, reviewer, '2026-03-10')).period.startDate, '2026-03-10')
  })

  t.test('a year without an official schedule is counted Monday–Friday and the response warns', async (t) => {
    const id = await recommended(wf, store)
    const r = await wf.startPublicity(id, reviewer, '2099-03-02')
    t.equal(r.warnings[0]?.code, 'SG_WARN_CALENDAR_NO_DATA')
  })

  t.test('objections pause; dismissing the last one resumes with the end extended by the paused working days', async (t) => {
    clock.now = at('2026-09-28T09:00:00+08:00')
    const id = await recommended(wf, store)
    t.equal((await wf.startPublicity(id, reviewer)).period.endDate, '2026-10-09', 'default start: today in Beijing')
    clock.now = at('2026-09-29T15:00:00+08:00')
    const first = await wf.fileObjection(id, { text: '该单位课程版权存疑', name: '李四', contact: 'tip@example.cn' })
    t.same([first.status, first.state], ['unconfirmed', 'publicity'], 'filing alone does not pause')
    t.equal((await wf.confirmObjector(id, first.objectionId, reviewer, '2026-09-29 电话回访，本人确认')).paused, true, 'the confirmation pauses')
    const second = await wf.fileObjection(id, { text: '第二条异议', ...objector })
    t.equal((await wf.confirmObjector(id, second.objectionId, reviewer, '电话回访')).paused, false, 'already paused')
    t.equal((await wf.get(id, reviewer)).publicity?.pausedOn, '2026-09-29')
    clock.now = at('2026-10-20T09:00:00+08:00')
    t.notOk((await wf.closeDuePublicity()).closed.includes(id), 'a paused publicity is never closed')
    t.equal((await wf.get(id, reviewer)).state, 'publicity-paused')
    clock.now = at('2026-10-08T10:00:00+08:00')
    const partial = await wf.resolveObjection(id, first.objectionId, reviewer, 'dismissed', ['版权证明已核实'])
    t.equal(partial.resumed, false, 'another objection is still open')
    t.equal(partial.application.state, 'publicity-paused')
    const done = await wf.resolveObjection(id, second.objectionId, reviewer, 'dismissed', ['不成立'])
    t.equal(done.resumed, true)
    t.equal(done.extendedBy, 3, 'paused on working days 29, 30 Sep and 8 Oct')
    t.equal(done.application.publicity?.endDate, '2026-10-13', '9 Oct + 3 working days (10 Oct make-up, 12, 13)')
    t.equal(done.application.state, 'publicity')
    await t.rejects(wf.resolveObjection(id, second.objectionId, reviewer, 'dismissed', ['x']), { code: 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION' }, 'not paused any more')
    const trail = (await wf.audit.forSubject('application', id)).map((e) => e.action)
    t.same(trail.slice(-7), ['workflow.start-publicity', 'publicity.objection-filed', 'workflow.object', 'publicity.objection-filed', 'publicity.objection-confirmed', 'publicity.objection-dismissed', 'workflow.resume-publicity'])
  })

  t.test('an upheld objection rejects; objections outside publicity read as not found', async (t) => {
    clock.now = at('2026-03-02T09:00:00+08:00')
    const id = await recommended(wf, store)
    await t.rejects(wf.fileObjection(id, { text: 'too early', ...objector }), { code: 'SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND' })
    await wf.startPublicity(id, reviewer)
    const o = await wf.fileObjection(id, { text: '存在失信记录', ...objector })
    await t.rejects(wf.resolveObjection(id, o.objectionId, reviewer, 'upheld', ['x']), { code: 'SG_ERR_WORKFLOW_OBJECTOR_UNCONFIRMED' }, 'an unconfirmed objection is not decided on')
    t.equal((await wf.get(id, reviewer)).state, 'publicity', 'and it paused nothing')
    await wf.confirmObjector(id, o.objectionId, reviewer, '电话回访')
    await t.rejects(wf.resolveObjection(id, o.objectionId, reviewer, 'upheld', [' ']), { code: 'SG_ERR_WORKFLOW_GUARD_FAILED' }, 'reasons required')
    const r = await wf.resolveObjection(id, o.objectionId, reviewer, 'upheld', ['经核实存在失信记录'])
    t.equal(r.application.state, 'rejected')
  })

  t.test('unconfirmed objections never pause, cannot be decided, hold the close, and are dismissed as spam in bulk, all or none (R11)', async (t) => {
    clock.now = at('2026-03-02T09:00:00+08:00')
    const id = await recommended(wf, store)
    await wf.startPublicity(id, reviewer)
    const spam = []
    for (let i = 0; i < 3; i++) spam.push((await wf.fileObjection(id, { text: `刷屏 ${i}`, name: '某人', contact: `1390000000${i}` })).objectionId)
    t.equal((await wf.get(id, reviewer)).state, 'publicity', 'three unconfirmed objections pause nothing')
    const real = await wf.fileObjection(id, { text: '课程时长虚标', ...objector })
    await wf.confirmObjector(id, real.objectionId, reviewer, '电话回访，本人确认')
    t.equal((await wf.get(id, reviewer)).state, 'publicity-paused')
    await t.rejects(wf.resolveObjection(id, spam[0]!, reviewer, 'dismissed', ['x']), { code: 'SG_ERR_WORKFLOW_OBJECTOR_UNCONFIRMED' })
    await t.rejects(wf.dismissSpamObjections([...spam, real.objectionId], reviewer, '无法联系'), { code: 'SG_ERR_WORKFLOW_OBJECTION_CONFIRMED' })
    await t.rejects(wf.dismissSpamObjections([...spam, 'obj_nope'], reviewer, '无法联系'), { code: 'SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND' })
    t.equal((await wf.objections(id)).filter((o) => o.resolvedAt === null).length, 4, 'a refused bulk dismissal changed nothing')
    const done = await wf.resolveObjection(id, real.objectionId, reviewer, 'dismissed', ['已核实，不成立'])
    t.equal(done.resumed, true, 'unconfirmed objections do not hold publicity paused')
    clock.now = at('2026-03-20T00:05:00+08:00')
    t.same((await wf.closeDuePublicity()).closed, [], 'but the period does not close while any objection is undecided')
    t.same(await wf.dismissSpamObjections(spam, reviewer, '三次电话均无法联系，视为无效异议'), { dismissed: 3, applications: [id] })
    t.same((await wf.objections(id)).map((o) => o.outcome).sort(), ['dismissed', 'spam', 'spam', 'spam'])
    t.same((await wf.closeDuePublicity()).closed, [id], 'closed once the spam is dismissed')
    await t.rejects(wf.dismissSpamObjections(spam, reviewer, 'again'), { code: 'SG_ERR_WORKFLOW_OBJECTION_NOT_FOUND' }, 'dismissed once')
  })

  t.test('the daily schedule enqueues one close job per day however many ticks, and the job closes due periods', async (t) => {
    clock.now = at('2026-03-02T09:00:00+08:00')
    const id = await recommended(wf, store)
    await wf.startPublicity(id, reviewer)
    clock.now = at('2026-03-07T00:05:00+08:00')
    const scheduler = new Scheduler(wf.queue).add(closePublicitySchedule)
    const tick = new Date('2026-03-06T16:05:00Z')
    const a = await scheduler.tick(closePublicitySchedule.name, tick)
    const b = await scheduler.tick(closePublicitySchedule.name, new Date('2026-03-06T16:05:30Z'))
    t.ok(a.created)
    t.notOk(b.created, 'second tick the same day is absorbed by the idempotency key')
    const ran = await drainWorkflowJobs(wf)
    t.match(ran, [{ kind: 'workflow.close-publicity', ok: true, result: { closed: [id] } }])
    t.equal((await wf.get(id, reviewer)).state, 'commitment')
  })
})
