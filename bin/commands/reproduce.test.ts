// `skillgate reproduce` replays a failed check's request from a real report, signed afresh with the
// engineer's key, and prints a shell command with $VARIABLES in place of secrets (issue 18).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startProvider } from '../../fixtures/providers/index.js'
import { runCli } from '../cli.test-support.js'

t.test('replay a failed signed request from a probe report', async (t) => {
  const p = await startProvider({ kind: 'on-demand', courses: 30, seed: 4, defects: ['schema-drift'] })
  const dir = await mkdtemp(join(tmpdir(), 'sg-reproduce-'))
  t.teardown(async () => { await p.close(); await rm(dir, { recursive: true, force: true }) })
  const env = { ...process.env, MY_SECRET: p.secret }
  const probe = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'MY_SECRET', '--out', 'rep', '--format', 'json', '--only', 'contract.catalogue-pages'], { cwd: dir, env })
  t.equal(probe.code, 1, 'the schema-drift twin fails')
  t.match(probe.stdout, /FAIL contract\.catalogue-pages/)

  const r = await runCli(['reproduce', 'rep/report.json', 'contract.catalogue-pages', '--key-id', p.keyId, '--secret-env', 'MY_SECRET'], { cwd: dir, env })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /replaying GET http:\/\/127\.0\.0\.1:\d+\/v1\/courses.* \(signed afresh\)/)
  t.match(r.stdout, /^HTTP 200\n/, 'the platform accepted the fresh signature')
  t.match(r.stdout, /"items":\[/, 'the answer that failed the check is shown')
  t.notMatch(r.stdout, /lessonCount/, 'the schema-drift defect is visible: summaries lack lessonCount')
  t.match(r.stdout, /equivalent command:\n# Signed request[^\n]*\nts=\$\(date \+%s\)/, 'the equivalent command signs in the shell')
  t.match(r.stdout, /-hmac "\$MY_SECRET"/, 'with the secret as the variable the user named')
  t.notMatch(r.stdout + r.stderr, new RegExp(p.secret), 'the secret value never appears')

  const noKey = await runCli(['reproduce', 'rep/report.json', 'contract.catalogue-pages'], { cwd: dir, env })
  t.equal(noKey.code, 2)
  t.match(noKey.stderr, /the request was signed: pass --key-id ID --secret-env VAR/)
  const unset = await runCli(['reproduce', 'rep/report.json', 'contract.catalogue-pages', '--key-id', p.keyId, '--secret-env', 'NOT_SET_ANYWHERE'], { cwd: dir, env })
  t.equal(unset.code, 2)
  t.match(unset.stderr, /--secret-env NOT_SET_ANYWHERE: the variable is not set/)
  const unknown = await runCli(['reproduce', 'rep/report.json', 'no.such-check'], { cwd: dir, env })
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /the report has no check 'no\.such-check'; it has: .*contract\.catalogue-pages/)
  const wrongIndex = await runCli(['reproduce', 'rep/report.json', 'contract.catalogue-pages', '--request', '99', '--key-id', p.keyId, '--secret-env', 'MY_SECRET'], { cwd: dir, env })
  t.equal(wrongIndex.code, 2)
  t.match(wrongIndex.stderr, /--request takes 1\.\.\d+/)
})

t.test('failures no single request shows still carry a command that runs', async (t) => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const { readFile } = await import('node:fs/promises')
  const p = await startProvider({ kind: 'on-demand', courses: 30, seed: 4, defects: ['free-share-40', 'preview-declared-600-media-300'] })
  const dir = await mkdtemp(join(tmpdir(), 'sg-reproduce-'))
  t.teardown(async () => { await p.close(); await rm(dir, { recursive: true, force: true }) })
  const env = { ...process.env, SKILLGATE_SECRET: p.secret }
  const probe = await runCli(['probe', p.url, '--kind', 'on-demand', '--key-id', p.keyId, '--secret-env', 'SKILLGATE_SECRET', '--out', 'rep', '--format', 'json',
    '--only', 'catalogue.free-share,preview.media-duration', '--sample', '3', '--media-method', 'index'], { cwd: dir, env })
  t.equal(probe.code, 1, probe.stderr)
  const report = JSON.parse(await readFile(join(dir, 'rep', 'report.json'), 'utf8')) as { results: Array<{ checkId: string; status: string; reproduce?: string }> }
  const share = report.results.find((r) => r.checkId === 'catalogue.free-share')!
  t.equal(share.status, 'fail')
  t.equal(share.reproduce, `skillgate probe '${p.url}' --kind on-demand --key-id '${p.keyId}' --secret-env SKILLGATE_SECRET --only catalogue.free-share --format json,md`, 'R5.1-4: the share is re-measured by rerunning the check alone')
  const rerun = await runCli(share.reproduce!.split(' ').slice(1).map((a) => a.replace(/^'|'$/g, '')).concat(['--out', 'again']), { cwd: dir, env })
  t.equal(rerun.code, 1, 'the rerun command runs and fails the same way')
  t.match(rerun.stdout, /FAIL catalogue\.free-share \[R5\.1-4\]/)
  const shown = await runCli(['reproduce', 'rep/report.json', 'catalogue.free-share'], { cwd: dir, env })
  t.match(shown.stdout, /recorded no HTTP request to replay; its reproduce line:\nskillgate probe /)

  const media = report.results.find((r) => r.checkId === 'preview.media-duration')!
  t.equal(media.status, 'fail')
  t.match(media.reproduce, /^ffprobe -v error .* '(http:\/\/[^']+)'$/, 'R5.1-3: the media failure gives the ffprobe command')
  const { stdout } = await promisify(execFile)('bash', ['-c', media.reproduce!], { timeout: 60_000 })
  const duration = Number(/duration=([\d.]+)/.exec(stdout.split('\n').find((l) => l.startsWith('format')) ?? '')?.[1])
  t.ok(duration > 290 && duration < 310, `ffprobe by hand shows the 300 s the check measured (${duration})`)
})
