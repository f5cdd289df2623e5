// One measurement, one child process (bench/media and bench/package): the child times its work
// between two window marks sent over IPC and reports its own peak RSS and CPU (its reaped
// children's apart); the parent, which meanwhile only serves (the reference platform) or waits,
// adds its own CPU over exactly that window and how much of the machine other processes took.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { machineShare, machineTicks, markRound, othersShareSince, ownCpu } from './process-cpu.js'

export type Run = Record<string, unknown>

const peakMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)

/** In the child: run `work` inside the measured window and return what it cost. */
export async function inWindow<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakRssMiB: number; cpuMs?: { self: number; children: number } }> {
  process.send?.('window-start')
  const cpu = ownCpu()
  const started = performance.now()
  const result = await work()
  const ms = Math.round(performance.now() - started)
  const after = ownCpu()
  process.send?.('window-end')
  return { result, ms, peakRssMiB: peakMiB(), ...(cpu && after ? { cpuMs: { self: after.selfMs - cpu.selfMs, children: after.childrenMs - cpu.childrenMs } } : {}) }
}

export interface ForkOptions { env?: NodeJS.ProcessEnv; execArgv?: readonly string[]; timeoutMs?: number }

/** In the parent: fork `scriptUrl` with `args`; resolves with the JSON it printed plus the window's accounting. */
export async function forkMeasurement(scriptUrl: string, args: readonly string[], opts: ForkOptions = {}): Promise<Run> {
  const ticks = machineTicks()
  const round = markRound()
  const child = fork(fileURLToPath(scriptUrl), [...args], {
    execArgv: [...process.execArgv, ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  let windowStart: NodeJS.CpuUsage | undefined
  let parentCpuMs = 0
  child.on('message', (m) => {
    if (m === 'window-start') windowStart = process.cpuUsage()
    else if (m === 'window-end' && windowStart) {
      const d = process.cpuUsage(windowStart)
      parentCpuMs = Math.round((d.user + d.system) / 1000)
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60 * 60_000)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  }).finally(() => clearTimeout(timer))
  if (code !== 0) throw new Error(`bench child ${args.join(' ')} exited with ${String(code)}`)
  const run = JSON.parse(stdout) as Run
  const cpu = run.cpuMs as { self: number; children: number } | undefined
  const machine = machineShare(ticks, machineTicks(), (cpu ? cpu.self + cpu.children : 0) + parentCpuMs)
  // What other processes took: the machine's busy CPU minus this bench's whole process tree's over
  // the child's life (its start-up included), which the window figures above leave out.
  const othersShare = othersShareSince(round)
  return { ...run, parentCpuMs, ...(machine ? { machine: { ...machine, ...(othersShare === undefined ? {} : { othersShare }) } } : {}) }
}
