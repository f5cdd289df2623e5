// `skillgate check-package` in-process: exit codes, report files, and a hostile zip reported as a
// failed package.archive check with its own SG_ERR_ZIP_* code and fix text (exit 1). The whole
// hostile corpus, each zip with its code, fix text and no partial state, is proven on the reader
// (conformance/package/zip-reader.test.ts); the CLI turns any refusal into a report the same way,
// so a handful from different stages of the reader is run here (issue #19: the suite runs it once).
import t from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { generatePackage } from '../../fixtures/packages/generate.js'
import { hostileZip, type HostileZipName } from '../../fixtures/zips/hostile.js'
import { HOSTILE_ZIP_CODES } from '../../fixtures/zips/expected-codes.js'
import { errorCodes } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import { runCli } from '../cli.test-support.js'

const SKIP_MEDIA = ['--skip', 'package.media,package.preview']

/** One refusal per stage of the reader: names, declared sizes, EOCD count, magic, CRC while inflating, content sniffing, manifest. */
const CLI_HOSTILE: readonly HostileZipName[] = ['traversal-dotdot', 'bomb-2gib', 'many-entries', 'not-zip', 'crc-mismatch', 'nested-zip', 'manifest-invalid-json']
const HOSTILE = HOSTILE_ZIP_CODES.filter(([name]) => CLI_HOSTILE.includes(name))

interface JsonReport { verdict: string; results: Array<{ checkId: string; status: string; errorCode?: string; message?: { en: string; 'zh-CN': string } }> }
const readReport = (dir: string): JsonReport => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport

t.test('a conforming package exits 0 and writes every format', async (t) => {
  const g = await generatePackage()
  const out = t.testdir({})
  const run = await runCli(['check-package', g.path, '--out', out, ...SKIP_MEDIA])
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, /: partial \(/, '--skip: a partial run, never conformant')
  t.same(readdirSync(out).sort(), ['report.html', 'report.json', 'report.junit.xml', 'report.md'])
  const report = readReport(out)
  t.ok(schemas().validate('conformance-report', report).ok, 'report.json validates against its schema')
  t.equal(report.verdict, 'partial')
})

t.test('a non-conforming package exits 1 and names the requirement', async (t) => {
  const g = await generatePackage({ defect: 'too-few-courses' })
  const out = t.testdir({})
  const run = await runCli(['check-package', g.path, '--out', out, '--format', 'json', ...SKIP_MEDIA])
  t.equal(run.code, 1)
  t.match(run.stdout, /FAIL package\.course-count \[R5\.2-1\]/)
  t.equal(readReport(out).verdict, 'partial', 'a --skip run is partial; its exit code says the selected checks failed')
})

t.test('hostile zips: exit 1, package.archive fails with the specific code and its fix text', async (t) => {
  t.equal(HOSTILE.length, CLI_HOSTILE.length, 'each chosen zip is in the corpus table')
  for (const [fixture, code] of HOSTILE) {
    t.test(fixture, async (t) => {
      const out = t.testdir({})
      const run = await runCli(['check-package', await hostileZip(fixture), '--out', out, '--format', 'json'])
      t.equal(run.code, 1, 'exit 1: the package is not conformant')
      t.match(run.stdout, new RegExp(`FAIL package\\.archive \\[R13\\] ${code}`), 'stdout names the check and the code')
      const report = readReport(out)
      const archive = report.results.find((r) => r.checkId === 'package.archive')
      t.equal(archive?.status, 'fail')
      t.equal(archive?.errorCode, code)
      t.match(archive?.message?.en ?? '', errorCodes[code]?.fix.en ?? '∅', 'the message says how to fix it')
      t.match(archive?.message?.['zh-CN'] ?? '', errorCodes[code]?.fix['zh-CN'] ?? '∅', 'also in Chinese')
      t.ok(report.results.filter((r) => r.checkId !== 'package.archive').every((r) => r.status === 'skip'), 'the other checks are skipped, not run on a refused archive')
    })
  }
})

t.test('usage errors exit 2', async (t) => {
  const dir = t.testdir({})
  const missing = await runCli(['check-package', join(dir, 'nope.zip'), '--out', dir])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /cannot be read|nope\.zip/)
  t.equal((await runCli(['check-package'])).code, 2)
  t.equal((await runCli(['check-package', 'x.zip', '--bogus'])).code, 2)
  const g = await generatePackage({ courses: 2 })
  const badId = await runCli(['check-package', g.path, '--out', dir, '--only', 'package.nope'])
  t.equal(badId.code, 2)
  t.match(badId.stderr, /unknown check id/)
  t.equal((await runCli(['check-package', g.path, '--out', dir, '--format', 'pdf'])).code, 2)
  t.notOk(existsSync(join(dir, 'report.json')), 'no report for a usage error')
})
