import t from 'tap'
import { Readable } from 'node:stream'
import { forEachEngine } from '../store/engines.test-support.js'
import { BlobIndex } from './blob-index.js'
import { DiskBlobStore } from './disk-blob-store.js'

forEachEngine(t, async (t, store) => {
  t.test('records a stored blob once, first content type wins', async (t) => {
    const blobs = new DiskBlobStore(t.testdir({}))
    const index = new BlobIndex(store.db)
    const put = await blobs.put(Readable.from([Buffer.from('%PDF-1.7 licence')]))
    const meta = await index.record(put, 'application/pdf', 1000)
    t.same(meta, { sha256: put.sha256, size: put.size, contentType: 'application/pdf', createdAt: 1000 })
    t.same(await index.record(put, 'text/plain', 2000), meta)
    t.equal(await index.delete(put.sha256), true)
    t.equal(await index.get(put.sha256), undefined)
  })
})
