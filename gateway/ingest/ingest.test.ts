// Package ingest over the gateway's routes (R13, R14): who may upload, the streamed body checked
// against its signed digest and size limit, the ingest job publishing passing courses to the review
// queue, provider-scoped status and report (no IDOR), and review: approve, reject, takedown, and a
// new version replacing the live one only once approved. Every state change leaves an audit entry.
import t, { type Test } from 'tap'
import { readFile } from 'node:fs/promises'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { testApp } from '../app.test-support.js'
import { admittedResourceProvider, reversionedPackage, seedLiveCourses, signedGet, uploadPackage } from './ingest.test-support.js'

async function setup(t: Test, overrides: Record<string, unknown> = {}) {
  const dataDir = t.testdir({})
  const { app, store } = await testApp(t, { overrides: { dataDir, ...overrides } })
  const reviewer = await store.apiTokens.create({ role: 'reviewer', label: 'reviewer' })
  const asReviewer = { authorization: `Bearer ${reviewer.token}` }
  return { app, store, dataDir, asReviewer }
}

const blobCount = (dataDir: string): number => {
  const root = join(dataDir, 'blobs')
  if (!existsSync(root)) return 0
  return readdirSync(root).filter((d) => d !== 'tmp').flatMap((a) => readdirSync(join(root, a)).flatMap((b) => readdirSync(join(root, a, b)))).length
}

t.test('R9/R13: past material review a resource applicant may upload: its packages are what the conformance step judges', async (t) => {
  const { app } = await setup(t, { uploadLimitBytes: 64 * 1024 })
  const body = Buffer.from('PK\u0003\u0004 checked later; accepted now')
  const inConformance = await admittedResourceProvider(app, { state: 'conformance' })
  t.equal((await uploadPackage(app, inConformance, body)).statusCode, 202)
  const inReview = await admittedResourceProvider(app, { state: 'material-review' })
  t.equal((await uploadPackage(app, inReview, body)).statusCode, 403, 'the twin, one state earlier, is refused')
})

t.test('who may upload, and what the gateway keeps of a refused upload (nothing)', async (t) => {
  const { app, store, dataDir, asReviewer } = await setup(t, { uploadLimitBytes: 64 * 1024 })
  const body = Buffer.from('PK\u0003\u0004 not really a package, but the refusals come first')
  const admitted = await admittedResourceProvider(app)

  const anonymous = await app.inject({ method: 'POST', url: '/api/v1/packages', headers: { 'content-type': 'application/zip', 'x-sg-content-sha256': 'a'.repeat(64) }, payload: body })
  t.equal(anonymous.statusCode, 401)
  const reviewer = await app.inject({ method: 'POST', url: '/api/v1/packages', headers: { ...asReviewer, 'content-type': 'application/zip', 'x-sg-content-sha256': 'a'.repeat(64) }, payload: body })
  t.equal(reviewer.statusCode, 401, 'a signed call (specs/signing/gateway-calls.json): a bearer token is not enough')
  t.equal(reviewer.json().code, 'SG_ERR_SIGNATURE_REQUIRED')

  const applicant = await admittedResourceProvider(app, { state: 'material-review' })
  const notYet = await uploadPackage(app, applicant, body)
  t.equal(notYet.statusCode, 403)
  t.equal(notYet.json().code, 'SG_ERR_PACKAGE_NOT_ADMITTED', 'R13: only admitted resource providers upload')
  const onDemand = await admittedResourceProvider(app, { kind: 'on-demand' })
  t.equal((await uploadPackage(app, onDemand, body)).json().code, 'SG_ERR_PACKAGE_NOT_ADMITTED', 'an on-demand platform is not a resource provider')

  const noDigest = await uploadPackage(app, admitted, body, { digest: null })
  t.equal(noDigest.statusCode, 400)
  t.equal(noDigest.json().code, 'SG_ERR_PACKAGE_DIGEST_HEADER')

  const wrongType = await uploadPackage(app, admitted, body, { contentType: 'application/x-rar' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().code, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE')
  const anonymousWrongType = await app.inject({ method: 'POST', url: '/api/v1/packages', headers: { 'content-type': 'application/x-rar', 'x-sg-content-sha256': 'a'.repeat(64) }, payload: body })
  t.equal(anonymousWrongType.statusCode, 401, 'anonymous: authentication comes before the body')

  // The signature covers the declared digest; the body that arrives is different.
  const swapped = await uploadPackage(app, admitted, body, { signedBody: Buffer.from('the bytes the provider meant to send') })
  t.equal(swapped.statusCode, 400)
  t.equal(swapped.json().code, 'SG_ERR_PACKAGE_DIGEST_MISMATCH')

  // A declared digest that is not the signed body's fails the signature check itself.
  const forged = await uploadPackage(app, admitted, body, { digest: 'b'.repeat(64) })
  t.equal(forged.statusCode, 401)
  t.match(forged.json().code, /^SG_ERR_SIG_/)

  const big = Buffer.alloc(65 * 1024, 7)
  const tooBig = await uploadPackage(app, admitted, big)
  t.equal(tooBig.statusCode, 413)
  t.equal(tooBig.json().code, 'SG_ERR_PACKAGE_TOO_LARGE')

  t.equal((await store.db.selectFrom('packages').select('id').execute()).length, 0, 'no package row for any refused upload')
  t.equal(blobCount(dataDir), 0, 'no blob kept')
  t.equal((await store.db.selectFrom('jobs').select('id').execute()).length, 0, 'no job queued')
})

t.test('ingest: upload → job → review queue, provider-scoped status and report, review decisions', async (t) => {
  const { app, store, dataDir, asReviewer } = await setup(t)
  const a = await admittedResourceProvider(app)
  const b = await admittedResourceProvider(app)
  // 4 courses in the package + 20 live ones: R5.2-1 and R5.2-3 are judged across both at the gateway.
  await seedLiveCourses(store, a.providerId, 20)
  const g = await generatePackage({ courses: 4 })
  const zip = await readFile(g.path)

  const up = await uploadPackage(app, a, zip, { fileName: '课程包.zip' })
  t.equal(up.statusCode, 202, up.body)
  const pkg = up.json()
  t.match(pkg, { status: 'queued', sha256: g.sha256, size: zip.length, fileName: '课程包.zip' })
  t.equal(up.headers.location, `/api/v1/packages/${pkg.id}`)
  t.equal(blobCount(dataDir), 1, 'the zip is in the blob store')
  const again = await uploadPackage(app, a, zip)
  t.equal(again.statusCode, 200, 'the same bytes again: the existing package')
  t.equal(again.json().id, pkg.id)

  const notReady = await signedGet(app, a, `/api/v1/packages/${pkg.id}/report`)
  t.equal(notReady.statusCode, 409)
  t.equal(notReady.json().code, 'SG_ERR_PACKAGE_REPORT_NOT_READY')
  t.equal((await app.inject({ url: '/api/v1/course-review', headers: asReviewer })).json().items.length, 0, 'nothing in review before the job ran')

  const outcome = await app.packageIngest.run(pkg.id)
  t.match(outcome, { status: 'checked', queued: 4 })
  t.match(await app.packageIngest.run(pkg.id), { already: true, queued: 4 }, 'running the job again changes nothing')

  const status = await signedGet(app, a, `/api/v1/packages/${pkg.id}`)
  t.match(status.json(), { status: 'checked', verdict: 'conformant', coursesInPackage: 4, coursesQueued: 4 })
  const report = await signedGet(app, a, `/api/v1/packages/${pkg.id}/report`)
  t.equal(report.statusCode, 200)
  const r = report.json()
  t.equal(r.verdict, 'conformant')
  t.equal(r.mode, 'gateway')
  t.match(r.results.find((x: { checkId: string }) => x.checkId === 'package.course-count'), { status: 'pass', measured: { courses: 24, fromLiveCatalogue: 20 } })
  t.ok(r.integrity?.sha256, 'the stored report is sealed')

  t.test('IDOR: another provider reads neither status nor report; a reviewer reads both', async (t) => {
    for (const url of [`/api/v1/packages/${pkg.id}`, `/api/v1/packages/${pkg.id}/report`]) {
      const other = await signedGet(app, b, url)
      t.equal(other.statusCode, 404, `${url} is absent for provider B`)
      t.equal(other.json().code, 'SG_ERR_PACKAGE_NOT_FOUND')
      t.equal((await app.inject({ url, headers: asReviewer })).statusCode, 200, `${url} for the reviewer`)
    }
    t.equal((await signedGet(app, b, '/api/v1/packages/pkg_nope')).statusCode, 404)
  })

  const queue = (await app.inject({ url: '/api/v1/course-review', headers: asReviewer })).json().items as Array<{ id: string; courseId: string; version: number; previewSeconds: number; proofSha256: string; status: string }>
  t.equal(queue.length, 4)
  t.ok(queue.every((c) => c.status === 'pending' && c.previewSeconds >= 600 && /^[0-9a-f]{64}$/.test(c.proofSha256)), 'measured preview and proof hash recorded per course')
  t.equal((await signedGet(app, a, '/api/v1/course-review')).statusCode, 403, 'providers do not see the review queue')

  const [first, second, third] = queue
  if (!first || !second || !third) throw new Error('queue too short')

  t.test('approve publishes; a second decision is a 409', async (t) => {
    const ok = await app.inject({ method: 'POST', url: `/api/v1/course-review/${first.id}/approve`, headers: asReviewer })
    t.equal(ok.statusCode, 200)
    t.match(ok.json(), { status: 'live', courseId: first.courseId })
    const twice = await app.inject({ method: 'POST', url: `/api/v1/course-review/${first.id}/approve`, headers: asReviewer })
    t.equal(twice.statusCode, 409)
    t.equal(twice.json().code, 'SG_ERR_COURSE_STATE')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/course-review/crs_nope/approve', headers: asReviewer })).statusCode, 404)
  })

  t.test('reject needs reasons (R14)', async (t) => {
    const none = await app.inject({ method: 'POST', url: `/api/v1/course-review/${second.id}/reject`, headers: asReviewer, payload: { reasons: [] } })
    t.equal(none.statusCode, 400)
    const ok = await app.inject({ method: 'POST', url: `/api/v1/course-review/${second.id}/reject`, headers: asReviewer, payload: { reasons: ['课程内容与目录分类不符'] } })
    t.match(ok.json(), { status: 'rejected', reasons: ['课程内容与目录分类不符'] })
  })

  t.test('takedown of a live course, with reasons (R14)', async (t) => {
    const pending = await app.inject({ method: 'POST', url: `/api/v1/courses/${third.id}/takedown`, headers: asReviewer, payload: { reasons: ['x'] } })
    t.equal(pending.statusCode, 409, 'a pending course cannot be taken down')
    await app.inject({ method: 'POST', url: `/api/v1/course-review/${third.id}/approve`, headers: asReviewer })
    const down = await app.inject({ method: 'POST', url: `/api/v1/courses/${third.id}/takedown`, headers: asReviewer, payload: { reasons: ['版权授权已过期'] } })
    t.match(down.json(), { status: 'taken-down', reasons: ['版权授权已过期'] })
    t.equal((await signedGet(app, a, `/api/v1/courses/${first.id}/takedown`)).statusCode, 404, 'no GET route')
  })

  t.test('a new version replaces the live one only once approved', async (t) => {
    const v2 = await reversionedPackage(g.path, t.testdir({}), { [first.courseId]: 2 })
    const up2 = await uploadPackage(app, a, v2)
    t.equal(up2.statusCode, 202)
    const run = await app.packageIngest.run(up2.json().id)
    t.equal(run.queued, 1, 'only the course with a new version is queued; the others are already known')
    const live = async () => (await app.courseCentre.live({ providerId: a.providerId })).filter((c) => c.courseId === first.courseId)
    t.match(await live(), [{ version: 1, status: 'live' }], 'v1 stays live while v2 waits')
    const pendingV2 = (await app.courseCentre.pending({ providerId: a.providerId })).find((c) => c.courseId === first.courseId)
    t.equal(pendingV2?.version, 2)
    await app.inject({ method: 'POST', url: `/api/v1/course-review/${pendingV2?.id ?? ''}/approve`, headers: asReviewer })
    t.match(await live(), [{ version: 2, status: 'live' }], 'v2 replaced v1 at approval')
    t.equal((await app.courseCentre.get(first.id)).status, 'superseded')
  })

  t.test('every change is in the audit log', async (t) => {
    const actions = (await store.db.selectFrom('audit_log').select('action').execute()).map((x) => x.action)
    for (const a of ['package.uploaded', 'package.checked', 'course.approved', 'course.rejected', 'course.taken-down']) t.ok(actions.includes(a), a)
    t.equal(actions.filter((x) => x === 'package.checked').length, 2, 'one per package, although the first job ran twice')
  })
})

t.test('a package that fails package-level rules queues no course', async (t) => {
  const { app, store } = await setup(t)
  const a = await admittedResourceProvider(app)
  const g = await generatePackage({ courses: 4 })
  const up = await uploadPackage(app, a, await readFile(g.path))
  const run = await app.packageIngest.run(up.json().id)
  t.match(run, { status: 'checked', queued: 0 }, 'R5.2-1: 4 courses and nothing live')
  t.equal((await store.db.selectFrom('courses').select('id').execute()).length, 0)
  t.equal((await signedGet(app, a, `/api/v1/packages/${up.json().id}`)).json().verdict, 'not-conformant')
})

t.test('over real HTTP the zip is streamed from the socket after the signature is verified', async (t) => {
  const { app, store } = await setup(t)
  const a = await admittedResourceProvider(app)
  const g = await generatePackage({ courses: 4 })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `${address}/api/v1/packages`
  const { request } = await import('undici')
  const { createReadStream } = await import('node:fs')
  const { signRequest } = await import('../../conformance/signing/index.js')
  const sign = (body: Buffer) => signRequest({ method: 'POST', url, body, keyId: a.keyId, secret: a.secret })
  const zip = await readFile(g.path)
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/zip', 'x-sg-content-sha256': g.sha256, ...sign(zip) }, body: createReadStream(g.path) })
  t.equal(res.statusCode, 202, await res.body.text())
  t.equal((await store.db.selectFrom('packages').select('sha256').executeTakeFirstOrThrow()).sha256, g.sha256)
  // A forged signature is refused before the body is consumed; the connection is closed, not drained.
  const forged = await request(url, { method: 'POST', headers: { 'content-type': 'application/zip', 'x-sg-content-sha256': g.sha256, ...sign(Buffer.from('other')) }, body: createReadStream(g.path) })
  t.equal(forged.statusCode, 401)
  t.equal(forged.headers.connection, 'close')
  await forged.body.dump()
})
