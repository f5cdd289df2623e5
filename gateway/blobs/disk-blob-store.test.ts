import t from 'tap'
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { DiskBlobStore } from './disk-blob-store.js'

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)))
const tmpFiles = (root: string) => readdirSync(join(root, 'tmp'))

t.test('put streams, hashes and stores at <aa>/<bb>/<sha256>', async (t) => {
  const root = t.testdir({})
  const blobs = new DiskBlobStore(root)
  const r = await blobs.put(chunks('课程', 'package', '-bytes'))
  t.same(r, { sha256: sha('课程package-bytes'), size: Buffer.byteLength('课程package-bytes') })
  t.equal(blobs.path(r.sha256), join(root, r.sha256.slice(0, 2), r.sha256.slice(2, 4), r.sha256))
  t.equal(await text(await blobs.get(r.sha256)), '课程package-bytes')
  t.equal(await blobs.has(r.sha256), true)
  t.equal(await blobs.size(r.sha256), r.size)
  t.same(tmpFiles(root), [], 'no temp file left')
  const again = await blobs.put(chunks('课程package-bytes'))
  t.same(again, r, 'putting the same bytes again is idempotent')
})

t.test('putExpecting accepts a matching digest within the limit', async (t) => {
  const blobs = new DiskBlobStore(t.testdir({}))
  const r = await blobs.putExpecting(chunks('hello'), sha('hello'), 5)
  t.equal(r.sha256, sha('hello'))
})

t.test('putExpecting refuses a wrong digest and stores nothing', async (t) => {
  const root = t.testdir({})
  const blobs = new DiskBlobStore(root)
  await t.rejects(blobs.putExpecting(chunks('hellp'), sha('hello'), 100), { code: 'SG_ERR_BLOB_DIGEST_MISMATCH' })
  t.equal(await blobs.has(sha('hellp')), false)
  t.same(tmpFiles(root), [])
})

t.test('putExpecting aborts one byte over the limit and stores nothing', async (t) => {
  const root = t.testdir({})
  const blobs = new DiskBlobStore(root)
  await t.rejects(blobs.putExpecting(chunks('hel', 'lo!'), sha('hello!'), 5), { code: 'SG_ERR_BLOB_TOO_LARGE', details: { maxBytes: 5 } })
  t.same(tmpFiles(root), [])
  t.equal(await blobs.has(sha('hello!')), false)
  await t.rejects(blobs.put(chunks('123456'), { maxBytes: 5 }), { code: 'SG_ERR_BLOB_TOO_LARGE' })
})

t.test('a source that errors mid-stream leaves nothing behind', async (t) => {
  const root = t.testdir({})
  const blobs = new DiskBlobStore(root)
  async function* broken() {
    yield Buffer.from('partial')
    throw new Error('client hung up')
  }
  await t.rejects(blobs.put(broken()), { message: 'client hung up' })
  t.same(tmpFiles(root), [])
})

t.test('missing and malformed digests', async (t) => {
  const blobs = new DiskBlobStore(t.testdir({}))
  await t.rejects(blobs.get(sha('absent')), { code: 'SG_ERR_BLOB_NOT_FOUND' })
  t.equal(await blobs.has(sha('absent')), false)
  t.throws(() => blobs.path('../../etc/passwd'), { code: 'SG_ERR_BLOB_BAD_DIGEST' })
  t.throws(() => blobs.path(sha('x').toUpperCase()), { code: 'SG_ERR_BLOB_BAD_DIGEST' })
  await t.rejects(blobs.putExpecting(chunks('x'), 'nothex', 10), { code: 'SG_ERR_BLOB_BAD_DIGEST' })
})

t.test('delete and sweepTemp', async (t) => {
  const root = t.testdir({ tmp: { 'crashed.part': 'half' } })
  const blobs = new DiskBlobStore(root)
  t.equal(await blobs.sweepTemp(), 1)
  const r = await blobs.put(chunks('bye'))
  t.equal(await blobs.delete(r.sha256), true)
  t.equal(await blobs.delete(r.sha256), false)
  t.equal(await blobs.has(r.sha256), false)
})
