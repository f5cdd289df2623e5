// R7: the provider API is published as OpenAPI 3.1 and passes a maintained validator
// (@apidevtools/swagger-parser), not a home-made check.
import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'

const file = specPath('openapi', 'provider-api.openapi.json')
const raw = JSON.parse(readFileSync(file, 'utf8'))
type Op = { tags?: string[]; security?: unknown[]; responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }> }

t.test('the provider API validates as OpenAPI 3.1 and every $ref resolves', async (t) => {
  const api = await SwaggerParser.validate(file)
  t.equal((api as { openapi: string }).openapi, '3.1.0')
})

t.test('the validator is not a rubber stamp: a broken twin is rejected', async (t) => {
  const dir = t.testdir({})
  const broken = structuredClone(raw)
  delete broken.paths['/v1/courses'].get.responses
  const path = `${dir}/broken.json`
  const { writeFileSync } = await import('node:fs')
  writeFileSync(path, JSON.stringify(broken))
  await t.rejects(SwaggerParser.validate(path))
})

t.test('every operation is tagged by provider kind, signed, and its JSON responses reference spec schemas', async (t) => {
  for (const [path, item] of Object.entries(raw.paths as Record<string, Record<string, Op>>)) {
    for (const [method, op] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(op.tags?.some((tag) => tag === 'on-demand' || tag === 'self-hosted'), `${name} is tagged by kind`)
      t.ok(JSON.stringify(op.security ?? raw.security).includes('sgSignature'), `${name} is signed`)
      for (const [status, res] of Object.entries(op.responses)) {
        if (res.$ref) { t.match(res.$ref, /^#\/components\/responses\/Problem/, `${name} ${status} is problem+json`); continue }
        for (const media of Object.values(res.content ?? {})) {
          if (media.schema?.$ref) t.match(media.schema.$ref, /^\.\.\/schemas\/.+\.schema\.json$/, `${name} ${status} references a spec schema`)
        }
      }
    }
  }
})

t.test('self-hosted endpoints of the architecture are present', async (t) => {
  for (const p of ['/v1/storage/retention-policy', '/v1/tenants/{tenantId}/objects', '/v1/tenants/{tenantId}/objects/{objectId}', '/v1/moderation/alerts', '/v1/conformance/sandbox']) {
    t.ok(raw.paths[p], p)
    t.ok(JSON.stringify(raw.paths[p]).includes('self-hosted'), `${p} tagged self-hosted`)
  }
})

t.test('every operation has a Chinese summary (x-summary-zh) and a Chinese description beside an English one (1.1)', async (t) => {
  for (const [path, item] of Object.entries(raw.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, op] of Object.entries(item)) {
      t.match(op['x-summary-zh'], /[\u4e00-\u9fff]/, `${method.toUpperCase()} ${path} x-summary-zh`)
      if (op.description !== undefined) t.match(op['x-description-zh'], /[\u4e00-\u9fff]/, `${method.toUpperCase()} ${path} x-description-zh`)
    }
  }
  t.equal(raw.info.version, '1.1.0')
})
