// The reproduce command of a signed request runs as written (issue 18): the shell snippet signs
// afresh from $SKILLGATE_SECRET with openssl and the platform accepts it; with the wrong secret the
// same snippet is refused (so the signature is really computed, not ignored). No secret or token
// value appears in the command.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { startProvider } from '../../fixtures/providers/index.js'
import { signRequest } from '../signing/index.js'
import { buildEvidence } from './evidence.js'
import { signedCurl } from './signed-curl.js'
import { toCurl } from './to-curl.js'

const run = (script: string, env: Record<string, string>) =>
  promisify(execFile)('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 })

function signedEvidence(method: string, url: string, keyId: string, secret: string, extra: Record<string, string> = {}, body?: Buffer, token?: string) {
  const headers = { ...extra, ...signRequest({ method, url, headers: extra, body, keyId, secret }) }
  return buildEvidence({ method, url, headers, body }, { status: 500, headers: {} }, token ? [secret, token] : [secret])
}

t.test('a signed GET reproduces as a runnable, self-signing command', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 20, seed: 3 })
  t.teardown(() => p.close())
  const ev = signedEvidence('GET', `${p.url}/v1/courses?limit=2&b=%2F`, p.keyId, p.secret)
  const cmd = toCurl(ev, { maxTimeSeconds: 15 })
  t.notMatch(cmd, new RegExp(p.secret), 'the secret is not in the command')
  t.match(cmd, /\$SKILLGATE_SECRET/)
  const ok = await run(cmd, { SKILLGATE_SECRET: p.secret })
  t.match(ok.stdout, /^HTTP\/1\.1 200/m, 'the platform accepts the fresh signature')
  t.match(ok.stdout, /"items":\[\{"courseId"/)
  const again = await run(cmd, { SKILLGATE_SECRET: p.secret })
  t.match(again.stdout, /^HTTP\/1\.1 200/m, 'a new nonce every run: it can be pasted twice')
  const wrong = await run(cmd, { SKILLGATE_SECRET: 'not-the-secret' })
  t.match(wrong.stdout, /^HTTP\/1\.1 401/m, 'the wrong secret is refused: the signature is real')
})

t.test('a signed POST with a tenant token and a body', async (t) => {
  const p = await startProvider({ kind: 'self-hosted', courses: 20, seed: 3 })
  t.teardown(() => p.close())
  const A = p.tenants.A
  const body = Buffer.from(JSON.stringify({ name: 'note.txt', contentType: 'text/plain; charset=utf-8', contentBase64: Buffer.from('安全用电讲义').toString('base64') }))
  const ev = signedEvidence('POST', `${p.url}/v1/tenants/${A.tenantId}/objects`, p.keyId, p.secret, { authorization: `Bearer ${A.token}`, 'content-type': 'application/json' }, body, A.token)
  const cmd = signedCurl(ev.request)
  t.ok(cmd, 'a command is built')
  t.notMatch(cmd!, new RegExp(`${p.secret}|${A.token}`), 'neither secret nor token in the command')
  t.match(cmd!, /"authorization: Bearer \$SG_TENANT_TOKEN"/)
  const r = await run(cmd!, { SKILLGATE_SECRET: p.secret, SG_TENANT_TOKEN: A.token })
  t.match(r.stdout, /^HTTP\/1\.1 201/m, 'the upload is accepted')
})

t.test('what the report cannot rebuild is not offered as runnable', async (t) => {
  const ev = signedEvidence('POST', 'http://127.0.0.1:9/v1/x', 'k1', 's3cret-value', {}, Buffer.alloc(5000, 97))
  t.equal(ev.request.bodyTruncated, true)
  t.equal(signedCurl(ev.request), undefined, 'a truncated body cannot be signed')
  t.match(toCurl(ev), /<signature: replay with skillgate reproduce/, 'the fallback says how to replay')
})
