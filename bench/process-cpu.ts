// CPU accounting for the media and package benchmarks, from Linux /proc (undefined elsewhere):
// - a process's own CPU and that of the children it has waited for (ffprobe, sha256sum): Node's
//   process.cpuUsage() leaves the children out, /proc/self/stat's cutime and cstime do not;
// - how busy the whole machine was over a window, so a run can say how much of the cores other
//   processes took while it ran (steal alone misses a neighbour on the same guest).
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/** Clock ticks per second of /proc's counters (USER_HZ: 100 on every Linux build Node supports). */
const TICKS_PER_SECOND = 100

export interface OwnCpu { selfMs: number; childrenMs: number }

/** CPU of this process and of its reaped children so far, in ms. */
export function ownCpu(): OwnCpu | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
    // Fields 14-17 of proc(5), here at 11-14: utime stime cutime cstime.
    const ms = (ticks: number): number => Math.round((ticks / TICKS_PER_SECOND) * 1000)
    return { selfMs: ms(fields[11]! + fields[12]!), childrenMs: ms(fields[13]! + fields[14]!) }
  } catch {
    return undefined
  }
}

export interface MachineTicks { busy: number; total: number; steal: number }

export function machineTicks(): MachineTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    // user nice system idle iowait irq softirq steal
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number)
    const total = f.reduce((a, b) => a + b, 0)
    return { busy: total - f[3]! - f[4]! - f[7]!, total, steal: f[7]! }
  } catch {
    return undefined
  }
}

export interface MachineShare {
  cores: number
  /** CPU ms all processes spent over the window. */
  busyMs: number
  /** Of the cores' capacity over the window, the share taken by processes other than `ownMs`. */
  othersShare: number
  stealShare: number
}

/** How the machine's CPU was spent between two readings, given what the measured processes used. */
export function machineShare(from: MachineTicks | undefined, to: MachineTicks | undefined, ownMs: number): MachineShare | undefined {
  if (!from || !to || to.total <= from.total) return undefined
  const cores = availableParallelism()
  const perTickMs = 1000 / TICKS_PER_SECOND
  const capacityMs = ((to.total - from.total) * perTickMs)
  const busyMs = (to.busy - from.busy) * perTickMs
  const round3 = (x: number): number => Math.round(x * 1000) / 1000
  return {
    cores,
    busyMs: Math.round(busyMs),
    othersShare: round3(Math.max(0, busyMs - ownMs) / capacityMs),
    stealShare: round3(((to.steal - from.steal) * perTickMs) / capacityMs),
  }
}
