import t from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../cli.test-support.js'

t.test('spec export writes every published file, including the merged error list', async (t) => {
  const dir = t.testdir({})
  const r = await runCli(['spec', 'export', dir])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /wrote \d+ files/)
  for (const f of ['openapi/provider-api.openapi.json', 'schemas/service-info.schema.json', 'requirements/requirements.json', 'errors.json']) {
    t.ok(existsSync(join(dir, f)), f)
  }
  const errors = JSON.parse(readFileSync(join(dir, 'errors.json'), 'utf8'))
  t.ok(errors.codes.SG_ERR_BAD_CURSOR, 'error codes are published')
  t.notOk(existsSync(join(dir, 'lib')), 'implementation files are not part of the spec')
})

t.test('spec validate: a valid payload exits 0, an invalid one lists path/expected/found and exits 1', async (t) => {
  const dir = t.testdir({
    'good.json': JSON.stringify({ courseId: 'c-1', format: 'mp4', url: 'https://m.example-edu.cn/p.mp4', startSeconds: 0, durationSeconds: 600 }),
    'bad.json': JSON.stringify({ courseId: 'c-1', format: 'avi', url: 'https://m.example-edu.cn/p.mp4', startSeconds: 0 }),
    'broken.json': '{ nope',
  })
  const good = await runCli(['spec', 'validate', 'good.json', '--schema', 'preview'], { cwd: dir })
  t.equal(good.code, 0)
  t.match(good.stdout, /valid preview/)
  const bad = await runCli(['spec', 'validate', 'bad.json', '--schema', 'preview'], { cwd: dir })
  t.equal(bad.code, 1)
  t.match(bad.stdout, /at \/format: expected one of \["mp4","hls"\], found string "avi"/)
  t.match(bad.stdout, /at \/durationSeconds: expected a required property, found nothing/)
  const broken = await runCli(['spec', 'validate', 'broken.json', '--schema', 'preview'], { cwd: dir })
  t.equal(broken.code, 2)
  t.match(broken.stderr, /SG_ERR_USAGE/)
  const unknown = await runCli(['spec', 'validate', 'good.json', '--schema', 'nope'], { cwd: dir })
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /SG_ERR_SCHEMA_UNKNOWN.*service-info/)
  writeFileSync(join(dir, 'x'), '')
})

t.test('usage errors: unknown flags and commands go to stderr with a --help hint and exit 2', async (t) => {
  const flag = await runCli(['spec', 'export', '/tmp/x', '--bogus'])
  t.equal(flag.code, 2)
  t.match(flag.stderr, /--bogus/)
  t.match(flag.stderr, /skillgate spec --help/)
  const cmd = await runCli(['frobnicate'])
  t.equal(cmd.code, 2)
  t.match(cmd.stderr, /unknown command 'frobnicate'.*--help/)
  const help = await runCli(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /spec/)
  const specHelp = await runCli(['spec', '--help'])
  t.match(specHelp.stdout, /spec validate FILE --schema NAME/)
})

t.test('spec export publishes the probe config schema, the check catalogue and the changelog; --html adds the site', async (t) => {
  const dir = t.testdir({})
  t.equal((await runCli(['spec', 'export', dir])).code, 0)
  for (const f of ['schemas/probe-config.schema.json', 'checks/checks.json', 'checks/checks.schema.json', 'CHANGELOG.md']) t.ok(existsSync(join(dir, f)), f)
  t.notOk(existsSync(join(dir, 'index.html')), 'no site without --html')
  const site = t.testdir({})
  const r = await runCli(['spec', 'export', site, '--html'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /open index\.html/)
  for (const f of ['index.html', 'signing/index.html', 'openapi/index.html', 'schemas/course-detail.schema.html', 'checks.html', 'requirements.html', 'changelog.html', 'assets/swagger-ui/swagger-ui-bundle.js', 'schemas/probe-config.schema.json']) t.ok(existsSync(join(site, f)), f)
})

t.test('spec validate applies the rules one document shows: an unlisted category and a 540 s preview exit 1 and are named', async (t) => {
  const detail = {
    courseId: 'c-1', title: { 'zh-CN': '电工' }, category: '6-31-01', occupationCode: '6-31-01-03', fee: { free: true },
    durationSeconds: 3600, lessonCount: 2, previewSeconds: 660, updatedAt: '2026-11-20T10:00:00+08:00',
    lessons: [{ lessonId: 'l-1', order: 1, title: { 'zh-CN': '一' }, durationSeconds: 1800, free: true }, { lessonId: 'l-2', order: 2, title: { 'zh-CN': '二' }, durationSeconds: 1800, free: true }],
    copyright: { holder: '北京示例教育科技有限公司', kind: 'own', proof: { type: 'certificate', number: 'X-1' } },
    preview: { startSeconds: 0, durationSeconds: 660 },
  }
  const dir = t.testdir({
    'good.json': JSON.stringify(detail),
    'bad.json': JSON.stringify({ ...detail, category: '8-99-99', occupationCode: undefined, previewSeconds: 540, preview: { startSeconds: 0, durationSeconds: 540 } }),
    'sum.json': JSON.stringify({ ...detail, durationSeconds: 4000 }),
  })
  const good = await runCli(['spec', 'validate', 'good.json', '--schema', 'course-detail'], { cwd: dir })
  t.equal(good.code, 0, good.stdout)
  t.match(good.stdout, /ok {3}course\.category-listed \(R16, as catalogue\.category-codes checks\)/)
  t.match(good.stdout, /rules not applied[^]*contract\.course-detail[^]*preview\.media-duration/, 'names the rules it could not apply')
  const bad = await runCli(['spec', 'validate', 'bad.json', '--schema', 'course-detail'], { cwd: dir })
  t.equal(bad.code, 1, 'schema-valid, but two rules are broken')
  t.match(bad.stdout, /valid course-detail/)
  t.match(bad.stdout, /FAIL course\.category-listed \(R16[^\n]*\n\s+c-1: category "8-99-99" is not in the training catalogue/)
  t.match(bad.stdout, /FAIL course\.preview-length \(R5\.1-3[^\n]*\n\s+c-1: previewSeconds is 540 s, at least 600 s required/)
  t.match(bad.stdout, /2 rule\(s\) broken/)
  const sum = await runCli(['spec', 'validate', 'sum.json', '--schema', 'course-detail'], { cwd: dir })
  t.equal(sum.code, 1)
  t.match(sum.stdout, /FAIL course\.declared-fields-agree[^]*durationSeconds 4000 but the lessons add up to 3600/)
})
