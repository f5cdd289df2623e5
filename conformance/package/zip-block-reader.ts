// yauzl reads each central-directory record and local header with its own small pread, which is
// ~4 syscalls through the libuv pool per entry; for a 10,000-entry package that dominates the
// metadata pass. This reader serves those small reads from a bounded cache of 64 KiB blocks
// (at most 1 MiB held) and streams entry data straight from the fd.
import { close, read } from 'node:fs'
import { Readable } from 'node:stream'
import yauzl from 'yauzl'

const BLOCK = 64 * 1024
const MAX_BLOCKS = 16

type ReadCallback = (err: Error | null, bytesRead?: number) => void

export class BlockCachedFileReader extends yauzl.RandomAccessReader {
  private readonly blocks = new Map<number, Buffer>()

  constructor(private readonly fd: number, private readonly fileSize: number) {
    super()
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return new FdRangeStream(this.fd, start, end)
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const cb = callback as ReadCallback
    if (length > BLOCK) {
      read(this.fd, buffer, offset, length, position, (err, n) => cb(err, n))
      return
    }
    const firstBlock = Math.floor(position / BLOCK)
    const lastBlock = Math.floor((position + length - 1) / BLOCK)
    const copy = (): void => {
      let copied = 0
      for (let b = firstBlock; b <= lastBlock && copied < length; b++) {
        const block = this.blocks.get(b)
        if (!block) break
        const from = Math.max(position + copied - b * BLOCK, 0)
        const n = block.copy(buffer, offset + copied, from, Math.min(block.length, from + length - copied))
        copied += n
        if (block.length < BLOCK) break
      }
      cb(null, copied)
    }
    const missing = [firstBlock, lastBlock].filter((b, i, all) => all.indexOf(b) === i && !this.touch(b))
    if (missing.length === 0) return setImmediate(copy) as unknown as void
    let pending = missing.length
    let failed = false
    for (const b of missing) {
      const start = b * BLOCK
      const block = Buffer.allocUnsafe(Math.max(0, Math.min(BLOCK, this.fileSize - start)))
      if (block.length === 0) {
        this.store(b, block)
        if (--pending === 0) copy()
        continue
      }
      read(this.fd, block, 0, block.length, start, (err, n) => {
        if (failed) return
        if (err) {
          failed = true
          return cb(err)
        }
        this.store(b, block.subarray(0, n))
        if (--pending === 0) copy()
      })
    }
  }

  override close(callback: (err: Error | null) => void): void {
    this.blocks.clear()
    close(this.fd, callback)
  }

  /** LRU touch: true when cached. */
  private touch(b: number): boolean {
    const block = this.blocks.get(b)
    if (!block) return false
    this.blocks.delete(b)
    this.blocks.set(b, block)
    return true
  }

  private store(b: number, block: Buffer): void {
    this.blocks.set(b, block)
    while (this.blocks.size > MAX_BLOCKS) {
      const oldest = this.blocks.keys().next().value
      if (oldest === undefined) break
      this.blocks.delete(oldest)
    }
  }
}

/**
 * Reads [start, end) of a shared fd. Unlike fs.ReadStream it never closes the fd on destroy:
 * yauzl destroys entry streams freely, and the fd belongs to the reader.
 */
class FdRangeStream extends Readable {
  private position: number

  constructor(private readonly fd: number, start: number, private readonly end: number) {
    super({ highWaterMark: BLOCK })
    this.position = start
  }

  override _read(size: number): void {
    const length = Math.min(size, BLOCK, this.end - this.position)
    if (length <= 0) {
      this.push(null)
      return
    }
    const chunk = Buffer.allocUnsafe(length)
    read(this.fd, chunk, 0, length, this.position, (err, n) => {
      if (err) return this.destroy(err)
      if (n === 0) return this.destroy(new Error('unexpected EOF'))
      this.position += n
      this.push(chunk.subarray(0, n))
    })
  }
}
