// The index reader never needs a whole media file: it asks for byte ranges (the head, the moov
// wherever it is, a few samples, both ends of an MPEG-TS segment). A ByteSource answers those
// questions over a local file (package entries, downloads) or over HTTP Range requests
// (http-byte-source.ts, through the probe client), and counts what it cost, so a report can say
// how many bytes were read to measure a preview.
import { open, type FileHandle } from 'node:fs/promises'
import { sgError } from '../../specs/lib/errors.js'

export interface ByteSourceStats {
  /** Requests (HTTP) or reads (file) made. */
  requests: number
  /** Bytes received, including bytes a forward-only stream skipped over. */
  bytes: number
  /** The HTTP server answered a Range request with the whole file (200). */
  rangeIgnored: boolean
  /** Every byte of the file was read to get at the index (moov at the end without Range support). */
  fullDownload: boolean
}

export interface ByteSource {
  /** URL or path, for evidence. */
  readonly name: string
  /** The real length of the file in bytes (from the file system or Content-Range), when known. */
  size(): Promise<number | undefined>
  /**
   * Up to `length` bytes from `offset`; fewer (possibly none) only where the file ends. A source
   * that can only go forward (a server ignoring Range) refuses an offset it has passed with
   * SG_ERR_MEDIA_INDEX_UNREADABLE; readers ask in ascending order where they can.
   */
  read(offset: number, length: number): Promise<Buffer>
  /** False when offsets already passed cannot be read again. */
  readonly seekable: boolean
  readonly stats: ByteSourceStats
  /**
   * The whole file on local disk, for ffprobe (the referee, or the fallback for containers the
   * index reader does not read): the file itself, or a download counted in `stats`.
   */
  localFile(): Promise<string>
  close(): Promise<void>
}

export const newStats = (): ByteSourceStats => ({ requests: 0, bytes: 0, rangeIgnored: false, fullDownload: false })

/** A local file (an extracted package entry, a downloaded segment). Throws SG_ERR_MEDIA_UNREADABLE if it cannot be opened. */
export async function fileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    throw sgError('SG_ERR_MEDIA_UNREADABLE', `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: path }, err)
  }
  const { size } = await handle.stat()
  const stats = newStats()
  let closed = false
  return {
    name: path,
    seekable: true,
    stats,
    size: async () => size,
    localFile: async () => path,
    async read(offset, length) {
      const want = Math.max(0, Math.min(length, size - offset))
      if (want === 0) return Buffer.alloc(0)
      const buf = Buffer.allocUnsafe(want)
      const { bytesRead } = await handle.read(buf, 0, want, offset)
      stats.requests++
      stats.bytes += bytesRead
      return bytesRead === want ? buf : buf.subarray(0, bytesRead)
    },
    async close() {
      if (closed) return
      closed = true
      await handle.close()
    },
  }
}

/**
 * Serve the first `bytes` of `src` from one read: format detection, the ftyp/moov walk and an
 * MPEG-TS segment's first packets all ask for the head, which should cost one request.
 */
export function withHead(src: ByteSource, bytes: number): ByteSource {
  let head: Promise<Buffer> | undefined
  return {
    get name() { return src.name },
    get seekable() { return src.seekable },
    get stats() { return src.stats },
    size: () => src.size(),
    localFile: () => src.localFile(),
    close: () => src.close(),
    async read(offset, length) {
      if (offset >= bytes) return src.read(offset, length)
      head ??= src.read(0, bytes)
      const h = await head
      const end = offset + length
      // A head shorter than asked for is the whole file.
      if (end <= h.length || h.length < bytes) return h.subarray(offset, Math.min(h.length, end))
      return Buffer.concat([h.subarray(offset), await src.read(h.length, end - h.length)])
    },
  }
}
