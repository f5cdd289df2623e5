import t, { type Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { generateSigningKeys } from '../../conformance/report/json.js'
import { sampleReport } from '../../conformance/report/sample-report.test-support.js'
import { writeReports } from '../../conformance/report/write.js'
import { runCli } from '../cli.test-support.js'

async function fixture(t: Test) {
  const dir = t.testdir({})
  const keys = generateSigningKeys()
  const other = generateSigningKeys()
  await writeReports(await sampleReport(), dir, ['json'], { signing: { ...keys, keyId: 'kit' } })
  writeFileSync(join(dir, 'signer.pem'), keys.publicKeyPem)
  writeFileSync(join(dir, 'other.pem'), other.publicKeyPem)
  writeFileSync(join(dir, 'garbage.pem'), 'not a key')
  const text = readFileSync(join(dir, 'report.json'), 'utf8')
  writeFileSync(join(dir, 'tampered.json'), text.replace('"declaredSeconds": 660', '"declaredSeconds": 600'))
  writeFileSync(join(dir, 'not-a-report.json'), '{"hello":1}')
  return dir
}

t.test('report verify: 0 verified, 1 tampered / wrong key / not a report, 2 usage', async (t) => {
  const dir = await fixture(t)
  const ok = await runCli(['report', 'verify', 'report.json', '--public-key', 'signer.pem'], { cwd: dir })
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /report\.json: VERIFIED Digest matches and the signature verifies with the given key \(keyId kit\)/)
  const embedded = await runCli(['report', 'verify', 'report.json'], { cwd: dir })
  t.equal(embedded.code, 0)
  t.match(embedded.stderr, /--public-key/)
  const tampered = await runCli(['report', 'verify', 'tampered.json', '--public-key', 'signer.pem'], { cwd: dir })
  t.equal(tampered.code, 1)
  t.match(tampered.stdout, /NOT VERIFIED \[SG_ERR_REPORT_TAMPERED\] Digest mismatch/)
  const wrongKey = await runCli(['report', 'verify', 'report.json', '--public-key', 'other.pem'], { cwd: dir })
  t.equal(wrongKey.code, 1)
  t.match(wrongKey.stdout, /SG_ERR_REPORT_SIGNATURE_INVALID/)
  const notReport = await runCli(['report', 'verify', 'not-a-report.json'], { cwd: dir })
  t.equal(notReport.code, 1)
  t.match(notReport.stdout, /SG_ERR_REPORT_INVALID/)
  for (const args of [['report', 'verify'], ['report', 'verify', 'missing.json'], ['report', 'verify', 'report.json', '--public-key', 'garbage.pem'], ['report', 'verify', 'report.json', '--bogus'], ['report', 'frob'], ['report']]) {
    const r = await runCli(args, { cwd: dir })
    t.equal(r.code, 2, `${args.join(' ')} is a usage error`)
    t.match(r.stderr, /--help|SG_ERR_USAGE/)
  }
})

t.test('report render re-renders a JSON report and keeps its digest', async (t) => {
  const dir = await fixture(t)
  const r = await runCli(['report', 'render', 'report.json', '--format', 'html,md,junit', '--out', 'out'], { cwd: dir })
  t.equal(r.code, 0, r.stderr)
  t.same(r.stdout.trim().split('\n'), ['out/report.html', 'out/report.md', 'out/report.junit.xml'])
  const digest = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { integrity: { sha256: string } }).integrity.sha256
  t.ok(readFileSync(join(dir, 'out/report.html'), 'utf8').includes(digest))
  t.ok(readFileSync(join(dir, 'out/report.md'), 'utf8').includes(digest))
  t.equal(XMLValidator.validate(readFileSync(join(dir, 'out/report.junit.xml'), 'utf8')), true)
  const tampered = await runCli(['report', 'render', 'tampered.json', '--format', 'html', '--out', 'out2'], { cwd: dir })
  t.equal(tampered.code, 0)
  t.match(tampered.stderr, /warning: .*Digest mismatch/)
  t.match(readFileSync(join(dir, 'out2/report.html'), 'utf8'), /Digest mismatch/, 'the rendered page says it does not verify')
  const bad = await runCli(['report', 'render', 'report.json', '--format', 'pdf'], { cwd: dir })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown: pdf/)
  const help = await runCli(['report', '--help'])
  t.match(help.stdout, /report verify FILE \[--public-key PEM_FILE\]/)
})
