// SHA-256 of a whole file off the main thread. check-package must hash the zip (the report names
// it) and every entry in it (evidence, duplicate media); both are SHA-256 over nearly the same
// bytes, so on one thread the check cost at least twice `sha256sum`. The zip's digest runs in a
// worker thread with large reads, beside the entries' digests on the main thread.
import { Worker } from 'node:worker_threads'

// Plain CommonJS for an eval'd worker: no module resolution, works from the sources and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { openSync, readSync, closeSync } = require('node:fs')
const { createHash } = require('node:crypto')
const fd = openSync(workerData.path, 'r')
try {
  const hash = createHash('sha256')
  const buf = Buffer.allocUnsafe(workerData.chunk)
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n))
  parentPort.postMessage(hash.digest('hex'))
} finally {
  closeSync(fd)
}
`

/** Lower-case hex SHA-256 of the file at `path`, computed in a worker thread. Rejects with the file system's error. */
export function sha256FileInWorker(path: string, chunkBytes = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { path, chunk: chunkBytes }, resourceLimits: { maxOldGenerationSizeMb: 32 } })
    let digest: string | undefined
    worker.once('message', (hex: string) => { digest = hex })
    worker.once('error', reject)
    worker.once('exit', (code) => (digest !== undefined ? resolve(digest) : reject(new Error(`the digest worker stopped (exit ${code})`))))
  })
}
