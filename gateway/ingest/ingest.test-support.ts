// Test helpers for package ingest: admitted resource providers (created through the workflow, then
// moved to 'active' directly, standing in for the admission steps tested in gateway/workflow),
// signed package uploads through app.inject, live courses seeded for the provider-level rules, and
// a re-versioned copy of a generated package.
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import yazl from 'yazl'
import { openPackage } from '../../conformance/package/zip-reader.js'
import { signRequest } from '../../conformance/signing/index.js'
import type { Store } from '../store/open-store.js'
import { applicationBody } from '../workflow/workflow.test-support.js'

export interface TestProvider { providerId: string; keyId: string; secret: string; token: string }

export async function admittedResourceProvider(app: FastifyInstance, opts: { state?: string; kind?: 'resource' | 'on-demand' } = {}): Promise<TestProvider> {
  const { application, provider } = await app.workflow.createApplication(applicationBody(opts.kind ?? 'resource'))
  await app.store.db.updateTable('applications').set({ state: opts.state ?? 'active' }).where('id', '=', application.id).execute()
  return provider
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** A signed upload. `signedBody` (default: the body) is what the signature and the declared digest cover. */
export async function uploadPackage(app: FastifyInstance, who: TestProvider, body: Buffer, opts: { signedBody?: Buffer; digest?: string | null; fileName?: string; contentType?: string } = {}) {
  const signed = opts.signedBody ?? body
  const digest = opts.digest === undefined ? sha256Hex(signed) : opts.digest
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/zip',
    host: 'localhost',
    ...(digest === null ? {} : { 'x-sg-content-sha256': digest }),
    ...(opts.fileName ? { 'x-sg-file-name': encodeURIComponent(opts.fileName) } : {}),
  }
  Object.assign(headers, signRequest({ method: 'POST', url: '/api/v1/packages', headers: { host: 'localhost' }, body: signed, keyId: who.keyId, secret: who.secret }))
  return app.inject({ method: 'POST', url: '/api/v1/packages', headers, payload: body })
}

export async function signedGet(app: FastifyInstance, who: TestProvider, url: string) {
  const headers = { host: 'localhost', ...signRequest({ method: 'GET', url, headers: { host: 'localhost' }, keyId: who.keyId, secret: who.secret }) }
  return app.inject({ method: 'GET', url, headers })
}

/** `count` live synced courses for the provider, alternately free and paid. */
export async function seedLiveCourses(store: Store, providerId: string, count: number): Promise<void> {
  const now = Date.now()
  for (let i = 0; i < count; i++) {
    await store.db.insertInto('courses').values({
      id: `crs_seed_${providerId}_${i}`, source: 'sync', provider_id: providerId, course_id: `live-${i}`, version: 1, status: 'live',
      title_zh: `已上线课程 ${i}`, category: '4-10', free: i % 2 === 0 ? 1 : 0, manifest: '{}', package_id: null, preview_sha256: null,
      preview_seconds: 660, proof_sha256: null, reasons: null, reviewed_by: null, reviewed_at: null, published_at: now, created_at: now, updated_at: now,
    }).execute()
  }
}

/** A copy of `zipPath` whose manifest gives the courses in `versions` a new version number. */
export async function reversionedPackage(zipPath: string, dir: string, versions: Record<string, number>): Promise<Buffer> {
  const pkg = await openPackage(zipPath, { sandboxDir: join(dir, 'sandbox') })
  try {
    const manifest = pkg.manifest as { courses: Array<{ courseId: string; version: number }> }
    for (const c of manifest.courses) if (versions[c.courseId] !== undefined) c.version = versions[c.courseId]!
    const zip = new yazl.ZipFile()
    zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json')
    for (const e of pkg.entries) if (e.name !== 'manifest.json') zip.addFile(e.path, e.name, { compress: false })
    zip.end()
    const out = join(dir, 'reversioned.zip')
    await pipeline(zip.outputStream, createWriteStream(out))
    return await readFile(out)
  } finally {
    await pkg.close()
  }
}
