// Several gateway instances without a shared disk (issue 16). Two instances with SEPARATE data
// directories on one PostgreSQL database: a package uploaded to A (which runs no worker) is checked
// by B's worker, which never held the file (it reads the bytes from the database), and both serve
// the package, byte ranges included, and the report B wrote. The twin on SQLite: one instance, the
// disk store, the same route and ranges.
import t from 'tap'
import type { Test } from 'tap'
import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { testApp } from '../app.test-support.js'
import { admittedResourceProvider, seedLiveCourses, sha256Hex, signedGet, uploadPackage } from '../ingest/ingest.test-support.js'
import type { TestProvider } from '../ingest/ingest.test-support.js'
import { waitUntil } from '../jobs/wait-until.test-support.js'
import { createPgTestSchema, selectedEngines } from '../store/engines.test-support.js'
import { openStore } from '../store/open-store.js'

const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : []

/** GET /content as a reviewer, optionally with a Range header. */
function content(app: FastifyInstance, token: string, id: string, range?: string) {
  return app.inject({ url: `/api/v1/packages/${id}/content`, headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) } })
}

/** What both modes must serve: the whole file, ranges (206), the provider's own copy, and 416 past the end. */
async function servesPackage(t: Test, app: FastifyInstance, reviewer: string, provider: TestProvider, id: string, zip: Buffer, name: string) {
  const whole = await content(app, reviewer, id)
  t.equal(whole.statusCode, 200, `${name}: ${whole.body.slice(0, 200)}`)
  t.equal(sha256Hex(whole.rawPayload), sha256Hex(zip), `${name}: the whole package, byte for byte`)
  t.match(whole.headers, { 'content-type': 'application/zip', 'accept-ranges': 'bytes', 'content-length': String(zip.length), etag: `"${sha256Hex(zip)}"` })
  const cases: Array<[string, number, number]> = [['bytes=0-99', 0, 99], ['bytes=1000-70000', 1000, 70000], [`bytes=${zip.length - 10}-`, zip.length - 10, zip.length - 1], ['bytes=-25', zip.length - 25, zip.length - 1]]
  for (const [header, start, end] of cases) {
    const part = await content(app, reviewer, id, header)
    t.equal(part.statusCode, 206, `${name}: ${header}`)
    t.equal(part.headers['content-range'], `bytes ${start}-${end}/${zip.length}`)
    t.same(part.rawPayload, zip.subarray(start, end + 1), `${name}: ${header} is exactly those bytes`)
  }
  const past = await content(app, reviewer, id, `bytes=${zip.length}-`)
  t.equal(past.statusCode, 416, `${name}: a range past the end`)
  t.equal(past.headers['content-range'], `bytes */${zip.length}`)
  t.match(past.headers['content-type'], /^application\/problem\+json/)
  t.equal(past.json().code, 'SG_ERR_BLOB_RANGE')
  const own = await signedGet(app, provider, `/api/v1/packages/${id}/content`)
  t.equal(own.statusCode, 200, `${name}: the provider reads its own package`)
  t.equal(own.rawPayload.length, zip.length)
}

if (selectedEngines().includes('postgres')) {
  t.test('PostgreSQL: two instances, separate data directories, one database', async (t) => {
    const pg = await createPgTestSchema()
    t.teardown(() => pg.drop())
    const savedKey = process.env.SKILLGATE_MASTER_KEY
    // Instances share the master key (README: several instances), not a disk.
    process.env.SKILLGATE_MASTER_KEY = 'cd'.repeat(32)
    t.teardown(() => { if (savedKey === undefined) delete process.env.SKILLGATE_MASTER_KEY; else process.env.SKILLGATE_MASTER_KEY = savedKey })
    const dirA = t.testdir({ a: {}, b: {} })
    const [dataA, dataB] = [join(dirA, 'a'), join(dirA, 'b')]
    const storeA = openStore({ databaseUrl: pg.databaseUrl, pgSchema: pg.schema })
    const storeB = openStore({ databaseUrl: pg.databaseUrl, pgSchema: pg.schema })
    t.teardown(() => storeA.close())
    t.teardown(() => storeB.close())
    await storeA.migrate()
    await storeB.migrate()
    const a = (await testApp(t, { store: storeA, overrides: { dataDir: dataA } })).app
    const b = (await testApp(t, { store: storeB, overrides: { dataDir: dataB, 'worker.enabled': true, 'worker.pollMs': 20 } })).app
    const reviewer = (await storeA.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token

    const provider = await admittedResourceProvider(a)
    await seedLiveCourses(storeA, provider.providerId, 20)
    const g = await generatePackage({ courses: 2 })
    const zip = await readFile(g.path)
    const up = await uploadPackage(a, provider, zip)
    t.equal(up.statusCode, 202, up.body)
    const id = up.json().id as string
    t.same(filesUnder(dataA), [], 'A keeps no file of the package: the bytes are in the database')
    t.same(filesUnder(dataB), [], 'B has never held the file')

    await waitUntil(async () => ['checked', 'failed'].includes((await storeB.db.selectFrom('packages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status))
    const pkg = await storeA.db.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    t.match(pkg, { status: 'checked', verdict: 'conformant', courses_in_package: 2, courses_queued: 2 }, 'B checked the package A received')
    t.ok(filesUnder(join(dataB, 'spool')).some((f) => f.endsWith(g.sha256)), 'B read it from a spooled copy of the database blob')
    t.same(filesUnder(dataA), [], 'A still holds nothing')

    for (const [name, app] of [['A', a], ['B', b]] as const) {
      await servesPackage(t, app, reviewer, provider, id, zip, name)
      const report = await signedGet(app, provider, `/api/v1/packages/${id}/report`)
      t.equal(report.statusCode, 200, `${name} serves the report B wrote`)
      t.equal(report.json().verdict, 'conformant')
    }
  })
}

t.test('SQLite: one instance, the disk store, the same content route', async (t) => {
  const dataDir = t.testdir({})
  const { app, store } = await testApp(t, { overrides: { dataDir } })
  const reviewer = (await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })).token
  const provider = await admittedResourceProvider(app)
  const g = await generatePackage({ courses: 2 })
  const zip = await readFile(g.path)
  const up = await uploadPackage(app, provider, zip)
  t.equal(up.statusCode, 202, up.body)
  t.ok(filesUnder(join(dataDir, 'blobs')).some((f) => f.endsWith(g.sha256)), 'SQLite mode keeps the package on disk')
  await servesPackage(t, app, reviewer, provider, up.json().id, zip, 'sqlite')
  const other = await admittedResourceProvider(app)
  t.equal((await signedGet(app, other, `/api/v1/packages/${up.json().id}/content`)).statusCode, 404, 'another provider reads it as absent (no IDOR)')
})
