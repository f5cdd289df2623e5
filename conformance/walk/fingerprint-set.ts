// A set of strings kept as 64-bit fingerprints in two typed arrays: about 18 bytes per member at
// the worst load, instead of a JS string plus a Set slot (~80 bytes). The catalogue walk keeps every
// course id it has seen, so the walk's memory for 100,000 courses stays near 2 MB. Two different
// ids share a fingerprint with probability ~n²/2⁶⁵ (5·10⁻¹⁰ at a million ids); a collision can only
// make a duplicate look like one that already existed, never hide a gap.
import { hash } from 'node:crypto'

export interface Fingerprint { hi: number; lo: number }

export function fingerprint(text: string): Fingerprint {
  // One-shot hash: the walk takes two or three fingerprints per course, and a Hash object per call
  // was the walk's largest CPU cost (same digest, so the same ids and samples as before).
  const d = hash('md5', text, 'buffer')
  return { hi: d.readUInt32LE(0), lo: d.readUInt32LE(4) }
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
