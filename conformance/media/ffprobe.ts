// Locating and running ffprobe. The binary is found in a fixed order (FFPROBE env, `ffprobe` on
// PATH, the npm-shipped build) and always run without a shell, with `-protocol_whitelist file`
// (ffprobe never touches the network: the probe client downloads media and hands us local files),
// a wall-clock timeout that kills it, and a cap on how many bytes of output we accept.
// The npm build (@ffprobe-installer, a static glibc build) segfaults on MPEG-TS when it finds the
// host's gconv modules, so it always runs with GCONV_PATH=/nonexistent.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { sgError } from '../../specs/lib/errors.js'
import { findTool, isExecutable, toolEnv, type ToolSource } from './tool-lookup.js'

export type FfprobeSource = ToolSource

export interface FfprobeBinary {
  path: string
  source: FfprobeSource
  /** First word after "ffprobe version", e.g. "5.1.9-0+deb12u1". */
  version: string
  /** Extra environment the binary needs (GCONV_PATH for the npm build). */
  env: Readonly<Record<string, string>>
}

const require = createRequire(import.meta.url)
const NPM_PACKAGE_MARK = '/@ffprobe-installer/'

/** Path of the npm-shipped ffprobe, or undefined when the package is not installed. */
export function npmFfprobePath(): string | undefined {
  try {
    return (require('@ffprobe-installer/ffprobe') as { path: string }).path
  } catch {
    return undefined
  }
}

/** Describe a specific ffprobe executable (version and the env it needs), or throw SG_ERR_MEDIA_TOOL_MISSING. */
export async function describeFfprobe(path: string, source: FfprobeSource): Promise<FfprobeBinary> {
  if (!(await isExecutable(path))) throw sgError('SG_ERR_MEDIA_TOOL_MISSING', `${path} (${source}) is not an executable file`)
  const env = await toolEnv(path, NPM_PACKAGE_MARK)
  const bin: FfprobeBinary = { path, source, version: 'unknown', env }
  const out = await runFfprobe(bin, ['-version'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024, raw: true })
  const version = /ffprobe version (\S+)/.exec(out.stdout)?.[1]
  if (out.exitCode !== 0 || !version) {
    throw sgError('SG_ERR_MEDIA_TOOL_MISSING', `${path} (${source}) did not answer -version like ffprobe`, {
      exitCode: out.exitCode,
      signal: out.signal,
    })
  }
  return { ...bin, version }
}

export interface ResolveFfprobeOptions {
  /** Environment to read FFPROBE and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv
}

/**
 * Find ffprobe: `FFPROBE` (must be usable if set: a broken explicit choice is an error, not a
 * reason to silently use another binary), then `ffprobe` on PATH, then the npm build.
 */
export function resolveFfprobe(opts: ResolveFfprobeOptions = {}): Promise<FfprobeBinary> {
  return findTool({
    name: 'ffprobe', envVar: 'FFPROBE', npmPath: npmFfprobePath, describe: describeFfprobe,
    missing: () => sgError('SG_ERR_MEDIA_TOOL_MISSING', 'FFPROBE is unset, no ffprobe on PATH and @ffprobe-installer/ffprobe is not installed'),
  }, opts.env ?? process.env)
}

export interface RunOptions {
  /** Kill ffprobe after this many ms (default 60 s) and fail with SG_ERR_MEDIA_TIMEOUT. */
  timeoutMs?: number
  /** Kill ffprobe once stdout exceeds this many bytes (default 8 MiB) and fail with SG_ERR_MEDIA_TOO_LARGE. */
  maxOutputBytes?: number
  /** Receive stdout line by line instead of buffering it (stdout in the result is then ''). */
  onLine?: (line: string) => void
  /** Do not prepend the standard safety arguments (only for -version). */
  raw?: boolean
}

export interface RunResult {
  stdout: string
  /** The tail of stderr (ffprobe's own diagnostics), at most 4 KiB. */
  stderr: string
  exitCode: number | null
  signal: NodeJS.Signals | null
}

/** Arguments every media probe starts with. */
export const SAFE_ARGS: readonly string[] = ['-hide_banner', '-v', 'error', '-protocol_whitelist', 'file']

/** The input argument for a local file: a `file:` URL-ish path, so names with ':' are never read as protocols. */
export const fileInput = (path: string): string => `file:${resolve(path)}`

/**
 * Run ffprobe with `args` (after SAFE_ARGS). Resolves with the exit status whatever it is: a
 * non-zero exit or a crash on hostile media is a measurement outcome, not an exception. Rejects
 * only on timeout, oversize output, or when the binary cannot be started.
 */
export function runFfprobe(bin: FfprobeBinary, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000
  const maxOutputBytes = opts.maxOutputBytes ?? 8 * 1024 * 1024
  const fullArgs = opts.raw ? [...args] : [...SAFE_ARGS, ...args]
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin.path, fullArgs, {
      env: { ...process.env, ...bin.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    })
    let failure: Error | undefined
    const fail = (err: Error): void => {
      failure ??= err
      child.kill('SIGKILL')
    }
    const timer = setTimeout(
      () => fail(sgError('SG_ERR_MEDIA_TIMEOUT', `ffprobe ran longer than ${timeoutMs} ms`, { timeoutMs })),
      timeoutMs,
    )
    let outBytes = 0
    const chunks: Buffer[] = []
    let partial = ''
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length
      if (outBytes > maxOutputBytes) {
        fail(sgError('SG_ERR_MEDIA_TOO_LARGE', `ffprobe produced more than ${maxOutputBytes} bytes of output`, { maxOutputBytes }))
        return
      }
      if (!opts.onLine) {
        chunks.push(chunk)
        return
      }
      partial += chunk.toString('utf8')
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      try {
        for (const line of lines) opts.onLine(line)
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)))
      }
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096)
    })
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(sgError('SG_ERR_MEDIA_TOOL_MISSING', `cannot start ${bin.path}: ${err.message}`, undefined, err))
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      if (failure) return reject(failure)
      if (opts.onLine && partial) {
        try {
          opts.onLine(partial)
        } catch (err) {
          return reject(err instanceof Error ? err : new Error(String(err)))
        }
      }
      resolvePromise({ stdout: Buffer.concat(chunks).toString('utf8'), stderr: stderr.trim(), exitCode, signal })
    })
  })
}

/** ffprobe's JSON for -show_format -show_streams (only the fields skillgate reads). */
export interface ProbeJson {
  format?: { format_name?: string; duration?: string; size?: string; bit_rate?: string; tags?: Record<string, string> }
  streams?: Array<{
    index: number
    codec_type?: string
    codec_name?: string
    duration?: string
    width?: number
    height?: number
    sample_rate?: string
    disposition?: Record<string, number>
  }>
}

export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  return lines[lines.length - 1] ?? ''
}
