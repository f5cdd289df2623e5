// A clock for tests of the alert waits (R5.3-4): it starts at the wall clock and moves only when
// someone sleeps on it, at once. Shared by the probe (SelfHostedCheckOptions.clock) and the
// reference provider (startProvider's `now`), so a 60 s window passes in a few event-loop turns.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { ModerationClock } from './self-hosted-moderation-run.js'

export interface VirtualClock extends ModerationClock {
  /** Milliseconds slept in total. */
  slept(): number
}

export function virtualClock(startMs = Date.now()): VirtualClock {
  let now = startMs
  return {
    now: () => now,
    async sleep(ms, signal) {
      signal.throwIfAborted()
      now += Math.max(0, ms)
      await nextTurn()
    },
    slept: () => now - startMs,
  }
}
