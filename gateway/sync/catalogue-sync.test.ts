// Catalogue sync against reference platforms on loopback, compliant and hostile, on both engines.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { startProvider } from '../../fixtures/providers/index.js'
import type { RunningProvider } from '../../fixtures/providers/index.js'
import { randomBytes } from 'node:crypto'
import { forEachEngine } from '../store/engines.test-support.js'
import type { Store } from '../store/open-store.js'
import { CatalogueSync } from './catalogue-sync.js'
import type { SyncSettings } from './catalogue-sync.js'
import { listCentreCourses } from './course-centre-query.js'
import { ProviderDirectory } from './provider-directory.js'
import { admitProvider, keyOpener, testSecretBox } from './admit-provider.test-support.js'

const settings: SyncSettings = {
  ssrfMode: 'local', deadlineMs: 1500, retries: 1, concurrency: 4, pageLimit: 20, maxPages: 50, maxBytes: 1024 * 1024,
  circuit: { failureThreshold: 2, coolDownMs: 60_000 },
}

async function snapshot(store: Store, providerId: string): Promise<string> {
  const rows = await store.db.selectFrom('centre_courses').select(['id', 'title_zh', 'free', 'updated_at', 'status']).where('provider_id', '=', providerId).orderBy('id').execute()
  const state = await store.db.selectFrom('sync_state').select('updated_since').where('provider_id', '=', providerId).executeTakeFirst()
  return JSON.stringify({ rows, updatedSince: state?.updated_since })
}

/** The same platform (port, keys, catalogue seed) restarted with other defects: the provider "changed" after admission. */
async function restartAs(p: RunningProvider, defects: string[]): Promise<RunningProvider> {
  await p.close()
  return startProvider({ kind: p.kind, port: p.port, keys: p.keys, seed: 7, courses: p.catalogue.courseCount, defects })
}

/** A reference platform with its own signing key (key ids are unique across providers). */
function start(options: { courses?: number; defects?: string[] } = {}): Promise<RunningProvider> {
  return startProvider({ kind: 'on-demand', seed: 7, keys: { [`k_${randomBytes(6).toString('hex')}`]: randomBytes(24).toString('base64url') }, ...options })
}

forEachEngine(t, async (t, store) => {
  const box = testSecretBox()
  const directory = new ProviderDirectory(store, keyOpener(store, box))
  let clock = Date.now()
  const sync = new CatalogueSync({ store, directory, settings, now: () => clock })

  const good = await start()
  t.teardown(() => good.close())
  const goodId = (await admitProvider(store, box, { kind: 'on-demand', baseUrl: good.loopbackUrl, keyId: good.keyId, secret: good.secret })).providerId

  await t.test('a compliant platform syncs every live course, then incrementally nothing', async (t) => {
    const first = await sync.syncProvider(goodId)
    t.equal(first.outcome, 'applied', first.errorDetail ?? '')
    t.equal(first.upserted, good.catalogue.courseCount)
    t.ok(first.pages > 1, 'several pages were walked')
    const count = await store.db.selectFrom('centre_courses').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', goodId).executeTakeFirstOrThrow()
    t.equal(Number(count.n), good.catalogue.courseCount)
    const state = await sync.circuitOf(goodId)
    t.ok(state.updatedSince, 'the serverTime is kept as the next updatedSince')
    const again = await sync.syncProvider(goodId)
    t.equal(again.outcome, 'applied')
    t.equal(again.upserted, 0, 'nothing changed since the last serverTime')
    const page = await listCentreCourses(store.db, { providerId: goodId, limit: 5 })
    t.equal(page.items.length, 5)
    t.equal(page.items[0]!.source, 'sync')
  })

  await t.test('tombstones remove courses', async (t) => {
    const tomb = good.catalogue.tombstone(36)
    await store.db.insertInto('centre_courses').values({
      id: `${goodId}:${tomb.courseId}`, provider_id: goodId, course_id: tomb.courseId, source: 'sync', title_zh: '已下架课程', title_en: null, title_norm: '已下架课程',
      category: '6-31-01', occupation_code: null, free: 1, price_fen: null, duration_seconds: 60, lesson_count: 1, preview_seconds: 600,
      provider_updated_at: '2020-01-01T00:00:00+08:00', status: 'live', created_at: 1, updated_at: 1,
    }).execute()
    // Full walks list live courses only; an incremental walk from before the removal carries the tombstone.
    await store.db.updateTable('sync_state').set({ updated_since: '2000-01-01T00:00:00+08:00' }).where('provider_id', '=', goodId).execute()
    const out = await sync.syncProvider(goodId)
    t.equal(out.outcome, 'applied')
    t.ok(out.removed >= 1)
    t.notOk(await store.db.selectFrom('centre_courses').select('id').where('course_id', '=', tomb.courseId).executeTakeFirst(), 'the tombstoned course is gone')
  })

  // One platform per hostile behaviour; each was compliant and synced once, then turned hostile.
  const hostile: Array<{ name: string; defects?: string[]; raw500?: true; code: string }> = [
    { name: 'hang', defects: ['hang'], code: 'SG_ERR_NET_DEADLINE' },
    { name: 'huge body', defects: ['huge-body'], code: 'SG_ERR_SYNC_TOO_LARGE' },
    { name: 'cursor cycle', defects: ['cursor-cycle'], code: 'SG_ERR_SYNC_CURSOR_CYCLE' },
    { name: 'lying data (schema drift)', defects: ['schema-drift'], code: 'SG_ERR_SYNC_PAGE_INVALID' },
    { name: '500s', raw500: true, code: 'SG_ERR_SYNC_UPSTREAM' },
  ]
  for (const h of hostile) {
    await t.test(`${h.name}: nothing changes, the failure is recorded, the circuit opens, others continue`, async (t) => {
      let p = await start({ courses: 60 })
      const { providerId } = await admitProvider(store, box, { kind: 'on-demand', baseUrl: p.loopbackUrl, keyId: p.keyId, secret: p.secret })
      t.equal((await sync.syncProvider(providerId)).outcome, 'applied')
      // Force a full walk, so the hostile page sequence is read from the start.
      await store.db.updateTable('sync_state').set({ updated_since: null }).where('provider_id', '=', providerId).execute()
      const before = await snapshot(store, providerId)
      let server: ReturnType<typeof createServer> | undefined
      if (h.raw500) {
        await p.close()
        server = createServer((_req, res) => { res.writeHead(500, { 'content-type': 'text/plain' }); res.end('Internal Server Error') })
        await new Promise<void>((resolve) => server!.listen(p.port, '127.0.0.1', resolve))
        t.equal((server.address() as AddressInfo).port, p.port)
      } else {
        p = await restartAs(p, h.defects!)
      }
      t.teardown(async () => {
        if (server) await new Promise((resolve) => server!.close(resolve))
        else await p.close()
      })

      const failed = await sync.syncProvider(providerId)
      t.equal(failed.outcome, 'failed')
      t.equal(failed.errorCode, h.code, failed.errorDetail ?? '')
      t.equal(await snapshot(store, providerId), before, 'stored courses and updatedSince unchanged')
      t.equal(failed.circuit, 'closed', 'one failure is below the threshold')

      const all = await sync.syncAll()
      const mine = all.find((o) => o.providerId === providerId)!
      t.equal(mine.outcome, 'failed')
      t.equal(mine.circuit, 'open', 'the second consecutive failure opens the circuit')
      t.equal(all.find((o) => o.providerId === goodId)!.outcome, 'applied', 'the compliant provider synced in the same round')
      const skipped = await sync.syncProvider(providerId)
      t.equal(skipped.outcome, 'skipped')
      t.equal(skipped.reason, 'circuit-open')
      t.equal(await snapshot(store, providerId), before)
      const runs = await store.db.selectFrom('sync_runs').select(['outcome', 'error_code']).where('provider_id', '=', providerId).orderBy('started_at').execute()
      t.same(runs.map((r) => r.outcome), ['applied', 'failed', 'failed', 'skipped'])
      // Out of the scheduler's way for the next hostile case.
      await store.db.updateTable('applications').set({ state: 'withdrawn' }).where('provider_id', '=', providerId).execute()
    })
  }

  await t.test('half-open: after the cool-down one trial runs; success closes the circuit', async (t) => {
    let p = await start({ courses: 40, defects: ['schema-drift'] })
    const { providerId } = await admitProvider(store, box, { kind: 'on-demand', baseUrl: p.loopbackUrl, keyId: p.keyId, secret: p.secret })
    t.teardown(() => p.close())
    await sync.syncProvider(providerId)
    t.equal((await sync.syncProvider(providerId)).circuit, 'open')
    clock += settings.circuit.coolDownMs - 1
    t.equal((await sync.syncProvider(providerId)).reason, 'circuit-open', 'still cooling down')
    clock += 1
    const trialFails = await sync.syncProvider(providerId)
    t.equal(trialFails.outcome, 'failed')
    t.equal(trialFails.circuit, 'open', 'a failed trial re-opens at once')
    clock += settings.circuit.coolDownMs
    p = await restartAs(p, [])
    const trial = await sync.syncProvider(providerId)
    t.equal(trial.outcome, 'applied', trial.errorDetail ?? '')
    t.equal(trial.circuit, 'closed')
    t.equal((await sync.circuitOf(providerId)).consecutiveFailures, 0)
  })
})
// Traceability (specs/lib/traceability.ts): named in testedIn of the workflow rule(s) data.sync-atomic (R17), data.course-centre (R16).
