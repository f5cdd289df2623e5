// Builds the published SG-SIGNATURE-V1 test vectors. Run once and commit the output:
//   node --import tsx specs/signing/generate-vectors.ts --write
// vectors.test.ts recomputes every vector with the implementation, so vectors.json cannot drift.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bodyBytes, sha256Hex, signRequestDetailed, SIGNATURE_HEADERS } from '../../conformance/signing/index.js'
import type { SignatureAlgorithm } from '../../conformance/signing/index.js'

export type VectorBody = null | { encoding: 'utf-8'; text: string } | { encoding: 'base64'; data: string }

export interface VectorRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: VectorBody
}

export interface SigningVector {
  id: string
  description: { 'zh-CN': string; en: string }
  request: VectorRequest
  keyId: string
  secret: string
  algorithm: SignatureAlgorithm
  timestamp: number
  nonce: string
  expected: {
    bodySha256: string
    canonicalRequest: string
    stringToSign: string
    signature: string
    headers: Record<string, string>
  }
}

export type VerificationOutcome = { outcome: 'accept'; keyId: string } | { outcome: 'reject'; code: string }

export interface VerificationCase {
  id: string
  description: { 'zh-CN': string; en: string }
  request: VectorRequest
  verifier: {
    now: number
    windowSeconds: number
    keys: Record<string, string>
    acceptedAlgorithms: SignatureAlgorithm[]
    seenNonces: Array<{ keyId: string; nonce: string }>
  }
  expected: VerificationOutcome
}

export interface VectorsFile {
  $schema: string
  scheme: 'SG-SIGNATURE-V1'
  version: string
  note: { 'zh-CN': string; en: string }
  vectors: SigningVector[]
  verificationCases: VerificationCase[]
}

export const VECTORS_SCHEMA_ID = 'https://skillgate.example.cn/spec/v1/signing/vectors.schema.json'

// 2026-01-01T00:00:00+08:00
const T = 1767196800
const KEY_ID = 'sg-test-provider-01'
const SECRET = 'sgtest_7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4'
const UTF8_SECRET = 'sgtest-测试密钥-2026'
const HOST = 'api.provider.example.cn'

export const bodyOf = (b: VectorBody): Buffer | undefined =>
  b === null ? undefined : b.encoding === 'utf-8' ? Buffer.from(b.text, 'utf8') : Buffer.from(b.data, 'base64')

type VectorInput = Omit<SigningVector, 'expected'>

const inputs: VectorInput[] = [
  {
    id: 'get-chinese-query',
    description: {
      'zh-CN': 'GET，查询串含中文与重复键；查询参数解码后按 RFC 3986 重新编码，先按键、再按值排序。',
      en: 'GET with a Chinese query and a repeated key; parameters are decoded, re-encoded per RFC 3986 and sorted by key, then value.',
    },
    request: { method: 'GET', url: `https://${HOST}/v1/courses?q=电工&page=2&a=1&a=0`, headers: {}, body: null },
    keyId: KEY_ID, secret: SECRET, algorithm: 'HMAC-SHA256', timestamp: T, nonce: 'n0nce-get-chinese-query-01',
  },
  {
    id: 'post-json-chinese',
    description: {
      'zh-CN': 'POST，JSON 请求体含中文；对请求体的原始 UTF-8 字节做 SHA-256，签名后不得重新序列化。',
      en: 'POST with a JSON body in Chinese; SHA-256 covers the exact UTF-8 bytes, which must not be re-serialised after signing.',
    },
    request: {
      method: 'POST',
      url: `https://${HOST}/v1/tenants/tenant-a/objects`,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { encoding: 'utf-8', text: '{"title":"电工基础（第一课）","lang":"zh-CN","durationSeconds":660}' },
    },
    keyId: KEY_ID, secret: SECRET, algorithm: 'HMAC-SHA256', timestamp: T + 1, nonce: 'n0nce-post-json-chinese-01',
  },
  {
    id: 'delete-empty-body',
    description: {
      'zh-CN': 'DELETE，无请求体（使用空串的 SHA-256）；非默认端口 8443 保留在 host 中；密钥含中文，按 UTF-8 字节使用。',
      en: 'DELETE without a body (SHA-256 of the empty string); the non-default port 8443 stays in the host; the secret has Chinese characters and is used as its UTF-8 bytes.',
    },
    request: { method: 'DELETE', url: `https://${HOST}:8443/v1/tenants/tenant-a/objects/obj-0001`, headers: {}, body: null },
    keyId: 'sg-test-provider-02', secret: UTF8_SECRET, algorithm: 'HMAC-SHA256', timestamp: T + 2, nonce: 'n0nce-delete-empty-body-01',
  },
  {
    id: 'get-hmac-sm3',
    description: {
      'zh-CN': '使用可选算法 HMAC-SM3 的 GET；规范请求与 SHA-256 相同，仅 MAC 算法不同。',
      en: 'GET signed with the optional HMAC-SM3; the canonical request is built as for SHA-256, only the MAC differs.',
    },
    request: { method: 'GET', url: `https://${HOST}/v1/service-info`, headers: {}, body: null },
    keyId: KEY_ID, secret: SECRET, algorithm: 'HMAC-SM3', timestamp: T + 3, nonce: 'n0nce-get-hmac-sm3-000001',
  },
  {
    id: 'request-target-normalisation',
    description: {
      'zh-CN': '只有路径与查询（request-target）加 Host 请求头：小写的 %e7 规范为大写，%7E 解码为 ~，%2F 保留，+ 是字面加号（编码为 %2B），无值的键写作 "empty="，Host 转小写并去掉 :443。',
      en: 'A bare request-target plus a Host header: lower-case %e7 becomes upper-case, %7E decodes to ~, %2F is kept, + is a literal plus (%2B), a key without a value becomes "empty=", and the host is lower-cased with :443 dropped.',
    },
    request: {
      method: 'get',
      url: '/v1/courses/%e7%94%b5%E5%B7%A5%7e/a%2Fb/preview?x=a+b&empty&y=%2f&&z=(1)',
      headers: { host: 'API.Provider.Example.CN:443' },
      body: null,
    },
    keyId: KEY_ID, secret: SECRET, algorithm: 'HMAC-SHA256', timestamp: T + 4, nonce: 'n0nce-request-target-norm-01',
  },
]

function computeVector(v: VectorInput): SigningVector {
  const signed = signRequestDetailed({
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
  return {
    ...v,
    expected: {
      bodySha256: sha256Hex(bodyBytes(bodyOf(v.request.body))),
      canonicalRequest: signed.canonicalRequest,
      stringToSign: signed.stringToSign,
      signature: signed.headers[SIGNATURE_HEADERS.signature]!,
      headers: signed.headers,
    },
  }
}

const sentRequest = (v: SigningVector): VectorRequest => ({ ...v.request, headers: { ...v.request.headers, ...v.expected.headers } })

function verificationCases(vectors: SigningVector[]): VerificationCase[] {
  const byId = (id: string): SigningVector => vectors.find((v) => v.id === id)!
  const post = byId('post-json-chinese')
  const get = byId('get-chinese-query')
  const sm3 = byId('get-hmac-sm3')
  const keys = { [KEY_ID]: SECRET, 'sg-test-provider-02': UTF8_SECRET }
  const verifier = (over: Partial<VerificationCase['verifier']> = {}): VerificationCase['verifier'] => ({
    now: post.timestamp, windowSeconds: 300, keys, acceptedAlgorithms: ['HMAC-SHA256', 'HMAC-SM3'], seenNonces: [], ...over,
  })
  const withHeaders = (v: SigningVector, patch: Record<string, string | undefined>): VectorRequest => {
    const req = sentRequest(v)
    const headers: Record<string, string> = {}
    for (const [k, val] of Object.entries({ ...req.headers, ...patch })) if (val !== undefined) headers[k] = val
    return { ...req, headers }
  }
  const reject = (code: string): VerificationOutcome => ({ outcome: 'reject', code })
  const wrongSecret = computeVector({ ...post, secret: 'sgtest_not-the-registered-secret' })
  return [
    ...vectors.map((v): VerificationCase => ({
      id: `accept-${v.id}`,
      description: { 'zh-CN': `正向向量 ${v.id} 在其签名时刻校验通过。`, en: `Positive vector ${v.id} verifies at its own timestamp.` },
      request: sentRequest(v),
      verifier: verifier({ now: v.timestamp }),
      expected: { outcome: 'accept', keyId: v.keyId },
    })),
    {
      id: 'accept-skew-300s-old',
      description: { 'zh-CN': '时间戳恰好早 300 秒：仍在窗口内（边界包含）。', en: 'Timestamp exactly 300 s old: still inside the window (bounds inclusive).' },
      request: sentRequest(post), verifier: verifier({ now: post.timestamp + 300 }), expected: { outcome: 'accept', keyId: KEY_ID },
    },
    {
      id: 'reject-stale-timestamp',
      description: { 'zh-CN': '时间戳早 301 秒：超出 ±300 秒窗口。', en: 'Timestamp 301 s old: outside the ±300 s window.' },
      request: sentRequest(post), verifier: verifier({ now: post.timestamp + 301 }), expected: reject('SG_ERR_SIG_STALE'),
    },
    {
      id: 'reject-future-timestamp',
      description: { 'zh-CN': '时间戳晚 301 秒（客户端时钟超前）。', en: 'Timestamp 301 s in the future (client clock ahead).' },
      request: sentRequest(post), verifier: verifier({ now: post.timestamp - 301 }), expected: reject('SG_ERR_SIG_STALE'),
    },
    {
      id: 'reject-replayed-nonce',
      description: { 'zh-CN': '签名正确，但该随机数已在窗口内被同一密钥使用过。', en: 'A valid signature whose nonce was already used with the same key within the window.' },
      request: sentRequest(post), verifier: verifier({ seenNonces: [{ keyId: KEY_ID, nonce: post.nonce }] }), expected: reject('SG_ERR_SIG_REPLAY'),
    },
    {
      id: 'accept-nonce-seen-under-other-key',
      description: { 'zh-CN': '随机数按密钥隔离：另一密钥用过同一随机数不构成重放。', en: 'Nonces are scoped per key: the same nonce used by another key is not a replay.' },
      request: sentRequest(post), verifier: verifier({ seenNonces: [{ keyId: 'sg-test-provider-02', nonce: post.nonce }] }), expected: { outcome: 'accept', keyId: KEY_ID },
    },
    {
      id: 'reject-unknown-key-id',
      description: { 'zh-CN': '接收方不认识该密钥标识（未签发或已吊销）。', en: 'The receiver does not know the key id (never issued or revoked).' },
      request: sentRequest(post), verifier: verifier({ keys: { 'sg-test-provider-02': UTF8_SECRET } }), expected: reject('SG_ERR_SIG_UNKNOWN_KEY'),
    },
    {
      id: 'reject-wrong-secret',
      description: { 'zh-CN': '密钥标识正确，但用错误的密钥签名。', en: 'Right key id, signed with the wrong secret.' },
      request: sentRequest(wrongSecret), verifier: verifier(), expected: reject('SG_ERR_SIG_MISMATCH'),
    },
    {
      id: 'reject-tampered-body',
      description: { 'zh-CN': '签名后请求体被改动（课时时长 660 改为 600）。', en: 'The body was changed after signing (duration 660 → 600).' },
      request: { ...sentRequest(post), body: { encoding: 'utf-8', text: '{"title":"电工基础（第一课）","lang":"zh-CN","durationSeconds":600}' } },
      verifier: verifier(), expected: reject('SG_ERR_SIG_MISMATCH'),
    },
    {
      id: 'reject-tampered-query',
      description: { 'zh-CN': '签名后查询参数被改动（page=2 改为 page=3）。', en: 'The query was changed after signing (page=2 → page=3).' },
      request: { ...sentRequest(get), url: get.request.url.replace('page=2', 'page=3') },
      verifier: verifier({ now: get.timestamp }), expected: reject('SG_ERR_SIG_MISMATCH'),
    },
    {
      id: 'reject-missing-header',
      description: { 'zh-CN': '缺少 X-SG-Nonce 请求头。', en: 'The X-SG-Nonce header is missing.' },
      request: withHeaders(post, { [SIGNATURE_HEADERS.nonce]: undefined }), verifier: verifier(), expected: reject('SG_ERR_SIG_MISSING'),
    },
    {
      id: 'reject-malformed-nonce',
      description: { 'zh-CN': '随机数只有 8 个字符（至少 16 个）。', en: 'The nonce has 8 characters (at least 16 required).' },
      request: withHeaders(post, { [SIGNATURE_HEADERS.nonce]: 'short-nc' }), verifier: verifier(), expected: reject('SG_ERR_SIG_MALFORMED'),
    },
    {
      id: 'reject-timestamp-in-milliseconds',
      description: { 'zh-CN': '时间戳误用毫秒。', en: 'The timestamp was sent in milliseconds.' },
      request: withHeaders(post, { [SIGNATURE_HEADERS.timestamp]: `${post.timestamp}000` }), verifier: verifier(), expected: reject('SG_ERR_SIG_STALE'),
    },
    {
      id: 'reject-unsupported-algorithm',
      description: { 'zh-CN': '算法 HMAC-SHA1 不被接受。', en: 'Algorithm HMAC-SHA1 is not accepted.' },
      request: withHeaders(post, { [SIGNATURE_HEADERS.algorithm]: 'HMAC-SHA1' }), verifier: verifier(), expected: reject('SG_ERR_SIG_ALGORITHM'),
    },
    {
      id: 'reject-sm3-where-not-supported',
      description: { 'zh-CN': '接收方只支持 HMAC-SHA256 时，HMAC-SM3 签名被拒绝。', en: 'A receiver that accepts only HMAC-SHA256 rejects an HMAC-SM3 signature.' },
      request: sentRequest(sm3), verifier: verifier({ now: sm3.timestamp, acceptedAlgorithms: ['HMAC-SHA256'] }), expected: reject('SG_ERR_SIG_ALGORITHM'),
    },
    {
      id: 'order-stale-before-mismatch',
      description: { 'zh-CN': '时间戳过期且请求体被改动：先报告时间戳（校验顺序）。', en: 'Stale and tampered: the timestamp is reported first (check order).' },
      request: { ...sentRequest(post), body: { encoding: 'utf-8', text: '{}' } }, verifier: verifier({ now: post.timestamp + 301 }), expected: reject('SG_ERR_SIG_STALE'),
    },
    {
      id: 'order-mismatch-before-replay',
      description: {
        'zh-CN': '伪造签名携带已用过的随机数：报告签名不符而不是重放，且不记录随机数。',
        en: 'A forged signature carrying a used nonce: reported as a mismatch, not a replay, and the nonce is not recorded.',
      },
      request: sentRequest(wrongSecret), verifier: verifier({ seenNonces: [{ keyId: KEY_ID, nonce: post.nonce }] }), expected: reject('SG_ERR_SIG_MISMATCH'),
    },
  ]
}

export function buildVectors(): VectorsFile {
  const vectors = inputs.map(computeVector)
  return {
    $schema: VECTORS_SCHEMA_ID,
    scheme: 'SG-SIGNATURE-V1',
    version: '1.0.0',
    note: {
      'zh-CN': '测试密钥仅用于验证实现，切勿在生产中使用。时间戳为 Unix 秒；verifier.now 为校验方当时的 Unix 秒。',
      en: 'Test secrets only, never use them in production. Timestamps are Unix seconds; verifier.now is the verifier clock in Unix seconds.',
    },
    vectors,
    verificationCases: verificationCases(vectors),
  }
}

export const vectorsPath = fileURLToPath(new URL('./vectors.json', import.meta.url))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(buildVectors(), null, 2)}\n`
  if (process.argv.includes('--write')) writeFileSync(vectorsPath, text)
  else process.stdout.write(text)
}
