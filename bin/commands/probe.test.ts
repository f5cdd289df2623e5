// `skillgate probe` in process: exit 0 and four reports against a compliant platform, 1 against a
// defective one, 3 when the target is unreachable, 2 for usage and config errors; the config file
// is validated by its schema and reads ${ENV}; the secret only ever comes from the environment.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { startProvider } from '../../fixtures/providers/index.js'
import { runCli } from '../cli.test-support.js'

const FAST = ['--only', 'contract.pagination,catalogue.count,auth.unsigned,auth.valid-signature', '--deadline-ms', '3000']

t.test('compliant platform: exit 0, json/junit/html/md written and printed', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120 })
  t.teardown(() => p.close())
  const dir = t.testdir({})
  const r = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'SG_TEST_SECRET', '--out', 'out', ...FAST], { cwd: dir, env: { SG_TEST_SECRET: p.secret } })
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.stdout, /^PARTIAL \(the selected checks passed; not an admission verdict\): 4 pass, 0 fail/, '--only: PARTIAL, never CONFORMANT')
  for (const [format, file] of [['json', 'report.json'], ['junit', 'report.junit.xml'], ['html', 'report.html'], ['md', 'report.md']] as const) {
    t.ok(existsSync(join(dir, 'out', file)), file)
    t.match(r.stdout, new RegExp(`report \\(${format}\\): .*${file.replace('.', '\\.')}`))
  }
  const json = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'))
  t.equal(json.verdict, 'partial')
  t.equal(json.selection.passed, true)
  t.ok(json.integrity.sha256, 'sealed with a digest')
  t.notOk(readFileSync(join(dir, 'out', 'report.json'), 'utf8').includes(p.secret), 'no secret in the report')
  const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(dir, 'out', 'report.junit.xml'), 'utf8'))
  t.ok(junit.testsuites ?? junit.testsuite, 'JUnit parses')
  t.notMatch(r.stderr, /\[#/, 'no progress bar when stderr is not a terminal')
  t.match(r.stderr, /warning: SSRF_NON_PUBLIC_ALLOWED/, 'the loopback target is allowed with a warning (local mode)')
})

t.test('defective platform: exit 1 and the failing check with its requirement on stdout', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120, defects: ['too-few-courses'] })
  t.teardown(() => p.close())
  const dir = t.testdir({})
  const r = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'S', '--format', 'json', ...FAST], { cwd: dir, env: { S: p.secret } })
  t.equal(r.code, 1, r.stdout + r.stderr)
  t.match(r.stdout, /^PARTIAL \(the selected checks did not all pass/)
  t.match(r.stdout, /FAIL catalogue\.count \[R5\.1-2\]/)
  t.ok(existsSync(join(dir, 'skillgate-report', 'report.json')))
  t.notOk(existsSync(join(dir, 'skillgate-report', 'report.html')), 'only the formats asked for')
})

t.test('unreachable target: one line, exit 3', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120 })
  const url = p.loopbackUrl
  await p.close()
  const dir = t.testdir({})
  const r = await runCli(['probe', url, '--kind', 'on-demand', '--only', 'contract.service-info', '--format', 'md'], { cwd: dir, env: {} })
  t.equal(r.code, 3, r.stdout + r.stderr)
  t.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'one line')
  t.match(r.stdout, /^UNREACHABLE \[SG_ERR_PROBE_TARGET_UNREACHABLE\]: The platform at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(SG_ERR_NET_UNREACHABLE/)
  t.equal(r.stderr, '', 'nothing else')
})

t.test('config file: ${ENV} substitution, flags override, tenants reach the run', async (t) => {
  const p = await startProvider({ kind: 'self-hosted', courses: 120 })
  t.teardown(() => p.close())
  const dir = t.testdir({
    'probe.json': JSON.stringify({
      baseUrl: p.url, kind: 'self-hosted', keyId: p.keyId, secretEnv: 'SG_SECRET', formats: ['json'], deadlineMs: 3000,
      only: ['auth.valid-signature'],
      tenants: { A: { tenantId: p.tenants.A.tenantId, token: '${TOKEN_A}' }, B: { tenantId: p.tenants.B.tenantId, token: '${TOKEN_B}' } },
    }),
  })
  const env = { SG_SECRET: p.secret, TOKEN_A: p.tenants.A.token, TOKEN_B: p.tenants.B.token }
  const r = await runCli(['probe', '--config', 'probe.json'], { cwd: dir, env })
  t.equal(r.code, 0, r.stdout + r.stderr)
  const report = readFileSync(join(dir, 'skillgate-report', 'report.json'), 'utf8')
  t.notOk(report.includes(p.tenants.A.token), 'tenant tokens are scrubbed')
  const missing = await runCli(['probe', '--config', 'probe.json'], { cwd: dir, env: { SG_SECRET: p.secret } })
  t.equal(missing.code, 2)
  t.match(missing.stderr, /SG_ERR_PROBE_ENV_MISSING.*TOKEN_A.*\/tenants\/A\/token/)
})

t.test('config and usage errors exit 2 with a hint', async (t) => {
  const dir = t.testdir({
    'secret.json': JSON.stringify({ kind: 'on-demand', secret: 'literal-secret' }),
    'bad.json': '{ nope',
  })
  const literal = await runCli(['probe', 'http://127.0.0.1:9', '--config', 'secret.json'], { cwd: dir, env: {} })
  t.equal(literal.code, 2)
  t.match(literal.stderr, /SG_ERR_PROBE_CONFIG.*\/secret: expected no such property/)
  const broken = await runCli(['probe', 'http://127.0.0.1:9', '--config', 'bad.json'], { cwd: dir, env: {} })
  t.equal(broken.code, 2)
  t.match(broken.stderr, /SG_ERR_PROBE_CONFIG.*not JSON/)
  const noKind = await runCli(['probe', 'http://127.0.0.1:9'], { cwd: dir, env: {} })
  t.equal(noKind.code, 2)
  t.match(noKind.stderr, /^skillgate probe: --kind is required.*\(see 'skillgate probe --help'\)\n$/, 'one line with the hint')
  const noSecret = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--key-id', 'k', '--secret-env', 'NOPE'], { cwd: dir, env: {} })
  t.equal(noSecret.code, 2)
  t.match(noSecret.stderr, /SG_ERR_PROBE_ENV_MISSING.*NOPE/)
  const both = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--sample', '3', '--all-media'], { cwd: dir, env: {} })
  t.equal(both.code, 2)
  const method = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--media-method', 'guess'], { cwd: dir, env: {} })
  t.equal(method.code, 2)
  t.match(method.stderr, /--media-method takes index or ffprobe, got 'guess'/)
  const referee = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--referee', '-1'], { cwd: dir, env: {} })
  t.equal(referee.code, 2)
  t.match(referee.stderr, /--referee/)
  const flag = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--bogus'], { cwd: dir, env: {} })
  t.equal(flag.code, 2)
  t.match(flag.stderr, /--bogus/)
  const unknownCheck = await runCli(['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--only', 'nope.check'], { cwd: dir, env: {} })
  t.equal(unknownCheck.code, 2)
  t.match(unknownCheck.stderr, /unknown check id\(s\) nope\.check/)
  const help = await runCli(['probe', '--help'])
  t.match(help.stdout, /--secret-env VAR/)
})

t.test('on a terminal, progress is a bar redrawn in place on stderr (bin/progress.test.ts covers pipes)', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 120 })
  t.teardown(() => p.close())
  const { PassThrough } = await import('node:stream')
  const { main } = await import('../cli.js')
  const out = new PassThrough()
  const err = Object.assign(new PassThrough(), { isTTY: true })
  const chunks: Buffer[] = []
  err.on('data', (c: Buffer) => chunks.push(c))
  out.resume()
  const code = await main(['probe', p.url, '--kind', 'on-demand', '--only', 'auth.unsigned', '--format', 'json', '--out', t.testdir({})], { stdout: out, stderr: err, env: {}, cwd: process.cwd() })
  t.equal(code, 0)
  t.match(Buffer.concat(chunks).toString(), /\r\[-{24}\] 0\/1 checks · running auth\.unsigned.*\r\[#{24}\] 1\/1 checks/s)
})
