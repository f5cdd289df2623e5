// The blob stores side by side: PgBlobStore (bytes in PostgreSQL, shared by every instance) and
// DiskBlobStore (SQLite mode) keep the same promises: streamed in chunks and hashed, visible only
// when complete, nothing left by a refused or broken upload, byte ranges read exactly, and a local
// file for tools that need a path (spooled from the database, capped by blobs.spoolMaxBytes).
import t from 'tap'
import type { Test } from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { openTestStore, selectedEngines } from '../store/engines.test-support.js'
import type { Store } from '../store/open-store.js'
import type { BlobStore } from './blob-store.js'
import { DiskBlobStore } from './disk-blob-store.js'
import { PgBlobStore } from './pg-blob-store.js'

const CHUNK = 1024
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** `bytes` split into uneven pieces, as a socket delivers them. */
const pieces = (bytes: Buffer, size = 700) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)))
const chunkRows = async (store: Store) => Number((await store.db.selectFrom('blob_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

async function contract(t: Test, blobs: BlobStore, leftovers: () => Promise<number>) {
  const bytes = randomBytes(5 * CHUNK + 123)
  const put = await blobs.put(pieces(bytes))
  t.same(put, { sha256: sha(bytes), size: bytes.length })
  t.same(await buffer(await blobs.get(put.sha256)), bytes, 'read back whole')
  t.same(await blobs.put(pieces(bytes)), put, 'the same bytes again: same digest')
  for (const [start, end] of [[0, 0], [0, CHUNK - 1], [CHUNK - 1, CHUNK], [1000, 4500], [5 * CHUNK, 5 * CHUNK + 122], [bytes.length - 1, bytes.length - 1]] as const) {
    t.same(await buffer(await blobs.get(put.sha256, { start, end })), bytes.subarray(start, end + 1), `range ${start}-${end}`)
  }
  await t.rejects(blobs.get(put.sha256, { start: bytes.length, end: bytes.length }), { code: 'SG_ERR_BLOB_RANGE' }, 'a range past the end')
  await t.rejects(blobs.get(put.sha256, { start: 10, end: 9 }), { code: 'SG_ERR_BLOB_RANGE' })
  const local = await blobs.localFile(put.sha256)
  t.same(readFileSync(local.path), bytes, 'a local file with the same bytes')
  await local.release()

  await t.rejects(blobs.putExpecting(pieces(bytes), sha(Buffer.from('other')), 10 * CHUNK), { code: 'SG_ERR_BLOB_DIGEST_MISMATCH' })
  await t.rejects(blobs.putExpecting(pieces(bytes), sha(bytes), 2 * CHUNK), { code: 'SG_ERR_BLOB_TOO_LARGE' })
  async function* broken() {
    yield bytes.subarray(0, 3 * CHUNK)
    throw new Error('client hung up')
  }
  await t.rejects(blobs.put(broken()), { message: 'client hung up' })
  t.equal(await leftovers(), 0, 'refused and broken uploads leave nothing behind')
  await t.rejects(blobs.get(sha(Buffer.from('absent'))), { code: 'SG_ERR_BLOB_NOT_FOUND' })
  await t.rejects(blobs.localFile(sha(Buffer.from('absent'))), { code: 'SG_ERR_BLOB_NOT_FOUND' })
  const empty = await blobs.put(Readable.from([]))
  t.same(await buffer(await blobs.get(empty.sha256)), Buffer.alloc(0), 'an empty blob')
  t.equal(await blobs.delete(put.sha256), true)
  t.equal(await blobs.has(put.sha256), false)
}

t.test('DiskBlobStore (SQLite mode)', async (t) => {
  const root = t.testdir({})
  const blobs = new DiskBlobStore(root)
  await contract(t, blobs, async () => (existsSync(join(root, 'tmp')) ? (await readdir(join(root, 'tmp'))).length : 0))
})

if (selectedEngines().includes('postgres')) {
  t.test('PgBlobStore (PostgreSQL mode)', async (t) => {
    const store = await openTestStore(t, 'postgres')
    const spool = t.testdir({})
    const blobs = new PgBlobStore(store.db, { spoolDir: spool, spoolMaxBytes: 0, chunkBytes: CHUNK })
    await contract(t, blobs, async () => {
      const named = await store.db.selectFrom('blob_objects').select('upload_id').execute()
      const orphans = await store.db.selectFrom('blob_chunks').select('upload_id').where('upload_id', 'not in', named.length ? named.map((n) => n.upload_id) : ['-']).execute()
      return orphans.length
    })
    t.equal(await chunkRows(store), 0, 'delete removed the chunks of the deleted blob')
    t.same((await readdir(spool)).filter((d) => d !== 'tmp').flatMap((d) => readdirSync(join(spool, d))), [], 'spoolMaxBytes 0: each copy is deleted once released')

    t.test('chunks in the database, one at a time; a half-written upload is invisible and swept', async (t) => {
      const bytes = randomBytes(3 * CHUNK)
      let seenBefore: boolean | undefined
      async function* slow() {
        yield bytes.subarray(0, 2 * CHUNK)
        seenBefore = await blobs.has(sha(bytes))
        t.equal(await chunkRows(store), 2, 'two full chunks are already stored')
        yield bytes.subarray(2 * CHUNK)
      }
      const put = await blobs.put(slow())
      t.equal(seenBefore, false, 'not visible before it is complete')
      t.equal(await blobs.has(put.sha256), true)
      await store.db.insertInto('blob_chunks').values({ upload_id: 'crashed', seq: 0, data: Buffer.from('half'), created_at: 1 }).execute()
      t.equal(await blobs.sweepOrphans(60_000), 1, 'a crashed upload\'s chunks are swept')
      t.equal(await chunkRows(store), 3)
    })

    t.test('spool: local copies kept up to spoolMaxBytes, least recently used first, never one in use', async (t) => {
      const dir = t.testdir({})
      const capped = new PgBlobStore(store.db, { spoolDir: dir, spoolMaxBytes: 2 * CHUNK, chunkBytes: CHUNK })
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => capped.put(Readable.from([randomBytes(CHUNK)]))))
      const held = await capped.localFile(a!.sha256)
      await (await capped.localFile(b!.sha256)).release()
      await (await capped.localFile(c!.sha256)).release()
      t.ok(existsSync(held.path), 'the copy in use stays')
      t.notOk(existsSync(capped.spool.path(b!.sha256)), 'the least recently used copy went')
      t.ok(existsSync(capped.spool.path(c!.sha256)))
      await held.release()
      t.ok(existsSync(held.path), 'released, and within the cap: kept for reuse')
    })
  })
}
