// CPU accounting for the media and package benchmarks, from Linux /proc (undefined elsewhere):
// - a process's own CPU and that of the children it has waited for (ffprobe, sha256sum): Node's
//   process.cpuUsage() leaves the children out, /proc/self/stat's cutime and cstime do not;
// - how busy the whole machine was over a window, so a run can say how much of the cores other
//   processes took while it ran (steal alone misses a neighbour on the same guest).
import { readdirSync, readFileSync } from 'node:fs'
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

/**
 * CPU of a process tree so far, in ms: every live process descended from `rootPid` (itself
 * included), each with its reaped children (cutime, cstime), read from /proc/<pid>/stat. A child
 * that exits between two readings moves from its own line to its parent's reaped share, so the
 * difference of two readings is the tree's CPU in between.
 */
export function processTreeCpuMs(rootPid: number = process.pid): number | undefined {
  try {
    const rows = new Map<number, { ppid: number; ticks: number }>()
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      } catch {
        continue // gone meanwhile
      }
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
      // proc(5) fields 4 (ppid) and 14-17 (utime stime cutime cstime), here at 1 and 11-14.
      rows.set(Number(name), { ppid: f[1]!, ticks: f[11]! + f[12]! + f[13]! + f[14]! })
    }
    if (!rows.has(rootPid)) return undefined
    const inTree = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 0 && hops < 64; hops++) {
        if (p === rootPid) return true
        p = rows.get(p)?.ppid ?? 0
      }
      return false
    }
    let ticks = 0
    for (const [pid, row] of rows) if (inTree(pid)) ticks += row.ticks
    return Math.round((ticks / TICKS_PER_SECOND) * 1000)
  } catch {
    return undefined
  }
}

/** A reading at the start of a round, for `othersShareSince`. */
export interface RoundMark { machine: MachineTicks | undefined; treeMs: number | undefined }

export const markRound = (): RoundMark => ({ machine: machineTicks(), treeMs: processTreeCpuMs() })

/**
 * Of the cores' capacity since `mark`, the share other processes took: the machine's busy CPU
 * (/proc/stat) minus this process tree's (/proc/<pid>/stat). A round is quiet when this is low;
 * steal alone misses neighbours inside the same guest, the usual case on a shared machine.
 */
export function othersShareSince(mark: RoundMark): number | undefined {
  const treeMs = processTreeCpuMs()
  if (mark.treeMs === undefined || treeMs === undefined) return undefined
  return machineShare(mark.machine, machineTicks(), treeMs - mark.treeMs)?.othersShare
}
