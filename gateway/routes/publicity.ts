// The shortlist publicity (R11: 入围公示 5 个工作日): the public page in Chinese and English with its
// objection form (publicity-page.ts), the same list as JSON, the objection API, and the reviewer's
// objection queue: confirm an objector (which pauses publicity) or dismiss spam in bulk. Objections
// are rate-limited per objector contact on top of the per-address limit (issue 16).
import type { FastifyInstance } from 'fastify'
import { sgError } from '../../specs/lib/errors.js'
import { actorOf } from '../workflow/actor.js'
import { objectorKey } from '../workflow/objections.js'
import { identityLimiter } from '../plugins/identity-rate-limit.js'
import { CONTACT_PATTERN, langOf, renderPublicityPage, validateObjectionForm } from './publicity-page.js'
import type { ObjectionForm, PageOptions } from './publicity-page.js'

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
const FORM_FIELDS = ['applicationId', 'name', 'contact', 'text', 'lang'] as const

export default async function publicityRoutes(app: FastifyInstance) {
  const wf = app.workflow
  const tags = ['publicity']
  const perObjector = identityLimiter(app, 'objection')

  app.get('/api/v1/publicity', {
    config: { roles: ['public'] },
    schema: { tags, summary: 'Providers under publicity with start and end dates (R11)' },
  }, async () => ({ items: await wf.publicityList() }))

  const page = async (o: Omit<PageOptions, 'now'>) => renderPublicityPage(await wf.publicityList(), { ...o, now: wf.now() })

  app.get('/publicity', {
    config: { roles: ['public'] },
    schema: { hide: true, querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 8 }, received: { type: 'string', pattern: '^obj_[0-9a-f-]{36}$' } } } },
  }, async (request, reply) => {
    const q = request.query as { lang?: string; received?: string }
    void reply.type('text/html; charset=utf-8').header('content-security-policy', CSP)
    return page({ lang: langOf(q.lang), ...(q.received ? { received: q.received } : {}) })
  })

  // The HTML form: answers a page (errors in place, 400; too many, 429) or redirects to the list.
  // Its own scope, so that only this route reads application/x-www-form-urlencoded.
  await app.register(async (formScope) => {
    formScope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      const params = new URLSearchParams(body as string)
      done(null, Object.fromEntries(FORM_FIELDS.map((k) => [k, params.get(k) ?? ''])))
    })
    formScope.post('/publicity/objections', {
      config: { roles: ['public'] },
      schema: { hide: true },
    }, async (request, reply) => {
      const raw = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>
      const field = (k: (typeof FORM_FIELDS)[number]): string => (typeof raw[k] === 'string' ? raw[k] : '')
      const lang = langOf(field('lang'))
      const form: ObjectionForm = { applicationId: field('applicationId'), name: field('name'), contact: field('contact'), text: field('text') }
      void reply.type('text/html; charset=utf-8').header('content-security-policy', CSP)
      const under = (await wf.publicityList()).map((i) => i.applicationId)
      const errors = validateObjectionForm(form, lang, under)
      if (Object.keys(errors).length > 0) return reply.status(400).send(await page({ lang, form, errors }))
      const wait = await perObjector.check(request, objectorKey(form.contact))
      if (wait !== undefined) return reply.status(429).header('retry-after', String(wait)).send(await page({ lang, form, retryAfterSeconds: wait }))
      const r = await wf.fileObjection(form.applicationId, form)
      return reply.redirect(`/publicity?lang=${lang}&received=${encodeURIComponent(r.objectionId)}#objection`, 303)
    })
  })

  app.post('/api/v1/publicity/:id/objections', {
    config: { roles: ['public'] },
    preHandler: async (request) => perObjector.consume(request, objectorKey((request.body as { contact: string }).contact)),
    schema: {
      tags,
      summary: 'File an objection under your name and contact; a reviewer confirms you, and then the publicity pauses until the objection is decided (R11)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 } }, required: ['id'] },
      body: {
        type: 'object', required: ['text', 'name', 'contact'], additionalProperties: false,
        properties: { text: { type: 'string', minLength: 1, maxLength: 20000 }, name: { type: 'string', minLength: 1, maxLength: 100 }, contact: { type: 'string', maxLength: 200, pattern: CONTACT_PATTERN, description: 'Mobile, landline or e-mail; never published' } },
      },
    },
  }, async (request, reply) => {
    const body = request.body as { text: string; name: string; contact: string }
    const r = await wf.fileObjection((request.params as { id: string }).id, body)
    void reply.status(201)
    return r
  })

  app.get('/api/v1/objections', {
    config: { roles: ['reviewer'] },
    schema: {
      tags, summary: 'Open objections across applications, with the objector\'s name and contact to confirm them (status: unconfirmed, confirmed or open)',
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['unconfirmed', 'confirmed', 'open'], default: 'open' } } },
    },
  }, async (request) => ({ items: await wf.objectionQueue({ status: (request.query as { status: 'unconfirmed' | 'confirmed' | 'open' }).status }) }))

  app.post('/api/v1/applications/:id/objections/:objectionId/confirm', {
    config: { roles: ['reviewer'] },
    schema: {
      tags, summary: 'Confirm the objector (say how): the first confirmed open objection pauses publicity (R11)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 }, objectionId: { type: 'string', maxLength: 80 } }, required: ['id', 'objectionId'] },
      body: { type: 'object', required: ['confirmation'], additionalProperties: false, properties: { confirmation: { type: 'string', minLength: 1, maxLength: 2000 } } },
    },
  }, async (request) => {
    const { id, objectionId } = request.params as { id: string; objectionId: string }
    return wf.confirmObjector(id, objectionId, actorOf(request), (request.body as { confirmation: string }).confirmation)
  })

  app.post('/api/v1/objections/dismiss-spam', {
    config: { roles: ['reviewer'] },
    schema: {
      tags, summary: 'Dismiss unconfirmed objections as spam, all or none (a confirmed objection is resolved on its own)',
      body: {
        type: 'object', required: ['objectionIds', 'reason'], additionalProperties: false,
        properties: { objectionIds: { type: 'array', minItems: 1, maxItems: 500, uniqueItems: true, items: { type: 'string', maxLength: 80 } }, reason: { type: 'string', minLength: 1, maxLength: 2000 } },
      },
    },
  }, async (request) => {
    const b = request.body as { objectionIds: string[]; reason: string }
    if (b.objectionIds.length === 0) throw sgError('SG_ERR_VALIDATION', 'list at least one objection id')
    return wf.dismissSpamObjections(b.objectionIds, actorOf(request), b.reason)
  })
}
