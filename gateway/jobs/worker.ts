// Runs queued jobs: polls the queue for the kinds it has handlers for, runs at most `concurrency`
// at once, heartbeats each lease while its handler runs, and on stop() claims nothing more and
// waits for what is in flight. A handler whose lease is lost (the process stalled past the lease
// and another instance took the job over) sees its AbortSignal fire and its result is discarded.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import pino from 'pino'
import type { Logger } from 'pino'
import type { ClaimedJob, JobQueue } from './job-queue.js'

export interface JobContext {
  workerId: string
  /** Aborted when the lease is lost or the worker is stopped with `abortInFlight`. */
  signal: AbortSignal
  /** Extends the lease now (the worker also does it every leaseMs/3); false = lease lost. */
  heartbeat(): Promise<boolean>
}

export type JobHandler<P = unknown> = (job: ClaimedJob<P>, ctx: JobContext) => unknown

export interface WorkerOptions {
  /** Default `<hostname>:<pid>:<random>`; stored in jobs.locked_by. */
  workerId?: string
  /** Jobs run at once (default 4). */
  concurrency?: number
  /** Lease length (default 30 s); heartbeats every leaseMs/3 keep it alive. */
  leaseMs?: number
  /** Wait between polls when nothing is due (default 1 s). */
  pollIntervalMs?: number
  logger?: Logger
}

export class Worker {
  readonly workerId: string
  readonly #queue: JobQueue
  readonly #concurrency: number
  readonly #leaseMs: number
  readonly #pollIntervalMs: number
  readonly #log: Logger
  readonly #handlers = new Map<string, JobHandler>()
  readonly #inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>()
  #loop: Promise<void> | undefined
  #stopping = false
  #wake: (() => void) | undefined

  constructor(queue: JobQueue, options: WorkerOptions = {}) {
    this.#queue = queue
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    this.#concurrency = Math.max(1, options.concurrency ?? 4)
    this.#leaseMs = options.leaseMs ?? 30_000
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ workerId: this.workerId })
  }

  /** Registers the handler for a job kind; its return value (JSON) becomes the job's result. */
  register<P>(kind: string, handler: JobHandler<P>): this {
    if (this.#loop) throw new Error('register handlers before start()')
    this.#handlers.set(kind, handler as JobHandler)
    return this
  }

  get inFlight(): number {
    return this.#inFlight.size
  }

  start(): void {
    if (this.#loop) return
    this.#stopping = false
    this.#loop = this.#run()
  }

  /**
   * Stops claiming and resolves when in-flight handlers have finished (and been completed or
   * failed in the queue). With `abortInFlight`, their signals are aborted first.
   */
  async stop(options: { abortInFlight?: boolean } = {}): Promise<void> {
    this.#stopping = true
    this.#wake?.()
    if (options.abortInFlight) for (const f of this.#inFlight.values()) f.abort.abort(new Error('worker stopping'))
    await this.#loop
    await Promise.all([...this.#inFlight.values()].map((f) => f.promise))
    this.#loop = undefined
  }

  async #run(): Promise<void> {
    const kinds = [...this.#handlers.keys()]
    while (!this.#stopping) {
      while (!this.#stopping && this.#inFlight.size < this.#concurrency) {
        let job: ClaimedJob | undefined
        try {
          job = await this.#queue.claim(this.workerId, kinds, this.#leaseMs)
        } catch (err) {
          this.#log.error({ err }, 'job claim failed')
          break
        }
        if (!job) break
        this.#start(job)
      }
      if (this.#stopping) break
      // Full: sleep until a slot frees. Idle: poll again after the interval.
      await this.#sleep(this.#inFlight.size >= this.#concurrency ? undefined : this.#pollIntervalMs)
    }
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms)
      function done(): void {
        if (timer) clearTimeout(timer)
        resolve()
      }
      this.#wake = () => {
        this.#wake = undefined
        done()
      }
    })
  }

  #start(job: ClaimedJob): void {
    const abort = new AbortController()
    const promise = this.#execute(job, abort).finally(() => {
      this.#inFlight.delete(job.id)
      this.#wake?.()
    })
    this.#inFlight.set(job.id, { promise, abort })
  }

  async #execute(job: ClaimedJob, abort: AbortController): Promise<void> {
    const log = this.#log.child({ jobId: job.id, kind: job.kind, attempt: job.attempts })
    const heartbeat = async (): Promise<boolean> => {
      const held = await this.#queue.heartbeat(job, this.#leaseMs).catch((err: unknown) => {
        log.warn({ err }, 'job heartbeat failed')
        return true // a transient database error is not proof that the lease is lost
      })
      if (!held && !abort.signal.aborted) abort.abort(new Error('job lease lost'))
      return held
    }
    const timer = setInterval(() => void heartbeat(), Math.max(10, Math.floor(this.#leaseMs / 3)))
    try {
      const handler = this.#handlers.get(job.kind)
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
      const result = await handler(job, { workerId: this.workerId, signal: abort.signal, heartbeat })
      clearInterval(timer)
      if (!(await this.#queue.complete(job, result))) log.warn('job finished after its lease was lost; result discarded')
    } catch (err) {
      clearInterval(timer)
      const outcome = await this.#queue.fail(job, err).catch((failErr: unknown) => {
        log.error({ err: failErr }, 'recording job failure failed')
        return 'lost' as const
      })
      log[outcome === 'dead' ? 'error' : 'warn']({ err, outcome }, 'job failed')
    }
  }
}
