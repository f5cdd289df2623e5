// The gateway's one blob store, `app.blobs`, for package files, reports and documents (issue 16):
// - SQLite mode (one instance): DiskBlobStore at <dataDir>/blobs.
// - PostgreSQL mode (one or several instances): PgBlobStore, the bytes in the database itself, so
//   an instance can check or serve a package another instance received, without a shared disk.
//   Tools that need a file path get spooled copies in <dataDir>/spool (config blobs.spoolMaxBytes).
import fp from 'fastify-plugin'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { BlobStore } from '../blobs/blob-store.js'
import { DiskBlobStore } from '../blobs/disk-blob-store.js'
import { PgBlobStore } from '../blobs/pg-blob-store.js'

declare module 'fastify' {
  interface FastifyInstance { blobs: BlobStore }
}

export function blobStoreFor(app: Pick<FastifyInstance, 'store' | 'config'>): BlobStore {
  const { config, store } = app
  if (store.dialect === 'postgres') return new PgBlobStore(store.db, { spoolDir: join(config.dataDir, 'spool'), spoolMaxBytes: config.blobs.spoolMaxBytes })
  return new DiskBlobStore(join(config.dataDir, 'blobs'))
}

export default fp(async function blobsPlugin(app: FastifyInstance) {
  const blobs = blobStoreFor(app)
  app.decorate('blobs', blobs)
  // Leftovers of a crash: temp files (disk), unnamed chunks older than a day (database).
  app.addHook('onReady', async () => {
    if (blobs instanceof DiskBlobStore) await blobs.sweepTemp()
    else if (blobs instanceof PgBlobStore) await blobs.sweepOrphans(24 * 3_600_000)
  })
}, { name: 'skillgate-blobs', dependencies: ['skillgate-store'] })
