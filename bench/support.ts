// Shared by the benchmarks: the median of repeated runs, and running a load generator in a child
// process of the same script (so it never competes with the server for the event loop).
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Forks `scriptUrl` with `payload` in env var `envName`; resolves with the first message it sends. */
export function forkWithPayload<T>(scriptUrl: string, envName: string, payload: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(scriptUrl), [], { env: { ...process.env, [envName]: JSON.stringify(payload) } })
    child.once('message', (m) => resolve(m as T))
    child.once('error', reject)
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`)) })
  })
}

/**
 * CPU time the hypervisor gave to other guests (steal), as a share of all CPU time since `from`
 * (Linux /proc/stat; undefined elsewhere). A virtual machine's neighbours can take half the
 * machine for seconds at a time: a round measured under steal is not comparable with one without.
 */
export interface CpuTicks { steal: number; total: number }
export function cpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    const fields = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user/nice]
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) }
  } catch {
    return undefined
  }
}
export function stealPercent(from: CpuTicks | undefined, to: CpuTicks | undefined = cpuTicks()): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined
  return Math.round(((to.steal - from.steal) / (to.total - from.total)) * 1000) / 10
}
