// Local copies of database-held blobs for tools that need a file path (the package check opens the
// zip with yauzl, ffprobe reads media). A copy is streamed from the store into <spoolDir>/tmp,
// hashed on the way and renamed to <spoolDir>/<aa>/<sha256> only if it hashes to its name, so a
// copy is never partial or wrong. Copies are kept for reuse up to `maxBytes` in total (config
// blobs.spoolMaxBytes); past that the least recently used copy that no one holds is deleted, and
// with 0 each copy goes when its last holder releases it. Per instance: nothing here is shared.
import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sgError } from '../../specs/lib/errors.js'
import type { LocalBlobFile } from './blob-store.js'

export class BlobSpool {
  readonly dir: string
  readonly #maxBytes: number
  readonly #open: (sha256: string) => Promise<Readable>
  readonly #holders = new Map<string, number>()

  constructor(dir: string, maxBytes: number, open: (sha256: string) => Promise<Readable>) {
    this.dir = dir
    this.#maxBytes = maxBytes
    this.#open = open
  }

  path(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256)
  }

  async acquire(sha256: string): Promise<LocalBlobFile> {
    const path = this.path(sha256)
    this.#holders.set(sha256, (this.#holders.get(sha256) ?? 0) + 1)
    let released = false
    const release = async (): Promise<void> => {
      if (released) return
      released = true
      const left = (this.#holders.get(sha256) ?? 1) - 1
      if (left > 0) this.#holders.set(sha256, left)
      else this.#holders.delete(sha256)
      await this.evict()
    }
    try {
      const now = new Date()
      const hit = await utimes(path, now, now).then(() => true, () => false)
      if (!hit) await this.#fill(sha256, path)
      await this.evict()
      return { path, release }
    } catch (err) {
      await release()
      throw err
    }
  }

  /** Deletes least recently used copies no one holds until the total is within the cap. */
  async evict(): Promise<number> {
    const files: { sha256: string; path: string; size: number; used: number }[] = []
    for (const sub of await readdir(this.dir).catch(() => [] as string[])) {
      if (sub === 'tmp') continue
      for (const name of await readdir(join(this.dir, sub)).catch(() => [] as string[])) {
        const path = join(this.dir, sub, name)
        const s = await stat(path).catch(() => undefined)
        if (s) files.push({ sha256: name, path, size: s.size, used: s.mtimeMs })
      }
    }
    let total = files.reduce((n, f) => n + f.size, 0)
    let removed = 0
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= this.#maxBytes) break
      if (this.#holders.has(f.sha256)) continue
      await rm(f.path, { force: true })
      total -= f.size
      removed++
    }
    return removed
  }

  async #fill(sha256: string, path: string): Promise<void> {
    const tmpDir = join(this.dir, 'tmp')
    await mkdir(tmpDir, { recursive: true })
    const tmp = join(tmpDir, `${randomUUID()}.part`)
    const hash = createHash('sha256')
    const meter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    try {
      await pipeline(await this.#open(sha256), meter, createWriteStream(tmp, { flags: 'wx' }))
      const actual = hash.digest('hex')
      if (actual !== sha256) throw sgError('SG_ERR_BLOB_DIGEST_MISMATCH', `stored blob ${sha256} reads back as ${actual}`, { expected: sha256, actual })
      await mkdir(join(path, '..'), { recursive: true })
      await rename(tmp, path)
    } finally {
      await rm(tmp, { force: true })
    }
  }
}
