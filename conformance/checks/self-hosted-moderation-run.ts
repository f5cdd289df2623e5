// The shared moderation run of R5.3-4 (specs/canaries/README.md): every canary and clean control
// uploaded in every delivery form as tenant A, then the alert feed polled until every blocked
// canary has its alert or the spec's window has passed. The clean controls get their own, longer
// watch: an alert about one may come at any time within the window after its upload, so the feed
// is watched for the whole window (60 s), not only until the canary alerts are through.
// Waiting runs on an injectable clock, so tests cover the full window without waiting it.
import { setTimeout as sleep } from 'node:timers/promises'
import { loadCanaries, renderCanaryUpload, type Canary, type CanaryDelivery } from '../../specs/lib/canaries.js'
import type { ModerationAlert, ModerationAlertPage } from '../../specs/types.gen.js'
import type { ProbeResponse } from '../net/probe-client.js'
import type { ProbeContext } from '../probe-context.js'
import { timestamp } from './framework.js'
import { mapLimit } from './map-limit.js'
import { tenantsOf, upload, type Uploaded } from './self-hosted-objects.js'

/** What the alert waits read and how they pause. */
export interface ModerationClock {
  /** Epoch milliseconds. */
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export const wallClock: ModerationClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
}

export interface SelfHostedCheckOptions {
  /**
   * The clock of the alert waits; default the wall clock. The window itself is always the spec's
   * `alertWithinSeconds` (60 s): tests inject a virtual clock instead of shortening it.
   */
  clock?: ModerationClock
  /** First and longest pause between alert-feed polls. */
  pollMs?: { first: number; max: number }
}

export interface ModerationUpload { canary: Canary; delivery: CanaryDelivery; uploaded: Uploaded; doneAtMs: number }

export interface FeedWatch {
  /** Alerts read from the feed since just before the first upload, by objectId. */
  alerts: Map<string, ModerationAlert[]>
  polls: number
  lastResponse?: ProbeResponse
  /** Why the feed could not be read to its end, when it could not. */
  problem?: string
  /** Clock time spent watching. */
  waitedMs: number
}

export interface ModerationRun {
  uploads: ModerationUpload[]
  feed: FeedWatch
  limitSeconds: number
  since: string
}

const DEFAULT_POLL = { first: 500, max: 8_000 }

async function readFeed(ctx: ProbeContext, since: string, signal: AbortSignal, into: Map<string, ModerationAlert[]>): Promise<{ response?: ProbeResponse; problem?: string }> {
  let cursor: string | undefined
  const seen = new Set<string>()
  let response: ProbeResponse | undefined
  for (let page = 0; page < 1000; page++) {
    response = await ctx.client.request({ url: ctx.url('/v1/moderation/alerts', cursor ? { cursor, limit: 500 } : { since, limit: 500 }), signal })
    const doc = response.json as Partial<ModerationAlertPage> | undefined
    if (response.status !== 200 || !doc || !Array.isArray(doc.items)) return { response, problem: `the alert feed answered ${response.status}${response.status === 200 ? ' without an items array' : ''}` }
    for (const a of doc.items) {
      if (!a || typeof a.objectId !== 'string' || typeof a.alertId !== 'string') continue
      const list = into.get(a.objectId) ?? []
      if (!list.some((x) => x.alertId === a.alertId)) list.push(a)
      into.set(a.objectId, list)
    }
    if (typeof doc.nextCursor !== 'string' || seen.has(doc.nextCursor)) return { response }
    seen.add(doc.nextCursor)
    cursor = doc.nextCursor
  }
  return { ...(response ? { response } : {}), problem: 'the alert feed did not end within 1000 pages' }
}

export const alertMatches = (u: ModerationUpload, alerts: ModerationAlert[] | undefined): boolean =>
  (alerts ?? []).some((a) => a.category === u.canary.category && a.action === 'blocked')

/**
 * Poll the feed with back-off until `done` holds, the feed fails, or the clock reaches `until`.
 * The first poll is immediate when `pollFirst`; the watch of the controls sleeps first instead.
 */
async function watchFeed(ctx: ProbeContext, o: SelfHostedCheckOptions, signal: AbortSignal, since: string, alerts: Map<string, ModerationAlert[]>, until: number, done: () => boolean, pollFirst: boolean): Promise<FeedWatch> {
  const clock = o.clock ?? wallClock
  const poll = o.pollMs ?? DEFAULT_POLL
  const started = clock.now()
  let delay = poll.first
  let polls = 0
  let last: { response?: ProbeResponse; problem?: string } | undefined
  for (let first = pollFirst; ; first = false) {
    if (!first) {
      if (done() || clock.now() >= until) break
      await clock.sleep(Math.min(delay, Math.max(0, until - clock.now())), signal)
      delay = Math.min(delay * 2, poll.max)
    }
    last = await readFeed(ctx, since, signal, alerts)
    polls++
    if (last.problem) break
  }
  return { alerts, polls, waitedMs: clock.now() - started, ...(last?.response ? { lastResponse: last.response } : {}), ...(last?.problem ? { problem: last.problem } : {}) }
}

/** Upload every canary and control in every delivery form, then wait for the canary alerts. */
export function moderationRun(ctx: ProbeContext, o: SelfHostedCheckOptions, signal: AbortSignal): Promise<ModerationRun> {
  return ctx.once('self-hosted:moderation', async () => {
    const { A } = tenantsOf(ctx)
    const clock = o.clock ?? wallClock
    const set = loadCanaries()
    const limitSeconds = set.alertWithinSeconds
    // The platform's clock decides what "since" means; ours only decides how long we wait.
    const first = await ctx.client.request({ url: ctx.url('/v1/moderation/alerts', { limit: 1 }), signal })
    const serverTime = Date.parse((first.json as Partial<ModerationAlertPage> | undefined)?.serverTime ?? '')
    const since = timestamp(new Date((Number.isFinite(serverTime) ? serverTime : clock.now()) - 5_000))
    const jobs = [...set.canaries, ...set.controls].flatMap((canary) => set.deliveries.map((delivery) => ({ canary, delivery })))
    const uploads = await mapLimit(jobs, Math.min(4, ctx.settings.concurrency), async ({ canary, delivery }): Promise<ModerationUpload> => {
      const uploaded = await upload(ctx, A, renderCanaryUpload(canary, delivery))
      return { canary, delivery, uploaded, doneAtMs: clock.now() }
    }, signal)
    const until = Math.max(...uploads.map((u) => u.doneAtMs)) + limitSeconds * 1000
    const expected = uploads.filter((u) => u.canary.category !== null && u.uploaded.object)
    const alerts = new Map<string, ModerationAlert[]>()
    const done = (): boolean => expected.every((u) => alertMatches(u, alerts.get(u.uploaded.object!.objectId)))
    const feed = await watchFeed(ctx, o, signal, since, alerts, until, done, true)
    return { uploads, feed, limitSeconds, since }
  })
}

export interface ControlWatch extends FeedWatch {
  /** The spec's window, seconds after the last control upload. */
  windowSeconds: number
  /** Clock time from the last control upload to the end of the watch. */
  watchedMs: number
}

/**
 * R5.3-4 controls: keep reading the feed until the spec's full window after the last clean control
 * upload has passed, or an alert about a control shows up (no need to wait further then).
 */
export function controlWatch(ctx: ProbeContext, o: SelfHostedCheckOptions, signal: AbortSignal): Promise<ControlWatch> {
  return ctx.once('self-hosted:moderation-controls', async () => {
    const run = await moderationRun(ctx, o, signal)
    const clock = o.clock ?? wallClock
    const controls = run.uploads.filter((u) => u.canary.category === null)
    const ids = controls.flatMap((u) => (u.uploaded.object ? [u.uploaded.object.objectId] : []))
    const lastUpload = Math.max(...controls.map((u) => u.doneAtMs))
    const until = lastUpload + run.limitSeconds * 1000
    const alerts = new Map([...run.feed.alerts].map(([k, v]) => [k, [...v]]))
    const alerted = (): boolean => ids.some((id) => (alerts.get(id) ?? []).length > 0)
    const watch = run.feed.problem
      ? { ...run.feed, alerts }
      : await watchFeed(ctx, o, signal, run.since, alerts, until, alerted, false)
    return { ...watch, polls: run.feed.polls + (run.feed.problem ? 0 : watch.polls), windowSeconds: run.limitSeconds, watchedMs: clock.now() - lastUpload }
  })
}

export const uploadLabel = (u: ModerationUpload): string => `${u.canary.id}/${u.delivery.id}`
