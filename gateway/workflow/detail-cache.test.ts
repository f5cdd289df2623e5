// The application-detail read (the reviewer console's page view) is served from a cache only while
// the store's change stamp is unchanged: every write, on this connection, another connection or
// another gateway instance, is seen at once; a provider never gets another provider's cached detail
// (no IDOR). Both engines.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Test } from 'tap'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import type { Store } from '../store/open-store.js'
import { forEachEngine, openTwinStores } from '../store/engines.test-support.js'
import { SecretBox } from './secret-box.js'
import { applicationBody } from './workflow.test-support.js'
import { Workflow } from './workflow.js'
import type { Actor } from './actor.js'

const reviewer: Actor = { role: 'reviewer', id: 'reviewer:r1' }

function makeWorkflow(t: Test, store: Store): Workflow {
  const box = new SecretBox(randomBytes(32))
  return new Workflow({ store, blobs: new DiskBlobStore(join(t.testdir({}), 'blobs')), secrets: () => box })
}

forEachEngine(t, async (t, store) => {
  const wf = makeWorkflow(t, store)
  const { application, provider } = await wf.createApplication(applicationBody('on-demand'))
  const id = application.id
  const live = async (actor: Actor): Promise<string> => JSON.stringify(await wf.detail(id, actor))

  t.test('the JSON is exactly what the live query gives, before and after each kind of write', async (t) => {
    // On PostgreSQL the stamp is the cluster's snapshot, which any commit anywhere moves (other test
    // files run beside this one): a read that wrote would move it on every try, another process's
    // commit only on some.
    let readLeftStamp = false
    for (let i = 0; i < 50 && !readLeftStamp; i++) {
      const quiet = await store.changeStamp()
      await wf.detail(id, reviewer)
      readLeftStamp = (await store.changeStamp()) === quiet
    }
    t.ok(readLeftStamp, 'a read leaves the stamp alone')
    const first = await wf.detailJson(id, reviewer)
    t.equal(first, await live(reviewer))
    t.equal(await wf.detailJson(id, reviewer), first, 'unchanged data: the same text')

    // A write through Kysely outside any workflow method (a title edit) …
    await store.db.updateTable('applications').set({ title: 'renamed by a direct write' }).where('id', '=', id).execute()
    const afterDirect = await wf.detailJson(id, reviewer)
    t.match(afterDirect, /renamed by a direct write/, 'a direct write is seen at once')
    t.equal(afterDirect, await live(reviewer))

    // … a child row (a score), and an audit entry: each changes the text.
    await store.db.insertInto('roadshow_scores').values({ application_id: id, reviewer: 'r9', score: 77, comments: 'cached?', scored_at: 1 }).execute()
    t.match(await wf.detailJson(id, reviewer), /cached\?/, 'a new child row is seen')
    await wf.audit.append({ actor: 'test', action: 'test.note', subjectType: 'application', subjectId: id, at: 2, data: { note: 'audit-visible' } })
    const afterAudit = await wf.detailJson(id, reviewer)
    t.match(afterAudit, /audit-visible/, 'a new audit entry is seen')
    t.equal(afterAudit, await live(reviewer))

    // A rolled-back transaction leaves the answer as it was.
    await t.rejects(store.transaction(async (trx) => {
      await trx.updateTable('applications').set({ title: 'never committed' }).where('id', '=', id).execute()
      throw new Error('roll back')
    }))
    t.notMatch(await wf.detailJson(id, reviewer), /never committed/)
  })

  t.test('a provider sees only its own application, whatever a reviewer read before (IDOR)', async (t) => {
    await wf.detailJson(id, reviewer)
    const own: Actor = { role: 'provider', id: `provider:${provider.providerId}`, providerId: provider.providerId }
    t.equal(await wf.detailJson(id, own), await live(own))
    const other = await wf.createApplication(applicationBody('on-demand'))
    const stranger: Actor = { role: 'provider', id: `provider:${other.provider.providerId}`, providerId: other.provider.providerId }
    await t.rejects(wf.detailJson(id, stranger), { code: 'SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND' })
    await t.rejects(wf.detailJson(id, stranger), { code: 'SG_ERR_WORKFLOW_APPLICATION_NOT_FOUND' }, 'and again (nothing cached for the stranger)')
  })
})

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(`${engine}: a commit by another instance (another connection or process on the same database) is seen at once`, async (t) => {
    const [a, b] = await openTwinStores(t, engine)
    const wf = makeWorkflow(t, a)
    const { application } = await wf.createApplication(applicationBody('self-hosted'))
    const before = await wf.detailJson(application.id, reviewer)
    t.equal(await wf.detailJson(application.id, reviewer), before)
    await b.db.updateTable('applications').set({ title: 'written by the other instance' }).where('id', '=', application.id).execute()
    t.match(await wf.detailJson(application.id, reviewer), /written by the other instance/)
    // An uncommitted write on the other instance is not served, and its commit is seen.
    if (engine === 'postgres') {
      let release!: () => void
      const held = new Promise<void>((resolve) => { release = resolve })
      let written!: () => void
      const wrote = new Promise<void>((resolve) => { written = resolve })
      const trx = b.transaction(async (tx) => {
        await tx.updateTable('applications').set({ title: 'in flight' }).where('id', '=', application.id).execute()
        written()
        await held
      })
      await wrote
      t.notMatch(await wf.detailJson(application.id, reviewer), /in flight/, 'an uncommitted write is not visible')
      release()
      await trx
      t.match(await wf.detailJson(application.id, reviewer), /in flight/, 'its commit is')
    }
  })
}

t.test('sqlite, exclusive (the gateway\'s own store): a second process cannot open the file, and own writes are seen at once', async (t) => {
  const { openStore } = await import('../store/open-store.js')
  const path = join(t.testdir({}), 'exclusive.db')
  const store = openStore({ sqlitePath: path, sqliteExclusive: true })
  t.teardown(() => store.close())
  await store.migrate()
  // Another process (a child Node) trying the same file is refused with a clear code, not a hang.
  const { execFileSync } = await import('node:child_process')
  const probe = `
    const B = require('better-sqlite3'); const db = new B(process.argv[1]); db.pragma('busy_timeout = 200')
    try { db.prepare('select count(*) from applications').get(); console.log('opened') } catch (e) { console.log(e.code) }`
  t.equal(execFileSync(process.execPath, ['-e', probe, path], { encoding: 'utf8' }).trim(), 'SQLITE_BUSY', 'another process cannot read the file while the gateway holds it')
  t.throws(() => openStore({ sqlitePath: path, sqliteExclusive: true, sqliteBusyTimeoutMs: 100 }), { code: 'SG_ERR_STORE_LOCKED' }, 'a second exclusive store is refused with SG_ERR_STORE_LOCKED')

  const wf = makeWorkflow(t, store)
  const { application } = await wf.createApplication(applicationBody('on-demand'))
  const first = await wf.detailJson(application.id, reviewer)
  t.equal(await wf.detailJson(application.id, reviewer), first)
  await store.db.updateTable('applications').set({ title: 'exclusive write' }).where('id', '=', application.id).execute()
  t.match(await wf.detailJson(application.id, reviewer), /exclusive write/)
  t.equal(await wf.detailJson(application.id, reviewer), JSON.stringify(await wf.detail(application.id, reviewer)))
})
