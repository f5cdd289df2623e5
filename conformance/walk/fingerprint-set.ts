// A set of strings kept as 64-bit fingerprints in two typed arrays: about 18 bytes per member at
// the worst load, instead of a JS string plus a Set slot (~80 bytes). The catalogue walk keeps every
// course id it has seen, so the walk's memory for 100,000 courses stays near 2 MB. Two different
// ids share a fingerprint with probability ~n²/2⁶⁵ (5·10⁻¹⁰ at a million ids); a collision can only
// make a duplicate look like one that already existed, never hide a gap.
export interface Fingerprint { hi: number; lo: number }

/**
 * A 64-bit non-cryptographic hash of the string's UTF-16 code units: two 32-bit multiply-xor
 * lanes (the cyrb53 construction, kept at full width) with murmur3's finaliser mixing both lanes.
 * It spreads short, similar ids (c-1, c-2, …) uniformly (walk.test.ts checks bucket balance),
 * and costs ~0.1 µs for a 40-character id where a crypto digest cost ~3 µs: the walk takes two
 * fingerprints per course, and md5 through node:crypto was the walk's largest CPU cost.
 */
export function fingerprint(text: string): Fingerprint {
  let h1 = 0xdeadbeef ^ text.length
  let h2 = 0x41c6ce57 ^ text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return { hi: h2 >>> 0, lo: h1 >>> 0 }
}

export class FingerprintSet {
  #hi: Uint32Array
  #lo: Uint32Array
  #used: Uint8Array
  #mask: number
  #size = 0

  constructor(initialCapacity = 1024) {
    let cap = 16
    while (cap < initialCapacity * 2) cap *= 2
    this.#hi = new Uint32Array(cap)
    this.#lo = new Uint32Array(cap)
    this.#used = new Uint8Array(cap)
    this.#mask = cap - 1
  }

  get size(): number {
    return this.#size
  }

  /** Bytes held by the backing arrays (reported by the bench). */
  get bytes(): number {
    return this.#used.length * 9
  }

  #slot(f: Fingerprint): number {
    let i = (f.lo ^ Math.imul(f.hi, 0x9e3779b1)) & this.#mask
    while (this.#used[i] === 1 && (this.#hi[i] !== f.hi || this.#lo[i] !== f.lo)) i = (i + 1) & this.#mask
    return i
  }

  has(text: string): boolean {
    return this.#used[this.#slot(fingerprint(text))] === 1
  }

  /** True when the member is new. */
  add(text: string): boolean {
    const f = fingerprint(text)
    const i = this.#slot(f)
    if (this.#used[i] === 1) return false
    this.#used[i] = 1
    this.#hi[i] = f.hi
    this.#lo[i] = f.lo
    this.#size++
    if (this.#size * 2 > this.#used.length) this.#grow()
    return true
  }

  #grow(): void {
    const { length } = this.#used
    const [hi, lo, used] = [this.#hi, this.#lo, this.#used]
    this.#hi = new Uint32Array(length * 2)
    this.#lo = new Uint32Array(length * 2)
    this.#used = new Uint8Array(length * 2)
    this.#mask = length * 2 - 1
    for (let j = 0; j < length; j++) {
      if (used[j] !== 1) continue
      const f = { hi: hi[j]!, lo: lo[j]! }
      const i = this.#slot(f)
      this.#used[i] = 1
      this.#hi[i] = f.hi
      this.#lo[i] = f.lo
    }
  }
}
