// `skillgate fixtures serve|package|defects`: run a reference provider platform locally (compliant,
// or with defect switches) and build sample course packages, so provider engineers can see what a
// passing and a failing platform look like before pointing the kit at their own.
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { PackageDefect } from '../../fixtures/packages/generate.js'
import { DEFECTS, isDefectName, startProvider, type DefectInfo } from '../../fixtures/providers/index.js'
import { isMediaProfile, MEDIA_PROFILES, type MediaProfile } from '../../fixtures/media/profiles.js'
import { skillgateCacheDir } from '../../fixtures/media/cache.js'
import { EXIT, UsageError, type CliIo, type Command } from '../io.js'

export const SECRET_ENV = 'SKILLGATE_FIXTURE_SECRET'

const usage = `
Usage:
  skillgate fixtures serve on-demand|self-hosted [options]
      run a reference provider platform until Ctrl-C
        --port P            listen port (default: a free port)
        --host ADDR         listen address (default 127.0.0.1)
        --courses N         live courses (default 120)
        --seed S            catalogue seed (default 1)
        --defect NAME       switch one behaviour wrong; repeat for several (see: skillgate fixtures defects)
        --key-id ID         signing key id (default fixture-key-1)
        --secret S          signing secret (default: $${SECRET_ENV}, else generated and printed once to stderr)
        --public-host NAME  host name used in API URLs and declared hosts (default 127.0.0.1)
        --media-host NAME   host name used in preview media URLs (default: the public host)
        --media-profile P   tiny (default: 64x36, 1 fps) or realistic (640x360, 25 fps, H.264/AAC,
                            ~1 Mbit/s; encoded once, minutes, then cached)
        --hls-percent N     share of courses previewed as HLS, 0-100 (default 50)
        --media-latency-ms N     delay every media answer by N ms (default 0)
        --media-bandwidth-mbit N one link of N Mbit/s shared by all media answers (default unlimited)
  skillgate fixtures package OUT.zip [--courses N] [--seed S] [--defect NAME ...] [--media-profile P]
      write a sample course package (resource providers); realistic: ~85 MB a course
  skillgate fixtures defects
      list the defect switches of the reference platforms

Media is generated with ffmpeg (FFMPEG, else ffmpeg on PATH, else @ffmpeg-installer/ffmpeg) and
cached in $SKILLGATE_CACHE_DIR, else $XDG_CACHE_HOME/skillgate, else ~/.cache/skillgate.
`

const stops = new Set<() => void>()
/** Ends every running `fixtures serve` in this process (what SIGINT does; for in-process tests). */
export function stopServing(): void {
  for (const stop of [...stops]) stop()
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`)
  return Number(value)
}

function decimal(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`)
  return Number(value)
}

function mediaProfile(value: string | undefined): MediaProfile | undefined {
  if (value === undefined) return undefined
  if (!isMediaProfile(value)) throw new UsageError(`--media-profile must be ${MEDIA_PROFILES.join(' or ')}, got "${value}"`)
  return value
}

function hlsShare(value: string | undefined): number | undefined {
  const percent = positiveInt('hls-percent', value)
  if (percent === undefined) return undefined
  if (percent > 100) throw new UsageError(`--hls-percent must be 0-100, got ${percent}`)
  return percent / 100
}

/** Realistic media is encoded on first use: say so before the wait, and where it will be kept. */
function announceRealistic(profile: MediaProfile | undefined, io: CliIo): void {
  if (profile === 'realistic') io.stderr.write(`realistic media: the first run encodes 12 minutes of video once (minutes), cached in ${skillgateCacheDir(io.env)}\n`)
}

const bytesText = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${n} B`)

async function serve(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, courses: { type: 'string' }, seed: { type: 'string' },
      defect: { type: 'string', multiple: true }, 'key-id': { type: 'string' }, secret: { type: 'string' },
      'public-host': { type: 'string' }, 'media-host': { type: 'string' }, 'media-profile': { type: 'string' },
      'hls-percent': { type: 'string' }, 'media-latency-ms': { type: 'string' }, 'media-bandwidth-mbit': { type: 'string' },
    },
  })
  const kind = positionals[0]
  if (kind !== 'on-demand' && kind !== 'self-hosted') {
    throw new UsageError(kind === undefined ? 'fixtures serve needs a platform kind: on-demand or self-hosted' : `unknown platform kind '${kind}': fixtures serve takes on-demand (点播) or self-hosted (自有课)`)
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)
  const defects = values.defect ?? []
  const unknown = defects.filter((d) => !isDefectName(d))
  if (unknown.length > 0) throw new UsageError(`unknown defect ${unknown.join(', ')}; run 'skillgate fixtures defects' to list them`)
  const keyId = values['key-id'] ?? 'fixture-key-1'
  const given = values.secret ?? io.env[SECRET_ENV]
  const secret = given ?? randomBytes(24).toString('base64url')
  const profile = mediaProfile(values['media-profile'])
  const share = hlsShare(values['hls-percent'])
  const latency = positiveInt('media-latency-ms', values['media-latency-ms'])
  const bandwidth = decimal('media-bandwidth-mbit', values['media-bandwidth-mbit'])
  announceRealistic(profile, io)
  const provider = await startProvider({
    kind,
    defects,
    keys: { [keyId]: secret },
    ...(values.port !== undefined ? { port: positiveInt('port', values.port)! } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.courses !== undefined ? { courses: positiveInt('courses', values.courses)! } : {}),
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    ...(values['public-host'] !== undefined ? { publicHost: values['public-host'] } : {}),
    ...(values['media-host'] !== undefined ? { mediaHost: values['media-host'] } : {}),
    ...(profile !== undefined ? { mediaProfile: profile } : {}),
    ...(share !== undefined ? { hlsShare: share } : {}),
    ...(latency !== undefined ? { mediaLatencyMs: latency } : {}),
    ...(bandwidth !== undefined ? { mediaBandwidthMbit: bandwidth } : {}),
  })
  io.stdout.write([
    `${kind} reference platform${defects.length > 0 ? ` with defects: ${defects.join(', ')}` : ' (compliant)'}`,
    `base URL: ${provider.url}`,
    `media:    ${provider.mediaUrl} (${provider.media.profile}; MP4 ${bytesText(provider.media.fullBytes.mp4)}, HLS ${bytesText(provider.media.fullBytes.hls)} in ${provider.media.hlsSegmentSeconds} s segments)`,
    `key id:   ${provider.keyId}`,
    `secret:   $${SECRET_ENV}`,
    ...(kind === 'self-hosted' ? [`tenants:  A=${provider.tenants.A.tenantId} B=${provider.tenants.B.tenantId} (tokens on stderr)`] : []),
    'Ctrl-C stops it.',
    '',
  ].join('\n'))
  if (given === undefined) io.stderr.write(`export ${SECRET_ENV}=${secret}\n`)
  if (kind === 'self-hosted') io.stderr.write(`tenant A token: ${provider.tenants.A.token}\ntenant B token: ${provider.tenants.B.token}\n`)
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      stops.delete(stop)
      done()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    stops.add(stop)
  })
  const traffic = provider.mediaTraffic()
  await provider.close()
  io.stderr.write(`media host served ${traffic.requests} request(s) (${traffic.rangeRequests} with Range), ${bytesText(traffic.bytes)}\nstopped\n`)
  return EXIT.ok
}

async function writePackage(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: { courses: { type: 'string' }, seed: { type: 'string' }, defect: { type: 'string', multiple: true }, 'media-profile': { type: 'string' } },
  })
  const out = positionals[0]
  if (!out) throw new UsageError('fixtures package needs an output file, e.g. package.zip')
  const { generatePackage, isPackageDefect, packageDefects } = await import('../../fixtures/packages/generate.js')
  const defects = values.defect ?? []
  const unknown = defects.filter((d) => !isPackageDefect(d))
  if (unknown.length > 0) throw new UsageError(`unknown package defect ${unknown.join(', ')}; run 'skillgate fixtures defects' to list them (known: ${packageDefects.join(', ')})`)
  const profile = mediaProfile(values['media-profile'])
  announceRealistic(profile, io)
  let built
  try {
    built = await generatePackage({
      ...(values.courses !== undefined ? { courses: positiveInt('courses', values.courses)! } : {}),
      ...(values.seed !== undefined ? { seed: positiveInt('seed', values.seed)! } : {}),
      ...(defects.length > 0 ? { defects: defects as PackageDefect[] } : {}),
      ...(profile !== undefined ? { profile } : {}),
    })
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message)
    throw err
  }
  const target = resolve(io.cwd, out)
  await mkdir(dirname(target), { recursive: true })
  await copyFile(built.path, target)
  io.stdout.write(`wrote ${out}: ${built.manifest.courses.length} courses${defects.length > 0 ? `, defect${defects.length > 1 ? 's' : ''} ${defects.join(', ')}` : ''}${built.profile === 'tiny' ? '' : `, ${built.profile} media`}, sha256 ${built.sha256}\n`)
  return EXIT.ok
}

export const fixturesCommand: Command = {
  name: 'fixtures',
  summary: 'run a reference provider platform (with defect switches) or write a sample course package',
  usage,
  async run(args, io) {
    const [sub, ...rest] = args
    if (sub === 'serve') return serve(rest, io)
    if (sub === 'package') return writePackage(rest, io)
    if (sub === 'defects') {
      const { PACKAGE_DEFECTS } = await import('../../fixtures/packages/generate.js')
      const packaged = Object.entries(PACKAGE_DEFECTS)
      const width = Math.max(...DEFECTS.map((d) => d.name.length), ...packaged.map(([name]) => name.length))
      io.stdout.write('Platform defects (skillgate fixtures serve KIND --defect NAME, repeatable):\n')
      for (const d of DEFECTS as readonly DefectInfo[]) {
        io.stdout.write(`  ${d.name.padEnd(width)}  ${d.requirement.padEnd(10)}  ${d.kinds.join('+').padEnd(22)}  ${d.stillConformant ? '(still conformant) ' : ''}${d.description}\n`)
      }
      io.stdout.write('\nCourse-package defects (skillgate fixtures package OUT.zip --defect NAME, repeatable):\n')
      for (const [name, d] of packaged) {
        io.stdout.write(`  ${name.padEnd(width)}  ${d.requirements.join(',').padEnd(10)}  ${(d.expect === 'warn' ? 'warns' : 'fails').padEnd(22)}  ${d.description}\n`)
      }
      return EXIT.ok
    }
    if (sub === undefined) throw new UsageError('fixtures needs a subcommand: serve, package or defects')
    throw new UsageError(`unknown fixtures subcommand '${sub}': use serve, package or defects`)
  },
}
