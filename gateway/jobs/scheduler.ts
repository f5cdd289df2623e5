// Cron schedules that only ENQUEUE. Every gateway instance runs the same schedules, and each tick
// is enqueued under the idempotency key `<schedule name>:<tick time truncated to the cron's
// resolution>` (UTC ISO), so however many instances fire, one job exists per tick and a Worker
// somewhere runs it once. Ticks missed while every instance was down are not back-filled.
import cron from 'node-cron'
import type { ScheduledTask } from 'node-cron'
import pino from 'pino'
import type { Logger } from 'pino'
import type { Job, JobQueue } from './job-queue.js'

export type TickPeriod = 'second' | 'minute' | 'hour' | 'day'

export interface ScheduleDefinition<P = unknown> {
  /** Unique per gateway; part of the idempotency key, so renaming a schedule re-runs its current tick. */
  name: string
  /** node-cron expression: 5 fields, or 6 with seconds first. */
  cron: string
  /** Job kind to enqueue. */
  kind: string
  payload?: P | ((tick: Date) => P)
  /** IANA zone the cron expression is read in (default Asia/Shanghai). */
  timezone?: string
  /**
   * Granularity of the key. Default: second for 6-field expressions, minute otherwise. Coarser
   * (e.g. 'day' for a daily job) also absorbs instances whose clocks disagree by more than that.
   */
  period?: TickPeriod
  maxAttempts?: number
}

const PERIOD_ISO_LENGTH: Record<TickPeriod, number> = { second: 19, minute: 16, hour: 13, day: 10 }

/** The idempotency key of one tick. */
export function tickKey(name: string, at: Date, period: TickPeriod): string {
  return `${name}:${at.toISOString().slice(0, PERIOD_ISO_LENGTH[period])}`
}

export function defaultPeriod(expression: string): TickPeriod {
  return expression.trim().split(/\s+/).length === 6 ? 'second' : 'minute'
}

export class Scheduler {
  readonly #queue: JobQueue
  readonly #log: Logger
  readonly #definitions = new Map<string, ScheduleDefinition>()
  readonly #tasks: ScheduledTask[] = []

  readonly #onTick: ((name: string, outcome: { job: Job; created: boolean }) => void) | undefined

  /** `onTick` sees every enqueue attempt: `created: false` means another instance had the tick. */
  constructor(queue: JobQueue, options: { logger?: Logger; onTick?: (name: string, outcome: { job: Job; created: boolean }) => void } = {}) {
    this.#queue = queue
    this.#log = options.logger ?? pino({ level: 'silent' })
    this.#onTick = options.onTick
  }

  add<P>(definition: ScheduleDefinition<P>): this {
    if (this.#definitions.has(definition.name)) throw new Error(`schedule ${definition.name} is defined twice`)
    if (!cron.validate(definition.cron)) throw new Error(`schedule ${definition.name}: invalid cron expression ${definition.cron}`)
    this.#definitions.set(definition.name, definition as ScheduleDefinition)
    return this
  }

  /** Enqueues the job of schedule `name` for the tick at `at` (idempotent per tick). */
  async tick(name: string, at: Date): Promise<{ job: Job; created: boolean }> {
    const def = this.#definitions.get(name)
    if (!def) throw new Error(`unknown schedule ${name}`)
    const payload = typeof def.payload === 'function' ? (def.payload as (tick: Date) => unknown)(at) : (def.payload ?? null)
    return this.#queue.enqueue({
      kind: def.kind,
      payload,
      idempotencyKey: tickKey(def.name, at, def.period ?? defaultPeriod(def.cron)),
      ...(def.maxAttempts === undefined ? {} : { maxAttempts: def.maxAttempts }),
    })
  }

  start(): void {
    if (this.#tasks.length > 0) return
    const logger = {
      info: (m: string) => this.#log.info(m),
      warn: (m: string) => this.#log.warn(m),
      error: (m: string | Error) => this.#log.error({ err: m }, 'node-cron error'),
      debug: (m: string | Error) => this.#log.debug(String(m)),
    }
    for (const def of this.#definitions.values()) {
      const task = cron.schedule(
        def.cron,
        async (ctx) => {
          try {
            const outcome = await this.tick(def.name, ctx.date)
            const { job, created } = outcome
            this.#onTick?.(def.name, outcome)
            this.#log.debug({ schedule: def.name, jobId: job.id, created }, 'schedule tick')
          } catch (err) {
            this.#log.error({ err, schedule: def.name }, 'schedule tick could not be enqueued')
          }
        },
        { name: def.name, timezone: def.timezone ?? 'Asia/Shanghai', logger, suppressMissedWarning: true },
      )
      this.#tasks.push(task)
    }
  }

  async stop(): Promise<void> {
    const tasks = this.#tasks.splice(0)
    await Promise.all(tasks.map(async (t) => {
      await t.stop()
      await t.destroy()
    }))
  }
}
