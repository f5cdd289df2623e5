// The reviewer console (评审控制台): a static shell (HTML/CSS/ES modules, no build step, no third-party
// request) served under /console/, plus three small JSON helpers under /api/v1/console/. The shell is
// public; every byte of data it shows comes from the gateway's own API with the reviewer's bearer
// token, so the console adds no second set of rules: what the API refuses, the console cannot do.
//
// The conformance report is the very HTML the CLI writes (renderHtml). It carries inline style and
// script, which the console's strict CSP forbids and which an srcdoc/blob frame would inherit, so it
// is served from its own same-origin URL with its own CSP. A frame cannot send a bearer header, so
// that URL carries a short-lived HMAC ticket that only a reviewer can obtain (POST report-tickets).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { renderHtml, escapeHtml } from '../../conformance/report/html.js'
import type { Report } from '../../conformance/checks/framework.js'
import { openPackage } from '../../conformance/package/zip-reader.js'
import { packageRoot } from '../../specs/lib/paths.js'
import type { BlobStore } from '../blobs/blob-store.js'
import { sgError } from '../../specs/lib/errors.js'
import { STATES, TERMINAL_STATES, TRANSITIONS } from '../workflow/state-machine.js'
import type { ApplicationState } from '../workflow/state-machine.js'
import { mayActions, registerConsoleDataRoutes } from './console-views.js'
export { courseSeries } from './console-views.js'

/** The console's own pages: same-origin only, nothing inline, no framing by others. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  // Documents and previews are fetched with the bearer token and shown from blob: URLs.
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** The embedded report: its own inline style/script, nothing else, framed only by the console. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

export const REPORT_TICKET_TTL_MS = 5 * 60 * 1000

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

export const consoleAssetDir = join(packageRoot, 'gateway', 'console', 'public')

/** Every servable file, read once at registration: a request can name only a listed path. */
function loadAssets(dir: string): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>()
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry)
      if (statSync(full).isDirectory()) { walk(full); continue }
      const ext = entry.slice(entry.lastIndexOf('.'))
      const type = TYPES[ext]
      if (type) out.set(relative(dir, full).split(sep).join('/'), { body: readFileSync(full), type })
    }
  }
  walk(dir)
  return out
}

/** Reviewer-facing description of what each state allows (R6), derived from the transition table. */
export function allowedEventsView(state: ApplicationState): { state: ApplicationState; terminal: boolean; events: { event: string; to: ApplicationState; roles: string[]; reviewerMay: boolean; requirementIds: string[] }[] } {
  return {
    state,
    terminal: TERMINAL_STATES.includes(state),
    events: TRANSITIONS.filter((x) => x.from === state).map((x) => ({
      event: x.event,
      to: x.to,
      roles: [...x.roles],
      reviewerMay: x.roles.includes('reviewer'),
      requirementIds: [...x.requirementIds],
    })),
  }
}

interface TicketClaims { applicationId: string; exp: number }

export function createTicketSigner(key: Buffer = randomBytes(32)): { sign(c: TicketClaims): string; verify(ticket: string, now: number): TicketClaims } {
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest()
  return {
    sign(c) {
      const payload = Buffer.from(JSON.stringify(c)).toString('base64url')
      return `${payload}.${mac(payload).toString('base64url')}`
    },
    verify(ticket, now) {
      const [payload, sig] = ticket.split('.')
      if (!payload || !sig) throw sgError('SG_ERR_CONSOLE_TICKET_INVALID', 'malformed ticket')
      const expected = mac(payload)
      const given = Buffer.from(sig, 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw sgError('SG_ERR_CONSOLE_TICKET_INVALID', 'bad signature')
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TicketClaims
      if (typeof claims.exp !== 'number' || claims.exp < now) throw sgError('SG_ERR_CONSOLE_TICKET_INVALID', 'expired')
      return claims
    },
  }
}

/** Only types a browser renders without running code; anything else is an opaque download. */
export function mediaTypeOf(file: string): string {
  const ext = file.toLowerCase().slice(file.lastIndexOf('.'))
  return ({ '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.m3u8': 'application/vnd.apple.mpegurl', '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' } as Record<string, string>)[ext] ?? 'application/octet-stream'
}

const isReport = (v: unknown): v is Report =>
  typeof v === 'object' && v !== null && Array.isArray((v as { results?: unknown }).results) && typeof (v as { verdict?: unknown }).verdict === 'string'

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string))
  return Buffer.concat(chunks)
}

function securityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
}

/** A stored package zip opened through the safe reader (a local copy when blobs are in PostgreSQL); close() releases both. */
async function openStoredPackage(blobs: BlobStore, sha256: string, sandboxDir: string): Promise<Awaited<ReturnType<typeof openPackage>>> {
  const local = await blobs.localFile(sha256)
  try {
    const opened = await openPackage(local.path, { sandboxDir })
    const close = opened.close.bind(opened)
    opened.close = async () => {
      await close()
      await local.release()
    }
    return opened
  } catch (err) {
    await local.release()
    throw err
  }
}

export default async function consoleRoutes(app: FastifyInstance, opts: { ticketKey?: Buffer } = {}) {
  const assets = loadAssets(consoleAssetDir)
  const tickets = createTicketSigner(opts.ticketKey)
  const wf = app.workflow
  const tags = ['console']
  const hide = { hide: true }

  const sendAsset = (reply: FastifyReply, path: string): FastifyReply => {
    const asset = assets.get(path)
    if (!asset) throw sgError('SG_ERR_CONSOLE_ASSET_NOT_FOUND', path.slice(0, 200))
    return securityHeaders(reply, CONSOLE_CSP).header('x-frame-options', 'DENY').type(asset.type).send(asset.body)
  }

  app.get('/console', { config: { roles: ['public'] }, schema: hide }, async (_request, reply) => reply.redirect('/console/'))
  app.get('/console/', { config: { roles: ['public'] }, schema: hide }, async (_request, reply) => sendAsset(reply, 'index.html'))
  app.get<{ Params: { '*': string } }>('/console/assets/*', { config: { roles: ['public'] }, schema: hide }, async (request, reply) => sendAsset(reply, request.params['*']))

  app.get('/api/v1/console/session', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Who the console is signed in as, and the gateway clock (ages are counted on it)' },
  // `may`: the console offers an action only when the route behind it admits this role (the API
  // still decides every request; this only keeps refusable buttons out of view).
  }, async (request) => ({ role: request.identity!.role, subject: request.identity!.subject, now: wf.now(), may: mayActions(request.identity!.role, app.guardedRoutes) }))

  app.get('/api/v1/console/allowed-events', {
    config: { roles: ['reviewer'] },
    schema: {
      tags,
      summary: 'Events the admission state machine allows in a state (R6), with who fires each: the console offers only these',
      querystring: { type: 'object', required: ['state'], additionalProperties: false, properties: { state: { type: 'string', enum: STATES } } },
    },
  }, async (request) => allowedEventsView((request.query as { state: ApplicationState }).state))

  app.post('/api/v1/console/report-tickets', {
    config: { roles: ['reviewer'] },
    schema: {
      tags,
      summary: 'A 5-minute link to the latest conformance report of an application as the reviewer HTML page',
      body: { type: 'object', required: ['applicationId'], additionalProperties: false, properties: { applicationId: { type: 'string', maxLength: 80 } } },
    },
  }, async (request, reply) => {
    const { applicationId } = request.body as { applicationId: string }
    // Refuse a ticket for an application without a report (404) rather than a dead link.
    const application = await wf.get(applicationId, { role: 'reviewer', id: `console:${request.identity!.subject}` })
    if (!application.conformance.reportSha256) throw sgError('SG_ERR_NOT_FOUND', 'no conformance report yet')
    const exp = wf.now() + REPORT_TICKET_TTL_MS
    void reply.status(201).header('cache-control', 'no-store')
    return { url: `/console/reports/${tickets.sign({ applicationId, exp })}`, expiresAt: exp, sha256: application.conformance.reportSha256 }
  })

  const courseParams = { type: 'object', properties: { courseId: { type: 'string', maxLength: 80 } }, required: ['courseId'] } as const
  const courseRow = async (courseId: string) => {
    const row = await app.store.db.selectFrom('courses').selectAll().where('id', '=', courseId).executeTakeFirst()
    if (!row) throw sgError('SG_ERR_NOT_FOUND', `no course ${courseId.slice(0, 80)}`)
    return row
  }

  app.get('/api/v1/console/courses/:courseId', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'One course version for review: its review record and the manifest entry it was ingested from (R13, R15)', params: courseParams },
  }, async (request) => {
    const { courseId } = request.params as { courseId: string }
    const row = await courseRow(courseId)
    return { course: await app.courseCentre.get(courseId), manifest: JSON.parse(row.manifest) as unknown }
  })

  // The stored preview and copyright proof, so the reviewer judges what was measured (R5.2-2, R15).
  for (const which of ['preview', 'proof'] as const) {
    app.get(`/api/v1/console/courses/:courseId/${which}`, {
      config: { roles: ['reviewer'] },
      schema: { tags, summary: which === 'preview' ? 'The stored preview media of a course version' : 'The stored copyright proof of a course version', params: courseParams },
    }, async (request, reply) => {
      const row = await courseRow((request.params as { courseId: string }).courseId)
      const sha = which === 'preview' ? row.preview_sha256 : row.proof_sha256
      const manifest = JSON.parse(row.manifest) as { preview?: { file?: string }; copyright?: { proofFile?: string } }
      const file = (which === 'preview' ? manifest.preview?.file : manifest.copyright?.proofFile) ?? ''
      if (!sha || !file || !row.package_id) throw sgError('SG_ERR_NOT_FOUND', `this course version has no stored ${which}`)
      const pkg = await app.store.db.selectFrom('packages').select('sha256').where('id', '=', row.package_id).executeTakeFirstOrThrow()
      // Ingest keeps the zip, not its files: read the one entry back through the same safe reader,
      // and serve it only if it still hashes to what the package checks measured.
      const opened = await openStoredPackage(app.blobs, pkg.sha256, join(app.config.dataDir, 'sandbox', 'console'))
      try {
        const entry = opened.entry(file)
        if (!entry || entry.sha256 !== sha) throw sgError('SG_ERR_NOT_FOUND', `${which} ${file.slice(0, 200)} is not in the stored package as checked`)
        const bytes = await readFile(entry.path)
        return securityHeaders(reply, "default-src 'none'").type(mediaTypeOf(file)).header('content-disposition', 'attachment').send(bytes)
      } finally {
        await opened.close()
      }
    })
  }

  registerConsoleDataRoutes(app)

  // ?lang=en|zh-CN&embedded=1: the console frames the report in its own language, without the
  // report's language toggle (the console's toggle reloads the frame).
  app.get<{ Params: { '*': string }; Querystring: { lang?: string; embedded?: string } }>('/console/reports/*', { config: { roles: ['public'] }, schema: hide }, async (request, reply) => {
    const lang = request.query.lang === 'en' ? 'en' : 'zh-CN'
    const embedded = request.query.embedded === '1'
    const claims = tickets.verify(request.params['*'], wf.now())
    const raw = await readStream(await wf.conformanceReport(claims.applicationId, { role: 'reviewer', id: 'console:report-ticket' }))
    let parsed: unknown
    try { parsed = JSON.parse(raw.toString('utf8')) } catch { parsed = undefined }
    const html = isReport(parsed)
      ? renderHtml(parsed, { lang, embedded })
      // A runner that failed before producing a report stored its error instead: show it as text.
      : `<!doctype html><html lang="en"><meta charset="utf-8"><title>report</title><main><pre style="white-space:pre-wrap">${escapeHtml(raw.toString('utf8').slice(0, 20000))}</pre></main></html>`
    return securityHeaders(reply, REPORT_CSP).type('text/html; charset=utf-8').send(html)
  })
}
