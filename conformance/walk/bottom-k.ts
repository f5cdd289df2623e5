// Deterministic sampling without holding the population: each member gets a priority from a
// keyed hash of (seed, id) and the k smallest priorities are kept (bottom-k). The same seed picks
// the same courses on every run, whatever the page size or arrival order, so a provider can rerun
// the probe and see the same sample; a different seed gives an independent sample.
import { fingerprint } from './fingerprint-set.js'

export class BottomK<T> {
  readonly #k: number
  readonly #seed: string
  #entries: Array<{ priority: number; id: string; value: T }> = []

  /** k = Infinity keeps everyone (--all-media). */
  constructor(k: number, seed: string) {
    if (!(k >= 0)) throw new RangeError(`sample size must be ≥ 0, got ${k}`)
    this.#k = k
    this.#seed = seed
  }

  /** Priorities are uniform integers in [0, 2^53). */
  static readonly RANGE = 2 ** 53

  priority(id: string): number {
    const f = fingerprint(`${this.#seed}\u0000${id}`)
    return f.hi * 2 ** 21 + (f.lo >>> 11)
  }

  /** Offer one member; call once per distinct id. `priority` may be passed when already computed. */
  offer(id: string, value: T, priority = this.#k === 0 ? 0 : this.priority(id)): boolean {
    if (this.#k === 0) return false
    const list = this.#entries
    if (list.length >= this.#k && priority >= list[list.length - 1]!.priority) return false
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid]!.priority < priority) lo = mid + 1
      else hi = mid
    }
    list.splice(lo, 0, { priority, id, value })
    if (list.length > this.#k) list.pop()
    return true
  }

  /** Current members with a priority below `bound`, in priority order. */
  *below(bound: number): Generator<{ id: string; priority: number; value: T }> {
    for (const e of this.#entries) {
      if (e.priority >= bound) return
      yield e
    }
  }


  /** Members in priority order (stable across runs with the same seed). */
  values(): T[] {
    return this.#entries.map((e) => e.value)
  }

  get size(): number {
    return this.#entries.length
  }
}
