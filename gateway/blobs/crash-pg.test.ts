// kill -9 on PostgreSQL (issue 16): real gateway processes (gateway/main.ts, each with its own data
// directory, two at a time on one database) take signed learning-record pushes and package uploads
// over HTTP and are SIGKILLed mid-traffic, 20 kills in all. Afterwards, on the database:
// - 0 lost: every push or upload that was answered 2xx is there;
// - 0 duplicated: every statement once, every (provider, digest) package once, one job each;
// - 0 half-visible: a push batch is all there or not at all; every package row has its complete
//   blob (all chunks, hashing to its digest), its job and its audit entry; chunks of killed uploads
//   are visible nowhere and are swept;
// and sending everything again to a fresh instance leaves each statement and package stored once.
import t from 'tap'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { createCatalogue } from '../../fixtures/catalogue/catalogue.js'
import { createLearningRecords } from '../../fixtures/catalogue/learning-records.js'
import { signRequest } from '../../conformance/signing/index.js'
import type { LearningRecord } from '../../specs/types.gen.js'
import { testApp } from '../app.test-support.js'
import { admittedResourceProvider, uploadPackage } from '../ingest/ingest.test-support.js'
import type { TestProvider } from '../ingest/ingest.test-support.js'
import { createPgTestSchema, selectedEngines } from '../store/engines.test-support.js'
import { openStore } from '../store/open-store.js'
import { applicationBody, signedInject } from '../workflow/workflow.test-support.js'
import { PgBlobStore } from './pg-blob-store.js'
import { childNodeArgs, runsCompiled } from '../loader-args.test-support.js'

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 10) // two instances killed per round: 20 kills
const BATCH = 5
const MASTER_KEY = 'cd'.repeat(32)
const root = fileURLToPath(new URL('../../', import.meta.url))

function newestSource(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory() && !['node_modules', 'dist', '.tap', 'fixtures', 'public'].includes(e.name)) newest = Math.max(newest, newestSource(path))
    else if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/**
 * How to start a gateway. When this test runs compiled (`npm test`), the compiled main.js beside
 * it. From source, the compiled one in dist/ (built by `npm ci` / `npm run build`) when it is
 * newer than every source file it comes from, else the TypeScript sources under tsx. The compiled
 * one starts in a fraction of the CPU time, and 20 starts dominate this test.
 */
function gatewayCommand(): string[] {
  const built = join(root, 'dist', 'gateway', 'main.js')
  if (!runsCompiled(import.meta.url) && existsSync(built)) {
    const builtAt = statSync(built).mtimeMs
    if (['gateway', 'specs', 'conformance'].every((d) => newestSource(join(root, d)) < builtAt)) return [built]
  }
  return childNodeArgs(import.meta.url, '../main')
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Sent { kind: 'push' | 'upload'; ids: string[]; body: Buffer; acked: boolean }

function startGateway(command: string[], dataDir: string, databaseUrl: string, configFile: string): { child: ChildProcess; url: Promise<string>; exited: Promise<void> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: databaseUrl, SKILLGATE_DATA_DIR: dataDir, PORT: '0', SKILLGATE_MASTER_KEY: MASTER_KEY, SKILLGATE_LOG_LEVEL: 'info',
    SKILLGATE_WORKER: 'false', SKILLGATE_SCHEDULER: 'false', SKILLGATE_CONFIG: configFile,
  }
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  const url = new Promise<string>((resolve, reject) => {
    const take = (chunk: Buffer): void => {
      if (text.length < 20_000) text += chunk.toString('utf8')
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)
      if (m) resolve(m[1]!)
    }
    child.stdout!.on('data', take)
    child.stderr!.on('data', take)
    child.once('exit', () => reject(new Error(`gateway exited before listening: ${text.slice(-2000)}`)))
  })
  url.catch(() => undefined)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return { child, url, exited }
}

if (selectedEngines().includes('postgres')) {
  // 20 gateway processes start (about 5 s of CPU each): longer than tap's default per-file limit on a busy machine.
  t.setTimeout(900_000)
  t.test(`kill -9 during record pushes and package uploads on PostgreSQL (${2 * ROUNDS} kills)`, async (t) => {
    const pg = await createPgTestSchema()
    t.teardown(() => pg.drop())
    const databaseUrl = `${pg.databaseUrl}?options=${encodeURIComponent(`-c search_path=${pg.schema}`)}`
    const dir = t.testdir({})
    const configFile = join(dir, 'config.json')
    writeFileSync(configFile, JSON.stringify({ rateLimit: { max: 1_000_000 } }))
    const savedKey = process.env.SKILLGATE_MASTER_KEY
    process.env.SKILLGATE_MASTER_KEY = MASTER_KEY
    t.teardown(() => { if (savedKey === undefined) delete process.env.SKILLGATE_MASTER_KEY; else process.env.SKILLGATE_MASTER_KEY = savedKey })
    const store = openStore({ databaseUrl: pg.databaseUrl, pgSchema: pg.schema })
    t.teardown(() => store.close())
    await store.migrate()
    // The checking instance: in this process, on the same database, its own data directory.
    const { app } = await testApp(t, { store, overrides: { dataDir: join(dir, 'checker'), 'rateLimit.max': 1_000_000 } })
    const uploader = await admittedResourceProvider(app)
    const { provider: pusher, application } = await app.workflow.createApplication(applicationBody('on-demand'))
    await store.db.updateTable('applications').set({ state: 'active' }).where('id', '=', application.id).execute()

    const records = createLearningRecords({ seed: 16, count: 10_000, catalogue: createCatalogue({ seed: 16, courses: 40 }), homePage: 'http://127.0.0.1:1' })
    let nextStatement = 0
    const takeStatements = (): LearningRecord[] => {
      const out: LearningRecord[] = []
      while (out.length < BATCH) {
        const r = nextStatement++
        if (r % 10 !== 9) out.push(records.statement(r)) // no voids: each batch stands alone
      }
      return out
    }
    const sent: Sent[] = []
    const children: ChildProcess[] = []
    t.teardown(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL') })

    async function send(base: string, who: TestProvider, s: Sent): Promise<void> {
      const url = s.kind === 'push' ? '/api/v1/learning-records' : '/api/v1/packages'
      const host = new URL(base).host
      const headers: Record<string, string> = {
        ...signRequest({ method: 'POST', url, headers: { host }, body: s.body, keyId: who.keyId, secret: who.secret }),
        'content-type': s.kind === 'push' ? 'application/json' : 'application/zip',
        ...(s.kind === 'upload' ? { 'x-sg-content-sha256': s.ids[0]! } : {}),
      }
      // Uploads trickle in 64 KiB pieces, so kills land mid-body too.
      async function* trickle() {
        for (let i = 0; i < s.body.length; i += 65536) {
          yield s.body.subarray(i, i + 65536)
          await sleep(2)
        }
      }
      const res = await request(`${base}${url}`, { method: 'POST', headers, body: s.kind === 'upload' ? Readable.from(trickle()) : s.body })
      await res.body.dump()
      if (res.statusCode >= 200 && res.statusCode < 300) s.acked = true
      else if (res.statusCode !== 503) throw new Error(`${s.kind} answered ${res.statusCode}`)
    }

    async function load(base: string, stop: { now: boolean; warm: () => void }): Promise<void> {
      const lanes = Array.from({ length: 4 }, async (_, lane) => {
        while (!stop.now) {
          const upload = lane % 2 === 0
          const body = upload ? randomBytes(600 * 1024) : Buffer.from(JSON.stringify({ statements: takeStatements() }))
          const ids = upload ? [sha(body)] : (JSON.parse(body.toString('utf8')) as { statements: LearningRecord[] }).statements.map((x) => x.id)
          const s: Sent = { kind: upload ? 'upload' : 'push', ids, body, acked: false }
          sent.push(s)
          try {
            await send(base, upload ? uploader : pusher, s)
            if (s.acked) stop.warm()
          } catch (err) {
            if (stop.now || (err as { code?: string }).code?.startsWith('UND_ERR') || (err as { code?: string }).code === 'ECONNRESET' || (err as { code?: string }).code === 'ECONNREFUSED') break
            throw err
          }
        }
      })
      await Promise.all(lanes)
    }

    const command = gatewayCommand()
    t.comment(`gateway processes run ${command.at(-1)}`)
    let kills = 0
    for (let round = 0; round < ROUNDS; round++) {
      const gateways = [0, 1].map((i) => startGateway(command, join(dir, `g${round}-${i}`), databaseUrl, configFile))
      children.push(...gateways.map((g) => g.child))
      const bases = await Promise.all(gateways.map((g) => g.url))
      if (process.env.CRASH_DEBUG) console.error('round', round, bases, sent.length)
      const warmed: Array<Promise<void>> = []
      const stops = gateways.map(() => {
        const stop = { now: false, warm: () => undefined as void }
        warmed.push(new Promise<void>((resolve) => { stop.warm = resolve }))
        return stop
      })
      const loads = bases.map((b, i) => load(b, stops[i]!))
      for (const [i, g] of gateways.entries()) {
        // Once the instance has answered (it is warm), kill it 50–450 ms later: with requests in flight.
        await Promise.race([warmed[i], loads[i]])
        await sleep(50 + ((round * 97 + i * 131) % 400))
        stops[i]!.now = true
        g.child.kill('SIGKILL')
        await g.exited
        kills++
      }
      await Promise.all(loads)
    }
    t.equal(kills, 2 * ROUNDS, `${kills} gateway processes killed with SIGKILL`)
    const pushes = sent.filter((s) => s.kind === 'push')
    const uploads = sent.filter((s) => s.kind === 'upload')
    t.ok(pushes.some((s) => s.acked) && pushes.some((s) => !s.acked), `pushes: ${pushes.filter((s) => s.acked).length} answered, ${pushes.filter((s) => !s.acked).length} cut off`)
    t.ok(uploads.some((s) => s.acked) && uploads.some((s) => !s.acked), `uploads: ${uploads.filter((s) => s.acked).length} answered, ${uploads.filter((s) => !s.acked).length} cut off`)

    const stored = new Map<string, number>()
    for (const r of await store.db.selectFrom('learning_records').select('statement_id').where('provider_id', '=', pusher.providerId).execute()) stored.set(r.statement_id, (stored.get(r.statement_id) ?? 0) + 1)
    const lostPushes = pushes.filter((s) => s.acked && !s.ids.every((id) => stored.has(id))).length
    const halfPushes = pushes.filter((s) => { const n = s.ids.filter((id) => stored.has(id)).length; return n !== 0 && n !== s.ids.length }).length
    const dupStatements = [...stored.values()].filter((n) => n > 1).length

    const packages = await store.db.selectFrom('packages').selectAll().where('provider_id', '=', uploader.providerId).execute()
    const bySha = new Map<string, number>()
    for (const p of packages) bySha.set(p.sha256, (bySha.get(p.sha256) ?? 0) + 1)
    const lostUploads = uploads.filter((s) => s.acked && !bySha.has(s.ids[0]!)).length
    const dupPackages = [...bySha.values()].filter((n) => n > 1).length
    const blobs = new PgBlobStore(store.db, { spoolDir: join(dir, 'spool'), spoolMaxBytes: 0 })
    let halfPackages = 0
    for (const p of packages) {
      const job = p.job_id ? await store.db.selectFrom('jobs').select('id').where('id', '=', p.job_id).executeTakeFirst() : undefined
      const audit = await store.db.selectFrom('audit_log').select('seq').where('subject_id', '=', p.id).where('action', '=', 'package.uploaded').execute()
      const bytes = (await blobs.has(p.sha256)) ? sha(Buffer.concat(await (await blobs.get(p.sha256)).toArray() as Buffer[])) : undefined
      if (!job || audit.length !== 1 || bytes !== p.sha256) halfPackages++
    }
    t.equal(lostPushes + lostUploads, 0, `0 lost (${pushes.filter((s) => s.acked).length} answered pushes, ${uploads.filter((s) => s.acked).length} answered uploads)`)
    t.equal(dupStatements + dupPackages, 0, '0 duplicated')
    t.equal(halfPushes + halfPackages, 0, `0 half-visible (${packages.length} package rows, each with its whole blob, job and audit entry)`)
    const swept = await blobs.sweepOrphans(0)
    const orphans = await store.db.selectFrom('blob_chunks').select('upload_id').where('upload_id', 'not in', (eb) => eb.selectFrom('blob_objects').select('upload_id')).execute()
    t.equal(orphans.length, 0, `chunks of killed uploads (${swept}) are named by no blob and swept`)

    // Everything again, to an instance that stays up: each statement and package is stored once.
    for (const s of sent) {
      const res = s.kind === 'push' ? await signedInject(app, pusher, 'POST', '/api/v1/learning-records', JSON.parse(s.body.toString('utf8'))) : await uploadPackage(app, uploader, s.body)
      if (res.statusCode >= 300) t.fail(`resending ${s.kind}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    }
    const statements = Number((await store.db.selectFrom('learning_records').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', pusher.providerId).executeTakeFirstOrThrow()).n)
    t.equal(statements, pushes.length * BATCH, 'after resending: every statement once')
    const pkgs = Number((await store.db.selectFrom('packages').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', uploader.providerId).executeTakeFirstOrThrow()).n)
    t.equal(pkgs, uploads.length, 'after resending: every package once')
  })
}
