// Finding a media tool (ffprobe for the kit, ffmpeg for the fixture generators) in one fixed order:
// the tool's environment variable (a broken explicit choice is an error, not a reason to use
// another binary), then the name on PATH (Debian's package), then the optional npm build. The npm
// builds are static glibc binaries that must not load the host's gconv modules, so they run with
// GCONV_PATH=/nonexistent. Each lookup is cached per (variable, PATH); a failed one is retried.
import { constants } from 'node:fs'
import { access, realpath } from 'node:fs/promises'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

export type ToolSource = 'env' | 'path' | 'npm'

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export async function onPath(name: string, pathVar: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue
    const candidate = join(dir, name)
    if (await isExecutable(candidate)) return candidate
  }
  return undefined
}

/** The extra environment a binary needs: GCONV_PATH for a build shipped in `npmMark` (e.g. '/@ffprobe-installer/'). */
export async function toolEnv(path: string, npmMark: string): Promise<Record<string, string>> {
  const real = await realpath(path).catch(() => path)
  return real.includes(npmMark) || path.includes(npmMark) ? { GCONV_PATH: '/nonexistent' } : {}
}

export interface ToolLookup<B> {
  /** Executable name on PATH, and the environment variable that names it explicitly. */
  name: string
  envVar: string
  npmPath: () => string | undefined
  describe: (path: string, source: ToolSource) => Promise<B>
  /** The error when none of the three exists. */
  missing: () => Error
}

const cache = new Map<string, Promise<unknown>>()

export function findTool<B>(lookup: ToolLookup<B>, env: NodeJS.ProcessEnv): Promise<B> {
  const key = JSON.stringify([lookup.name, env[lookup.envVar] ?? null, env.PATH ?? null])
  let hit = cache.get(key) as Promise<B> | undefined
  if (!hit) {
    hit = (async () => {
      const explicit = env[lookup.envVar]
      if (explicit) return lookup.describe(resolve(explicit), 'env')
      const fromPath = await onPath(lookup.name, env.PATH)
      if (fromPath) return lookup.describe(fromPath, 'path')
      const npm = lookup.npmPath()
      if (npm) return lookup.describe(npm, 'npm')
      throw lookup.missing()
    })()
    cache.set(key, hit)
    hit.catch(() => cache.delete(key))
  }
  return hit
}
