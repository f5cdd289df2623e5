// Size caps on what a check returns: evidence ends up in a signed JSON file, a JUnit file and an
// HTML page, and a provider controls much of its text, so nothing it sends can make them unbounded.
import type { Bilingual, Evidence } from './check-types.js'
import { note } from './outcomes.js'

export const LIMITS = {
  /** The report schema's maxItems for `evidence`. */
  evidenceItems: 50,
  /** The report schema's maxLength for bilingual text. */
  textChars: 2000,
  summaryChars: 500,
  stringChars: 4096,
  arrayItems: 200,
  depth: 8,
  /** Serialised size of one evidence item's `data` before it is replaced by an excerpt. */
  dataBytes: 32 * 1024,
  reproduceChars: 8192,
} as const

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 40)}…[truncated ${s.length - (max - 40)} chars]`
}

/** Any value as bounded JSON-safe data (strings clipped, arrays cut, nesting limited). */
export function capValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return clip(v, LIMITS.stringChars)
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v === 'bigint') return v.toString()
  if (v === null || typeof v === 'boolean') return v
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined
  if (depth >= LIMITS.depth) return '[nested too deep]'
  if (Buffer.isBuffer(v)) return `[${v.length} bytes]`
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) {
    const items = v.slice(0, LIMITS.arrayItems).map((x) => capValue(x, depth + 1) ?? null)
    if (v.length > LIMITS.arrayItems) items.push(`[${v.length - LIMITS.arrayItems} more items]`)
    return items
  }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const c = capValue(x, depth + 1)
    if (c !== undefined) out[k] = c
  }
  return out
}

function capRecord(r: Record<string, unknown>): Record<string, unknown> {
  const capped = capValue(r, 0) as Record<string, unknown>
  const json = JSON.stringify(capped)
  if (Buffer.byteLength(json) <= LIMITS.dataBytes) return capped
  return { truncated: true, bytes: Buffer.byteLength(json), excerpt: clip(json, LIMITS.stringChars) }
}

export function capText(m: Bilingual): Bilingual {
  return { 'zh-CN': clip(m['zh-CN'] || m.en || '-', LIMITS.textChars), en: clip(m.en || m['zh-CN'] || '-', LIMITS.textChars) }
}

export function capEvidence(list: Evidence[]): Evidence[] {
  const kept = list.slice(0, LIMITS.evidenceItems).map((e) => {
    const out: Evidence = { kind: e.kind, summary: clip(String(e.summary), LIMITS.summaryChars) }
    if (e.data !== undefined) out.data = capRecord(e.data)
    return out
  })
  if (list.length > LIMITS.evidenceItems) {
    kept[LIMITS.evidenceItems - 1] = note(`${list.length - LIMITS.evidenceItems + 1} more evidence items were dropped (the report keeps ${LIMITS.evidenceItems})`)
  }
  return kept
}
