// Typed arrays for one index measurement, carved from slabs that go back to a shared free list when
// the measurement ends (R5.1-3 at catalogue scale: issue #14's memory goal).
//
// Why: a realistic 10-minute preview's sample tables and judgement take ~3 MB of typed arrays
// (47,000 samples × ~60 bytes). A measurement spans many network round trips, so its arrays
// outlive two scavenges and are promoted; V8 frees a promoted ArrayBuffer only at a full GC, which
// external memory triggers about 64 MB later. With eight previews in flight that garbage was most
// of the probe's peak RSS. Slabs reused from one measurement to the next are never garbage.
//
// Views handed out are zeroed, like `new Float64Array(n)`. After `release()` they must not be
// used: a measurement releases its scratch only once nothing it returns refers to them (results
// are plain numbers).

/** Bytes of one slab (the default size); an array larger than its scratch's slab gets its own buffer, which is not kept. */
export const SLAB_BYTES = 1024 * 1024
/** Bytes of free slabs kept per slab size between measurements (the rest are left to the GC). */
const MAX_FREE_BYTES = 48 * 1024 * 1024

/** Free slabs by size: the sample tables' 1 MiB slabs, and smaller ones for small bodies (an MPEG-TS segment's two ends). */
const freeBySize = new Map<number, ArrayBuffer[]>()
const freeList = (slabBytes: number): ArrayBuffer[] => {
  let list = freeBySize.get(slabBytes)
  if (!list) freeBySize.set(slabBytes, (list = []))
  return list
}

export interface Scratch {
  f64(length: number): Float64Array
  u32(length: number): Uint32Array
  i32(length: number): Int32Array
}

/** Plain allocation: every array its own buffer (package checks, tests, one-off reads). */
export const heapScratch: Scratch = {
  f64: (n) => new Float64Array(n),
  u32: (n) => new Uint32Array(n),
  i32: (n) => new Int32Array(n),
}

export class SlabScratch implements Scratch {
  readonly #slabBytes: number
  readonly #free: ArrayBuffer[]
  #slabs: ArrayBuffer[] = []
  #current: ArrayBuffer | undefined
  #used = 0
  #released = false

  /** `slabBytes`: a multiple of 8; what one scratch usually needs in all, so one slab serves it. */
  constructor(slabBytes = SLAB_BYTES) {
    this.#slabBytes = slabBytes
    this.#free = freeList(slabBytes)
  }

  /** Byte offset of `bytes` (a multiple of 8) in the current slab, starting a new slab when it does not fit. */
  #place(bytes: number): [ArrayBuffer, number] | undefined {
    if (this.#released) throw new Error('scratch used after release')
    if (bytes > this.#slabBytes) return undefined
    if (!this.#current || this.#used + bytes > this.#slabBytes) {
      this.#current = this.#free.pop() ?? new ArrayBuffer(this.#slabBytes)
      this.#slabs.push(this.#current)
      this.#used = 0
    }
    const at = this.#used
    this.#used += bytes
    return [this.#current, at]
  }

  f64(n: number): Float64Array {
    const spot = this.#place(n * 8)
    return spot ? new Float64Array(spot[0], spot[1], n).fill(0) : new Float64Array(n)
  }

  u32(n: number): Uint32Array {
    const spot = this.#place(Math.ceil(n / 2) * 8)
    return spot ? new Uint32Array(spot[0], spot[1], n).fill(0) : new Uint32Array(n)
  }

  i32(n: number): Int32Array {
    const spot = this.#place(Math.ceil(n / 2) * 8)
    return spot ? new Int32Array(spot[0], spot[1], n).fill(0) : new Int32Array(n)
  }

  /**
   * `n` bytes for a body read into reused memory (http-byte-source.ts): not zeroed, like
   * Buffer.allocUnsafe; the reader exposes only the bytes it wrote.
   */
  bytes(n: number): Buffer {
    const spot = this.#place(Math.ceil(n / 8) * 8)
    return spot ? Buffer.from(spot[0], spot[1], n) : Buffer.allocUnsafe(n)
  }

  /** Drop the slabs without reusing them: something may still write into them (a read in flight). */
  abandon(): void {
    this.#released = true
    this.#slabs = []
    this.#current = undefined
  }

  /** Give the slabs back for the next measurement. */
  release(): void {
    if (this.#released) return
    this.#released = true
    for (const slab of this.#slabs) if ((this.#free.length + 1) * this.#slabBytes <= MAX_FREE_BYTES) this.#free.push(slab)
    this.#slabs = []
    this.#current = undefined
  }
}

/** Run `work` with a fresh slab scratch, released when it settles. */
export async function withScratch<T>(work: (scratch: Scratch) => Promise<T>): Promise<T> {
  const scratch = new SlabScratch()
  try {
    return await work(scratch)
  } finally {
    scratch.release()
  }
}

/** Free slabs of a size now kept (for tests). */
export const freeSlabCount = (slabBytes = SLAB_BYTES): number => freeList(slabBytes).length
