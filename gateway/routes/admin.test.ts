// POST /api/v1/admin/jobs/run-workflow?wait=true: the walk-through's "run the probe now" step.
// The gateway's own worker claims a conformance job as soon as material review queues it, so a
// plain "run now" finds nothing due while the probe runs (the report was 404 for ~45 s, issue 18);
// with wait=true the route also waits for workflow jobs another worker holds. Here "another
// worker" is a real lease taken on the same queue, finished by the test.
import t from 'tap'
import { testApp } from '../app.test-support.js'
import { bearer } from '../workflow/workflow.test-support.js'
import { CONFORMANCE_JOB } from '../workflow/conformance.js'

t.test('run-workflow waits for a workflow job another worker is running, only when asked', async (t) => {
  const { app, store } = await testApp(t)
  const admin = bearer((await store.apiTokens.create({ role: 'admin', label: 'admin' })).token)
  const reviewer = bearer((await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token)
  const queue = app.workflow.queue
  await queue.enqueue({ kind: CONFORMANCE_JOB, payload: { applicationId: 'app_elsewhere' } })
  const held = await queue.claim('other-worker', [CONFORMANCE_JOB], 600_000)
  t.ok(held, 'another worker holds the conformance job')
  const url = '/api/v1/admin/jobs/run-workflow'

  // The twin: without wait, the route answers at once and the probe is still running.
  const now = await app.inject({ method: 'POST', url, headers: admin })
  t.equal(now.statusCode, 200)
  t.notOk(now.json().ran.some((r: { kind: string }) => r.kind === CONFORMANCE_JOB), 'the held job is not run again')
  t.notOk('stillRunning' in now.json(), 'and nothing says it waited')

  // wait=true with a deadline that passes while the job is held: 202 and what is still running.
  const late = await app.inject({ method: 'POST', url: `${url}?wait=true&timeoutSeconds=1`, headers: admin })
  t.equal(late.statusCode, 202, 'not finished is not 200')
  t.same(late.json().stillRunning, [{ id: held!.id, kind: CONFORMANCE_JOB }])

  // wait=true while the job runs: the answer comes once the other worker completes it.
  const waiting = app.inject({ method: 'POST', url: `${url}?wait=true`, headers: admin })
  t.ok(await queue.complete(held!, { verdict: 'conformant' }), 'the other worker finishes')
  const done = await waiting
  t.equal(done.statusCode, 200, done.body)
  t.same(done.json().stillRunning, [], 'nothing left running')
  const row = await store.db.selectFrom('jobs').select('status').where('id', '=', held!.id).executeTakeFirstOrThrow()
  t.equal(row.status, 'done')

  t.equal((await app.inject({ method: 'POST', url: `${url}?wait=true&timeoutSeconds=0`, headers: admin })).statusCode, 400, 'a zero deadline is refused')
  t.equal((await app.inject({ method: 'POST', url: `${url}?wait=true`, headers: reviewer })).statusCode, 403, 'admins only')
})
