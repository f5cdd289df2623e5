// The reader's caps. Their defaults are published in specs/package/limits.json (the spec is the
// source of truth, so providers read the same numbers the gateway enforces); callers may lower or
// raise any of them per call, e.g. a test that needs a smaller per-entry cap.
import { readFileSync } from 'node:fs'
import { specPath } from '../../specs/lib/paths.js'

export interface PackageLimits {
  /** Entries in the central directory, directories included. */
  maxEntries: number
  /** Sum of all uncompressed entry sizes, declared and then counted. */
  maxTotalBytes: number
  /** Uncompressed size of any one entry, declared and then counted. */
  maxEntryBytes: number
  /** uncompressed / compressed, enforced only on entries of at least `ratioMinEntryBytes`. */
  maxCompressionRatio: number
  ratioMinEntryBytes: number
  maxManifestBytes: number
  /** Nesting of JSON arrays/objects in manifest.json; a top-level `{}` is depth 1. */
  maxManifestDepth: number
  /** UTF-8 bytes of a whole entry name after decoding and NFC. */
  maxNameBytes: number
  maxSegmentBytes: number
  /** Path segments in one name. */
  maxPathDepth: number
}

const LIMIT_KEYS = [
  'maxEntries', 'maxTotalBytes', 'maxEntryBytes', 'maxCompressionRatio', 'ratioMinEntryBytes',
  'maxManifestBytes', 'maxManifestDepth', 'maxNameBytes', 'maxSegmentBytes', 'maxPathDepth',
] as const satisfies readonly (keyof PackageLimits)[]

function loadDefaults(): Readonly<PackageLimits> {
  const raw = JSON.parse(readFileSync(specPath('package', 'limits.json'), 'utf8')) as Record<string, unknown>
  const out: Partial<PackageLimits> = {}
  for (const key of LIMIT_KEYS) {
    const value = raw[key]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`specs/package/limits.json: ${key} must be a positive integer`)
    }
    out[key] = value
  }
  return Object.freeze(out as PackageLimits)
}

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = loadDefaults()

/** Defaults overlaid with the caller's overrides; a non-positive or non-number override is a programming error. */
export function resolvePackageLimits(overrides: Partial<PackageLimits> = {}): Readonly<PackageLimits> {
  const out: PackageLimits = { ...DEFAULT_PACKAGE_LIMITS }
  for (const key of LIMIT_KEYS) {
    const value = overrides[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) throw new TypeError(`package limit ${key} must be a positive number`)
    out[key] = value
  }
  return Object.freeze(out)
}
