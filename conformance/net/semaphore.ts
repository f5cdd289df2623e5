// A counting semaphore: the probe client holds a permit for a whole logical request (all attempts
// and redirects), so `concurrency` bounds what a provider sees in flight, not just sockets.
export class Semaphore {
  #free: number
  readonly #waiters: Array<() => void> = []

  readonly size: number

  constructor(size: number) {
    this.size = size
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`)
    this.#free = size
  }

  get inFlight(): number {
    return this.size - this.#free
  }

  get waiting(): number {
    return this.#waiters.length
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--
    else await new Promise<void>((resolve) => this.#waiters.push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiters.shift()
      // Hand the permit straight to the next waiter so a newcomer cannot overtake it.
      if (next) next()
      else this.#free++
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire()
    try {
      return await fn()
    } finally {
      release()
    }
  }
}
