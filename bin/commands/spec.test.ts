import t from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../test-io.js'

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
