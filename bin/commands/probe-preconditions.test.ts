// `skillgate probe` on each precondition path (issue 15): the terminal names the root cause once,
// with the checks it stopped, and the exit code says whose it is to fix: wrong secret 3 ("check
// --key-id/--secret-env"), no key 2, missing tenant config 2, unreachable one line 3, 401 to
// everything 1 (its unsigned refusal is off-contract) with the signed checks unjudged. And no
// output of a run ever shows a secret or token, raw or encoded (terminal, JSON, JUnit, HTML,
// Markdown, the curl reproduce commands).
import t, { type Test } from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startProvider } from '../../fixtures/providers/index.js'
import { encodedForms } from '../../conformance/net/scrub.js'
import { start401Everywhere } from '../../conformance/probe-preconditions.test-support.js'
import { runCli, type CliRun } from '../cli.test-support.js'

const SIGNED = 'contract.service-info,contract.pagination,catalogue.count,service.contact,auth.valid-signature,auth.unsigned'

t.test('wrong secret: exit 3, one ERROR line naming SG_ERR_PROBE_UNAUTHORISED and "check --key-id/--secret-env"; no misleading code', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120 })
  t.teardown(() => p.close())
  const r = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'S', '--only', SIGNED, '--format', 'json'], { cwd: t.testdir({}), env: { S: 'wrong-secret-value-0001' } })
  t.equal(r.code, 1, 'a partial run whose selected checks did not pass exits 1')
  const full = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'S', '--format', 'json'], { cwd: t.testdir({}), env: { S: 'wrong-secret-value-0001' } })
  t.equal(full.code, 3, `the full run cannot decide: exit 3\n${full.stdout}`)
  t.match(full.stdout, /^ERROR: 1 pass, 0 fail/)
  const errorLines = full.stdout.split('\n').filter((l) => l.startsWith('  ERROR'))
  t.equal(errorLines.length, 1, 'the root cause is printed once')
  t.match(errorLines[0], /ERROR \d+ checks \(contract\.service-info, .*\) SG_ERR_PROBE_UNAUTHORISED: Signed requests are refused: .* Check --key-id\/--secret-env/)
  t.notMatch(full.stdout, /FAIL|SG_ERR_SERVICE_CONTACT_MISSING|SG_ERR_LOCATION_UNDECLARED_HOST/, 'no dependent check fails with its own code')
})

t.test('no key: a full run exits 2 with SG_ERR_PROBE_NO_KEY; auth.unsigned alone (needs no key) exits 0', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120 })
  t.teardown(() => p.close())
  const r = await runCli(['probe', p.url, '--kind', 'on-demand', '--format', 'json'], { cwd: t.testdir({}), env: {} })
  t.equal(r.code, 2, r.stdout)
  t.match(r.stdout, /ERROR \d+ checks .* SG_ERR_PROBE_NO_KEY: No signing key: this check needs signed requests; give --key-id and --secret-env/)
  t.notMatch(r.stdout, /FAIL/)
  const unsigned = await runCli(['probe', p.url, '--kind', 'on-demand', '--only', 'auth.unsigned', '--format', 'json'], { cwd: t.testdir({}), env: {} })
  t.equal(unsigned.code, 0, unsigned.stdout)
})

t.test('missing tenant config on a self-hosted platform: exit 2 with SG_ERR_CHECK_TENANTS_MISSING', async (t) => {
  const p = await startProvider({ kind: 'self-hosted', courses: 120 })
  t.teardown(() => p.close())
  const r = await runCli(['probe', p.url, '--kind', 'self-hosted', '--key-id', p.keyId, '--secret-env', 'S', '--only', 'selfhosted.privacy-anonymous,selfhosted.privacy-cross-tenant', '--format', 'json'], { cwd: t.testdir({}), env: { S: p.secret } })
  t.equal(r.code, 2, r.stdout)
  t.match(r.stdout, /ERROR 2 checks \(selfhosted\.privacy-anonymous, selfhosted\.privacy-cross-tenant\) SG_ERR_CHECK_TENANTS_MISSING: Sandbox tenant A and B missing/)
})

t.test('401 to everything: exit 1 on the observed off-contract refusal; the signed checks report the root cause', async (t) => {
  const server = await start401Everywhere(t)
  const r = await runCli(['probe', server.url, '--kind', 'on-demand', '--key-id', 'k', '--secret-env', 'S', '--format', 'json'], { cwd: t.testdir({}), env: { S: 'some-secret-value-99' } })
  t.equal(r.code, 1, r.stdout)
  t.match(r.stdout, /FAIL auth\.unsigned \[R7\]/)
  t.match(r.stdout, /ERROR \d+ checks .* SG_ERR_PROBE_UNAUTHORISED: .*answered 401 SG_ERR_SIG_MISMATCH\. Check --key-id\/--secret-env/)
  t.equal(r.stdout.split('\n').filter((l) => l.startsWith('  FAIL')).length, 1, 'no other check fails')
})

/** Everything a run left for a person: the terminal and every report file. */
function outputs(run: CliRun, dir?: string): Record<string, string> {
  const out: Record<string, string> = { stdout: run.stdout, stderr: run.stderr }
  if (dir) for (const f of readdirSync(dir)) out[f] = readFileSync(join(dir, f), 'utf8')
  return out
}

function assertNoSecret(t: Test, where: Record<string, string>, secrets: Record<string, string>): void {
  for (const [label, secret] of Object.entries(secrets)) {
    for (const form of encodedForms(secret)) {
      for (const [name, text] of Object.entries(where)) t.notOk(text.includes(form), `${label} (${form === secret ? 'raw' : 'encoded'}) not in ${name}`)
    }
  }
}

t.test('no secret or token in any output: config error, wrong secret, refused tenant token (terminal, JSON, JUnit, HTML, Markdown, curl)', async (t) => {
  const p = await startProvider({ kind: 'self-hosted', courses: 120 })
  t.teardown(() => p.close())
  const secrets = { secret: p.secret, tokenA: p.tenants.A.token, tokenB: p.tenants.B.token, wrongSecret: 'wrong-secret-for-grep-77', wrongTokenB: 'wrong-token-for-grep-88' }
  const config = (o: { concurrency?: string; tokenB?: string } = {}) => JSON.stringify({
    baseUrl: p.url, kind: 'self-hosted', keyId: p.keyId, secretEnv: 'SG_SECRET',
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    tenants: { A: { tenantId: p.tenants.A.tenantId, token: '${TOKEN_A}' }, B: { tenantId: p.tenants.B.tenantId, token: o.tokenB ?? '${TOKEN_B}' } },
  })
  const dir = t.testdir({ 'bad.json': config({ concurrency: '${TOKEN_A}' }), 'good.json': config(), 'wrong-b.json': config({ tokenB: '${WRONG_B}' }) })
  const env = { SG_SECRET: p.secret, TOKEN_A: p.tenants.A.token, TOKEN_B: p.tenants.B.token, WRONG_B: secrets.wrongTokenB }

  const bad = await runCli(['probe', '--config', 'bad.json'], { cwd: dir, env })
  t.equal(bad.code, 2, 'a config error exits 2')
  t.match(bad.stderr, /SG_ERR_PROBE_CONFIG.*at \/concurrency: expected .*found .*\$\{TOKEN_A\}/, 'the variable is named, not its value')
  assertNoSecret(t, outputs(bad), secrets)

  const wrong = await runCli(['probe', '--config', 'good.json', '--out', 'wrong'], { cwd: dir, env: { ...env, SG_SECRET: secrets.wrongSecret } })
  t.equal(wrong.code, 3, wrong.stdout)
  assertNoSecret(t, outputs(wrong, join(dir, 'wrong')), secrets)

  const only = 'selfhosted.privacy-anonymous,selfhosted.privacy-cross-tenant,selfhosted.retain-until'
  const refused = await runCli(['probe', '--config', 'wrong-b.json', '--out', 'refused', '--only', only], { cwd: dir, env })
  t.equal(refused.code, 1, refused.stdout)
  const files = outputs(refused, join(dir, 'refused'))
  t.match(files['report.json'], /curl .*-H \\"authorization: Bearer \$SG_TENANT_TOKEN\\"/, 'the reproduce command carries the token as $SG_TENANT_TOKEN')
  t.match(files['report.json'], /SG_ERR_PROBE_TENANT_REFUSED/)
  t.same(Object.keys(files).sort(), ['report.html', 'report.json', 'report.junit.xml', 'report.md', 'stderr', 'stdout'])
  assertNoSecret(t, files, secrets)
})
