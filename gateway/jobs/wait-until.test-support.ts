// Test support: poll a condition instead of sleeping a guessed duration (tests carry no timed
// assertions; tap's own timeout bounds a condition that never comes true).
import { setTimeout as sleep } from 'node:timers/promises'

export async function waitUntil(condition: () => boolean | Promise<boolean>, intervalMs = 20): Promise<void> {
  while (!(await condition())) await sleep(intervalMs)
}
