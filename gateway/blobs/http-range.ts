// One HTTP byte range (RFC 9110 §14) for blob downloads. `bytes=a-b`, `bytes=a-` and `bytes=-n`
// are served as 206; a header that is not a bytes range, or that asks for several ranges, is
// ignored (a full 200 answer, as §14.2 allows); a range that starts at or past the end of the blob
// is unsatisfiable: SG_ERR_BLOB_RANGE, 416 with `Content-Range: bytes */size`.
import { sgError } from '../../specs/lib/errors.js'
import type { ByteRange } from './blob-store.js'

const SINGLE = /^bytes=(\d*)-(\d*)$/

/** The range to serve, undefined for the whole blob; throws SG_ERR_BLOB_RANGE when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined
  const m = SINGLE.exec(header.replace(/\s+/g, ''))
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  const unsatisfiable = () => sgError('SG_ERR_BLOB_RANGE', `${header.slice(0, 80)} for a ${size}-byte file`, { size })
  if (m[1] === '') {
    // bytes=-n: the last n bytes.
    const n = Number(m[2])
    if (n === 0 || size === 0) throw unsatisfiable()
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (!Number.isSafeInteger(start) || start >= size) throw unsatisfiable()
  if (m[2] !== '' && Number(m[2]) < start) return undefined // an invalid range-spec is ignored
  return { start, end }
}
