// Shared by the benchmarks: the median of repeated runs, and running a load generator in a child
// process of the same script (so it never competes with the server for the event loop).
import { fork } from 'node:child_process'
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
