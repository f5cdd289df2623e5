// Canonical JSON for hashing and signing: object keys sorted by UTF-16 code unit, no whitespace,
// `undefined` members dropped (as JSON.stringify does), strings and numbers as ECMAScript writes
// them: for I-JSON input this is RFC 8785 (JCS). The audit chain and the report digest both use it,
// so a hash never depends on key order or on how an engine re-serialises stored JSON.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    return `{${members.join(',')}}`
  }
  throw new TypeError(`canonicalJson: cannot encode ${typeof value}`)
}
