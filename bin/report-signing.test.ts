// Reports signed at write time (--sign-key) verify against the matching public key and fail
// against another key; keygen never overwrites a key.
import t from 'tap'
import { join } from 'node:path'
import { hostileZip } from '../fixtures/zips/hostile.js'
import { runCli } from './cli.test-support.js'

t.test('check-package --sign-key → report verify --public-key', async (t) => {
  const dir = t.testdir({})
  t.equal((await runCli(['report', 'keygen', 'keys'], { cwd: dir })).code, 0)
  t.equal((await runCli(['report', 'keygen', 'other'], { cwd: dir })).code, 0)
  const again = await runCli(['report', 'keygen', 'keys'], { cwd: dir })
  t.equal(again.code, 2, 'keygen refuses to overwrite')
  t.match(again.stderr, /never overwrites/)

  const zip = await hostileZip('not-zip')
  const checked = await runCli(['check-package', zip, '--out', 'out', '--format', 'json', '--sign-key', 'keys/signer.pem', '--sign-key-id', 'ministry-2026'], { cwd: dir })
  t.equal(checked.code, 1, 'a file that is not a zip is not conformant')
  const ok = await runCli(['report', 'verify', join('out', 'report.json'), '--public-key', 'keys/signer.pub.pem'], { cwd: dir })
  t.equal(ok.code, 0, ok.stdout + ok.stderr)
  const wrong = await runCli(['report', 'verify', join('out', 'report.json'), '--public-key', 'other/signer.pub.pem'], { cwd: dir })
  t.equal(wrong.code, 1, 'another key does not verify the signature')
  const orphan = await runCli(['check-package', zip, '--out', 'out2', '--sign-key-id', 'x'], { cwd: dir })
  t.equal(orphan.code, 2, '--sign-key-id without --sign-key is a usage error')
})
