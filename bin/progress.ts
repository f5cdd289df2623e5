// Progress on stderr while a probe or a package check runs (issue 18).
// - On a terminal: one bar redrawn in place, with the running check's own count (previews 40/120).
// - Anywhere else (CI logs, pipes): a plain line at most every `intervalMs` (phase, n/N, elapsed),
//   the first one interval in, so a CI log shows life long before the report is written.
// Progress is advisory: it never changes the verdict, and a broken stream cannot stall the run
// (the runner swallows a throwing sink).
import type { ProgressEvent } from '../conformance/checks/framework.js'
import { UsageError, type CliIo } from './io.js'

export const DEFAULT_PROGRESS_INTERVAL_S = 10

export interface ProgressOptions {
  /** Least time between two plain lines (non-terminal output); 0 writes a line for every event. */
  intervalMs?: number
  /** Injected clock (ms), for tests. */
  now?: () => number
}

export interface ProgressReporter {
  onProgress(event: ProgressEvent): void
  /** Ends the bar's line (terminal) or writes the closing plain line. */
  end(): void
}

/** `--progress-interval SECONDS`: a number ≥ 0. */
export function progressIntervalMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const seconds = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--progress-interval takes seconds, a number ≥ 0 (0 = a line for every step), got '${raw}'`)
  }
  return seconds * 1000
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

export function createProgress(io: CliIo, opts: ProgressOptions = {}): ProgressReporter {
  const now = opts.now ?? (() => performance.now())
  const started = now()
  const running = new Map<string, string>()
  let done = 0
  let total = 0
  const describe = (): string => {
    const inFlight = [...running.entries()].map(([id, step]) => (step ? `${id} ${step}` : id))
    return `${done}/${total} checks${inFlight.length ? ` · running ${inFlight.slice(0, 3).join(', ')}${inFlight.length > 3 ? ` +${inFlight.length - 3}` : ''}` : ''}`
  }
  const track = (e: ProgressEvent): void => {
    done = e.done
    total = e.total
    if (e.type === 'start') running.set(e.checkId, '')
    else if (e.type === 'step') running.set(e.checkId, `${e.step.done}/${e.step.total} ${e.step.unit}`)
    else running.delete(e.checkId)
  }

  if (io.stderr.isTTY) {
    let drawn = false
    return {
      onProgress(e) {
        track(e)
        const width = 24
        const filled = total === 0 ? width : Math.round((done / total) * width)
        io.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${describe().slice(0, 90).padEnd(90)}`)
        drawn = true
      },
      end() { if (drawn) io.stderr.write('\n') },
    }
  }

  const interval = opts.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_S * 1000
  // The first line comes one interval in: a run that ends sooner (an unreachable target: one line,
  // exit 3) prints no progress at all.
  let last = started
  let printed = false
  const line = (): void => {
    last = now()
    printed = true
    io.stderr.write(`progress: ${seconds(last - started)} · ${describe()}\n`)
  }
  return {
    onProgress(e) {
      track(e)
      if (now() - last >= interval) line()
    },
    end() {
      if (printed) io.stderr.write(`progress: ${seconds(now() - started)} · ${done}/${total} checks done\n`)
    },
  }
}
