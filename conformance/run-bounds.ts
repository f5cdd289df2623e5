// How long a platform run may take and how far a catalogue walk may go, from what the platform
// declares (service-info `courseCount`, spec 1.1) and the page size. The formulas are published in
// specs/schemas/service-info.schema.json (courseCount), specs/schemas/probe-config.schema.json
// (runDeadlineSeconds) and the OpenAPI description of GET /v1/courses; a test holds them equal.

/** Slack over the declared count (courses added while the walk runs) and extra pages (short pages). */
export const PAGE_BOUND = { factor: 1.25, extraPages: 10 } as const
/** Default run deadline: base + per declared course; a fixed default when nothing is declared. */
export const RUN_DEADLINE = { baseSeconds: 600, perCourseSeconds: 0.5, undeclaredSeconds: 3_600 } as const

/** Pages a full walk at page size `limit` may take when the platform declares `courseCount`. */
export function declaredPageCap(courseCount: number, limit: number): number {
  return Math.ceil((PAGE_BOUND.factor * courseCount) / limit) + PAGE_BOUND.extraPages
}

/** The default overall deadline in seconds (`--deadline` and `runDeadlineSeconds` override it). */
export function defaultRunDeadlineSeconds(courseCount: number | undefined): number {
  return courseCount === undefined ? RUN_DEADLINE.undeclaredSeconds : RUN_DEADLINE.baseSeconds + Math.ceil(RUN_DEADLINE.perCourseSeconds * courseCount)
}

/** A one-shot timer: `arm(ms, fire)` returns its cancel. Tests inject one that fires on their signal. */
export type DeadlineTimer = (ms: number, fire: () => void) => () => void

export const realTimer: DeadlineTimer = (ms, fire) => {
  const t = setTimeout(fire, ms)
  t.unref?.()
  return () => clearTimeout(t)
}

/**
 * The run's deadline as an AbortSignal: armed at the start for `explicitSeconds`, or for the
 * undeclared default and re-armed (from the same start) once the declared course count is known.
 */
export function runDeadline(o: { explicitSeconds?: number; timer?: DeadlineTimer; now?: () => number }): { signal: AbortSignal; declare(courseCount: number | undefined): void; armedMs(): number; stop(): void } {
  const controller = new AbortController()
  const timer = o.timer ?? realTimer
  const now = o.now ?? Date.now
  const started = now()
  let armed = 0
  let cancel = (): void => {}
  const arm = (totalMs: number): void => {
    cancel()
    armed = totalMs
    const seconds = totalMs / 1000
    cancel = timer(Math.max(0, totalMs - (now() - started)), () => controller.abort(new Error(`the run deadline of ${seconds} s passed`)))
  }
  arm((o.explicitSeconds ?? defaultRunDeadlineSeconds(undefined)) * 1000)
  return {
    signal: controller.signal,
    declare(courseCount) {
      if (o.explicitSeconds === undefined && courseCount !== undefined && !controller.signal.aborted) arm(defaultRunDeadlineSeconds(courseCount) * 1000)
    },
    armedMs: () => armed,
    stop: () => cancel(),
  }
}
