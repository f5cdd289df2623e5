// The gateway's own API, documented from the route schemas: /openapi.json and /docs (R7).
// The provider API the gateway *calls* is a different document, served under /spec/.
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export default fp(async function swaggerPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'skillgate gateway API / 管理平台网关接口',
        version: '1.0.0',
        description: 'The management platform\'s gateway: solicitation entry (applications), review workflow, course packages, course centre, learning records and assessment. The provider API that platforms must serve is published at /spec/openapi/provider-api.openapi.json.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Reviewer, admin, provider or training-body (参培主体) token (sgt_…).' },
          sgSignature: { type: 'apiKey', in: 'header', name: 'X-SG-Key-Id', description: 'Provider request signing, see /spec/signing/README.md.' },
        },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } })
  app.get('/openapi.json', { config: { roles: ['public'] }, schema: { hide: true } }, async () => app.swagger())
}, { name: 'skillgate-swagger' })
