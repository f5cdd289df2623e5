// The published vectors are the contract other-language implementations test against (R7): every
// vector is recomputed here, so neither vectors.json nor the implementation can drift silently.
import { readFileSync } from 'node:fs'
import t from 'tap'
import {
  canonicalRequest,
  MemoryNonceStore,
  SIGNATURE_HEADERS,
  signRequestDetailed,
  verifyRequest,
} from '../../conformance/signing/index.js'
import { isSkillgateError } from '../lib/errors.js'
import { schemas } from '../lib/schemas.js'
import { bodyOf, buildVectors, vectorsPath } from './generate-vectors.js'
import type { VectorsFile } from './generate-vectors.js'

const published = JSON.parse(readFileSync(vectorsPath, 'utf8')) as VectorsFile

t.test('vectors.json validates against its schema in the strict registry', async (t) => {
  const registry = schemas()
  t.equal(registry.file('vectors')?.id, published.$schema, 'vectors.json names its schema by $id')
  const ok = registry.validate('vectors', published)
  t.ok(ok.ok, 'published file validates', { errors: ok.errors })
  const broken = structuredClone(published)
  broken.vectors[0]!.nonce = 'short'
  t.notOk(registry.validate('vectors', broken).ok, 'a vector with a 5-character nonce is refused')
})

t.test('vectors.json is exactly what the generator produces', async (t) => {
  t.same(published, buildVectors())
})

t.test('the vectors cover what the spec promises', async (t) => {
  const ids = published.vectors.map((v) => v.id)
  for (const id of ['get-chinese-query', 'post-json-chinese', 'delete-empty-body', 'get-hmac-sm3']) t.ok(ids.includes(id), id)
  const codes = new Set(published.verificationCases.flatMap((c) => (c.expected.outcome === 'reject' ? [c.expected.code] : [])))
  for (const code of ['SG_ERR_SIG_STALE', 'SG_ERR_SIG_REPLAY', 'SG_ERR_SIG_UNKNOWN_KEY', 'SG_ERR_SIG_MISMATCH', 'SG_ERR_SIG_MISSING', 'SG_ERR_SIG_ALGORITHM']) {
    t.ok(codes.has(code), `a negative case expects ${code}`)
  }
})

t.test('every vector recomputes with the implementation', async (t) => {
  for (const v of published.vectors) {
    t.test(v.id, async (t) => {
      const got = signRequestDetailed({
        method: v.request.method,
        url: v.request.url,
        headers: v.request.headers,
        body: bodyOf(v.request.body),
        keyId: v.keyId,
        secret: v.secret,
        algorithm: v.algorithm,
        now: v.timestamp * 1000,
        nonce: v.nonce,
      })
      t.equal(got.canonicalRequest, v.expected.canonicalRequest, 'canonical request')
      t.equal(got.stringToSign, v.expected.stringToSign, 'string to sign')
      t.equal(got.headers[SIGNATURE_HEADERS.signature], v.expected.signature, 'signature')
      t.same(got.headers, v.expected.headers, 'headers')
      t.equal(v.expected.canonicalRequest.split('\n').at(-1), v.expected.bodySha256, 'the last canonical line is the body hash')
    })
  }
})

t.test('the Chinese query canonicalises the same whether sent raw or percent-encoded', async (t) => {
  const v = published.vectors.find((x) => x.id === 'get-chinese-query')!
  const meta = { keyId: v.keyId, timestamp: v.timestamp, nonce: v.nonce }
  const encoded = new URL(v.request.url).href
  t.not(encoded, v.request.url, 'WHATWG URL did percent-encode it')
  t.equal(canonicalRequest({ method: 'GET', url: encoded }, meta), v.expected.canonicalRequest)
})

t.test('every verification case gets its expected outcome', async (t) => {
  for (const c of published.verificationCases) {
    t.test(c.id, async (t) => {
      const nonceStore = new MemoryNonceStore({ now: () => c.verifier.now * 1000 })
      for (const s of c.verifier.seenNonces) t.ok(await nonceStore.checkAndStore(s.keyId, s.nonce, (c.verifier.now + 600) * 1000))
      const run = verifyRequest(
        { method: c.request.method, url: c.request.url, headers: c.request.headers, body: bodyOf(c.request.body) },
        {
          lookupSecret: (id) => c.verifier.keys[id],
          nonceStore,
          now: c.verifier.now * 1000,
          windowSeconds: c.verifier.windowSeconds,
          algorithms: c.verifier.acceptedAlgorithms,
        },
      )
      if (c.expected.outcome === 'accept') {
        t.match(await run, { keyId: c.expected.keyId })
      } else {
        const err = await run.then(() => undefined, (e: unknown) => e)
        t.ok(isSkillgateError(err), 'throws a SkillgateError')
        t.match(err, { code: c.expected.code, statusCode: 401 })
      }
    })
  }
})
