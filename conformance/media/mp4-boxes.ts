// ISO BMFF box headers (ISO/IEC 14496-12 §4.2), over a Buffer already in memory and over a
// ByteSource (the top level of a file, one header at a time, so the moov is found wherever it is
// without reading the media data in between).
import { sgError } from '../../specs/lib/errors.js'
import type { ByteSource } from './byte-source.js'

export interface BoxHeader {
  type: string
  /** Offset of the box's first byte (relative to the buffer, or absolute in the file). */
  start: number
  headerSize: number
  /** Whole box, header included. */
  size: number
}

export type BoxRange = Pick<BoxHeader, 'start' | 'headerSize' | 'size'>

export const boxEnd = (b: BoxRange): number => b.start + b.size
export const payloadStart = (b: BoxRange): number => b.start + b.headerSize

/** Parse the header at `at` of `buf`; `limit` is where the enclosing box (or file) ends. Undefined when it does not fit. */
export function headerAt(buf: Buffer, at: number, limit: number): BoxHeader | undefined {
  if (at + 8 > buf.length) return undefined
  let size = buf.readUInt32BE(at)
  const type = buf.toString('latin1', at + 4, at + 8)
  let headerSize = 8
  if (size === 1) {
    if (at + 16 > buf.length) return undefined
    size = Number(buf.readBigUInt64BE(at + 8))
    headerSize = 16
  } else if (size === 0) {
    size = limit - at
  }
  if (size < headerSize) return undefined
  return { type, start: at, headerSize, size }
}

/** Boxes directly inside [from, to) of `buf`; stops at the first header that does not fit. */
export function* children(buf: Buffer, from: number, to: number): Generator<BoxHeader> {
  let at = from
  while (at + 8 <= to) {
    const h = headerAt(buf, at, to)
    if (!h || h.start + h.size > to) return
    yield h
    at += h.size
  }
}

export function child(buf: Buffer, parent: BoxRange, type: string): BoxHeader | undefined {
  for (const b of children(buf, payloadStart(parent), boxEnd(parent))) if (b.type === type) return b
  return undefined
}

/** The first box along `path` (e.g. ['mdia', 'minf', 'stbl']) below `parent`. */
export function descend(buf: Buffer, parent: BoxHeader, path: readonly string[]): BoxHeader | undefined {
  let at: BoxHeader | undefined = parent
  for (const type of path) {
    at = at && child(buf, at, type)
    if (!at) return undefined
  }
  return at
}

/** A top-level box with its first bytes (all of it when it is small enough to have come along). */
export interface TopBox extends BoxHeader { head: Buffer }

/**
 * Walk the top-level boxes of a file from `from`, reading `readAhead` bytes at each box start
 * (one request per box: a faststart head read usually brings ftyp and the whole moov at once).
 * `visit` returns 'stop' to end the walk. A header that cannot be parsed ends the walk with
 * `broken` set, as does a box claiming to run past the file's end (`truncated`).
 */
export async function walkTopLevel(
  src: ByteSource,
  visit: (box: TopBox) => Promise<'stop' | void> | 'stop' | void,
  opts: { from?: number; readAhead?: number; maxBoxes?: number } = {},
): Promise<{ end: number; broken?: { at: number }; truncated?: BoxHeader }> {
  const size = await src.size()
  const readAhead = opts.readAhead ?? 64 * 1024
  const maxBoxes = opts.maxBoxes ?? 100_000
  let at = opts.from ?? 0
  let buf: Buffer = Buffer.alloc(0)
  let bufAt = at
  for (let n = 0; n < maxBoxes; n++) {
    if (size !== undefined && at >= size) return { end: at }
    if (at + 16 > bufAt + buf.length) {
      buf = await src.read(at, readAhead)
      bufAt = at
      if (buf.length === 0) return { end: at }
    }
    // A size of 0 means "to the end of the file" (only sensible for a last mdat).
    const local = headerAt(buf, at - bufAt, size === undefined ? Number.MAX_SAFE_INTEGER : size - bufAt)
    if (!local) return { end: at, broken: { at } }
    const header: BoxHeader = { ...local, start: at }
    const head = buf.subarray(at - bufAt, Math.min(buf.length, at - bufAt + header.size))
    if (size !== undefined && boxEnd(header) > size) {
      await visit({ ...header, head })
      return { end: at, truncated: header }
    }
    if ((await visit({ ...header, head })) === 'stop') return { end: boxEnd(header) }
    at = boxEnd(header)
  }
  throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${src.name}: more than ${maxBoxes} top-level boxes`, { file: src.name, maxBoxes })
}

/** The whole of a top-level box, using the bytes that came with its header and reading the rest. */
export async function wholeBox(src: ByteSource, box: TopBox, maxBytes: number): Promise<Buffer> {
  if (box.size > maxBytes) {
    throw sgError('SG_ERR_MEDIA_TOO_LARGE', `${src.name}: the ${box.type} box is ${box.size} bytes (limit ${maxBytes})`, { file: src.name, box: box.type, size: box.size, maxBytes })
  }
  if (box.head.length >= box.size) return box.head.subarray(0, box.size)
  const rest = await src.read(box.start + box.head.length, box.size - box.head.length)
  if (box.head.length + rest.length < box.size) {
    throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${src.name}: the ${box.type} box at ${box.start} is cut off (${box.head.length + rest.length} of ${box.size} bytes)`, { file: src.name, box: box.type })
  }
  return Buffer.concat([box.head, rest])
}
