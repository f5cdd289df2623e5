// yauzl and zlib report archive defects as plain Errors: this module turns them into the stable
// SG_ERR_ZIP_* codes (kept apart from zip-reader.ts so the reader stays one concern).
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { printable } from './zip-names.js'

const SIZE_MESSAGES = /too many bytes in the stream|not enough bytes in the stream|size mismatch for stored file/
const ENCRYPTION_MESSAGES = /encrypt/

/**
 * yauzl and zlib report archive defects as plain Errors; translate them to stable codes. System
 * errors (ENOENT on the upload, ENOSPC in the sandbox) are not the provider's fault and pass
 * through unchanged.
 */
export function classifyZipError(err: unknown, entryName?: string): unknown {
  // yauzl's defects are plain `Error`s; a TypeError or RangeError here is our bug, not the package's.
  if (isSkillgateError(err) || !(err instanceof Error) || (err.constructor !== Error && !('code' in err))) return err
  const code = (err as NodeJS.ErrnoException).code
  if (typeof code === 'string' && code.startsWith('Z_')) return sgError('SG_ERR_ZIP_CORRUPT', `compressed data is damaged (${err.message})`, undefined, err)
  if (code !== undefined) return err
  if (entryName !== undefined) err.message = `entry "${printable(entryName)}": ${err.message}`
  if (SIZE_MESSAGES.test(err.message)) return sgError('SG_ERR_ZIP_SIZE_MISMATCH', err.message, undefined, err)
  if (ENCRYPTION_MESSAGES.test(err.message)) return sgError('SG_ERR_ZIP_ENCRYPTED', err.message, undefined, err)
  if (/unsupported compression method/.test(err.message)) return sgError('SG_ERR_ZIP_UNSUPPORTED_METHOD', err.message, undefined, err)
  if (/End of central directory record signature not found/.test(err.message)) return sgError('SG_ERR_ZIP_CORRUPT', 'the archive is truncated: its central directory is missing', undefined, err)
  return sgError('SG_ERR_ZIP_CORRUPT', err.message, undefined, err)
}
