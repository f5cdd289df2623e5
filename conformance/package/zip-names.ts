// Entry names from strangers' zips. Chinese Windows tools still write GBK names without the UTF-8
// flag, and some tools set the flag over non-UTF-8 bytes, so the flag alone is not trusted: UTF-8
// only when flagged AND valid, else GB18030 (a superset of GBK). Names are never used as file
// system paths by the reader; validation exists so every later check, report and course-centre
// URL can treat the logical name as a plain relative path (R5.2, R13).
import { crc32 } from 'node:zlib'
import iconv from 'iconv-lite'
import { sgError } from '../../specs/lib/errors.js'
import type { PackageLimits } from './zip-limits.js'

export type NameEncoding = 'ascii' | 'utf-8' | 'gb18030' | 'unicode-path-extra'

export interface DecodedName { name: string; encoding: NameEncoding; rawFallback: string | undefined }

const GP_UTF8 = 0x800
const UNICODE_PATH_EXTRA = 0x7075

function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function decodeHeaderBytes(raw: Buffer, generalPurposeBitFlag: number): { name: string; encoding: 'ascii' | 'utf-8' | 'gb18030' } {
  if (raw.every((b) => b < 0x80)) return { name: raw.toString('latin1'), encoding: 'ascii' }
  if (generalPurposeBitFlag & GP_UTF8) {
    const utf8 = decodeUtf8Strict(raw)
    if (utf8 !== undefined) return { name: utf8, encoding: 'utf-8' }
  }
  return { name: iconv.decode(raw, 'gb18030'), encoding: 'gb18030' }
}

/**
 * Decode a raw central-directory name. The Info-ZIP Unicode Path field (0x7075) wins when its CRC
 * matches the header name, as the field's definition requires; `rawFallback` then carries the
 * header-name decoding so the caller can still refuse a traversal hidden there.
 */
export function decodeEntryName(raw: Buffer, generalPurposeBitFlag: number, extraFields: readonly { id: number; data: Buffer }[]): DecodedName {
  const header = decodeHeaderBytes(raw, generalPurposeBitFlag)
  for (const field of extraFields) {
    if (field.id !== UNICODE_PATH_EXTRA || field.data.length < 6 || field.data[0] !== 1) continue
    if (field.data.readUInt32LE(1) !== crc32(raw)) continue
    const unicode = decodeUtf8Strict(field.data.subarray(5))
    if (unicode !== undefined) return { name: unicode, encoding: 'unicode-path-extra', rawFallback: header.name }
  }
  return { ...header, rawFallback: undefined }
}

/** Traversal shapes only: absolute, drive-letter, `..`, and any backslash (Windows separator). */
export function assertNoTraversal(name: string): void {
  if (name.includes('\\')) throw sgError('SG_ERR_ZIP_TRAVERSAL', `entry "${printable(name)}" contains a backslash`, { name })
  if (name.startsWith('/')) throw sgError('SG_ERR_ZIP_TRAVERSAL', `entry "${printable(name)}" is an absolute path`, { name })
  if (/^[A-Za-z]:/.test(name)) throw sgError('SG_ERR_ZIP_TRAVERSAL', `entry "${printable(name)}" starts with a drive letter`, { name })
  if (name.split('/').includes('..')) throw sgError('SG_ERR_ZIP_TRAVERSAL', `entry "${printable(name)}" has a ".." segment`, { name })
}

// C0, DEL, C1, the replacement character left by an undecodable byte, and bidi controls that make
// a name display differently from what it is.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\ufffd\u202a-\u202e\u2066-\u2069]/u

export interface ValidatedName { name: string; isDirectory: boolean }

/** NFC-normalise and validate one decoded name; throws the specific SG_ERR_ZIP_* code. */
export function validateEntryName(decoded: string, limits: Pick<PackageLimits, 'maxNameBytes' | 'maxSegmentBytes' | 'maxPathDepth'>): ValidatedName {
  const name = decoded.normalize('NFC')
  assertNoTraversal(name)
  const bad = FORBIDDEN_CHARS.exec(name)
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0
    throw sgError('SG_ERR_ZIP_BAD_NAME', `entry "${printable(name)}" contains U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, { name })
  }
  const isDirectory = name.endsWith('/')
  const body = isDirectory ? name.slice(0, -1) : name
  if (body === '') throw sgError('SG_ERR_ZIP_BAD_NAME', 'an entry has an empty name', { name })
  const segments = body.split('/')
  if (segments.some((s) => s === '' || s === '.')) throw sgError('SG_ERR_ZIP_BAD_NAME', `entry "${printable(name)}" has an empty or "." path segment`, { name })
  if (Buffer.byteLength(name) > limits.maxNameBytes) throw sgError('SG_ERR_ZIP_BAD_NAME', `entry name is longer than ${limits.maxNameBytes} bytes`, { name: name.slice(0, 64) })
  if (segments.length > limits.maxPathDepth) throw sgError('SG_ERR_ZIP_BAD_NAME', `entry "${printable(name)}" is nested more than ${limits.maxPathDepth} folders deep`, { name })
  const long = segments.find((s) => Buffer.byteLength(s) > limits.maxSegmentBytes)
  if (long !== undefined) throw sgError('SG_ERR_ZIP_BAD_NAME', `a path segment of "${printable(name).slice(0, 64)}…" is longer than ${limits.maxSegmentBytes} bytes`, { name })
  return { name, isDirectory }
}

/** Names end up in messages and reports: escape what a terminal or HTML would interpret. */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
}
