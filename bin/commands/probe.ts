// `skillgate probe BASE_URL --kind …`: run the platform checks (conformance/probe.ts) against a
// provider's staging platform, write the reports and exit 0 conformant / 1 not / 2 usage or config /
// 3 unreachable or tool failure. Progress goes to stderr only when it is a terminal.
import { resolve } from 'node:path'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { runProbe } from '../../conformance/probe.js'
import { terminalSummary } from '../../conformance/report/terminal.js'
import { MEDIA_METHODS, type MediaMethod } from '../../conformance/media/measure-index.js'
import { loadProbeConfig, type ProbeConfig } from '../../conformance/probe-config.js'
import { REPORT_FORMATS, writeReports, type ReportFormat } from '../../conformance/report/write.js'
import { SIGNING_OPTIONS, SIGNING_USAGE, signingFromFlags } from '../report-signing.js'
import { EXIT, UsageError, parseFlags, type CliIo, type Command } from '../io.js'
import { createProgress, progressIntervalMs } from '../progress.js'

const usage = `
Usage:
  skillgate probe BASE_URL --kind on-demand|self-hosted [options]

Checks a provider platform against the unified specification over the wire and writes reports.

Options:
  --kind KIND            on-demand or self-hosted (required, here or in --config)
  --key-id ID            signing key id issued by the management platform
  --secret-env VAR       environment variable holding the signing secret (never pass the secret itself)
  --out DIR              report directory (default ./skillgate-report)
  --format LIST          comma-separated json,junit,html,md (default all four)
  --concurrency N        requests in flight at once (default 8)
  --sample N             check a deterministic sample of N courses (media, detail, free) instead of
                         every course, for huge catalogues; the report states its confidence
  --all-media            check every course (the default)
  --media-method M       index (default: each preview's own index over Range requests, a few samples
                         spot-checked) or ffprobe (download every preview, read every packet)
  --referee N            previews also measured whole by ffprobe and compared (default 3; 0 = only
                         when the index leaves a doubt)
  --media-concurrency N  preview media requests in flight at once on the index path (default 32)
  --only ID,...          run only these checks (and what they depend on)
  --skip ID,...          leave these checks out
  --config FILE          JSON config (specs/schemas/probe-config.schema.json); \${VAR} is read from the environment
  --deny-private         refuse private/loopback targets as the gateway does
  --deadline-ms N        deadline of one HTTP exchange (default 15000)
  --progress-interval S  when stderr is not a terminal, a progress line at most every S seconds
                         (default 10; 0 = every step)
  --deadline SECONDS     overall deadline of the run; then it ends with what it has, as an error
                         (default 600 s + 0.5 s per course service-info declares; 3600 s if none)
${SIGNING_USAGE}

Exit codes: 0 conformant, 1 not conformant, 2 usage or config error (no key, no tenant config),
3 target unreachable (one line) or the run could not decide. With --only/--skip the verdict is
PARTIAL, never CONFORMANT, and the exit code covers the selected checks: 0 all passed, 1 otherwise.
`

const OPTIONS = {
  kind: { type: 'string' },
  'key-id': { type: 'string' },
  'secret-env': { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  concurrency: { type: 'string' },
  sample: { type: 'string' },
  'all-media': { type: 'boolean' },
  'media-method': { type: 'string' },
  referee: { type: 'string' },
  'media-concurrency': { type: 'string' },
  only: { type: 'string' },
  skip: { type: 'string' },
  config: { type: 'string' },
  'deny-private': { type: 'boolean' },
  'deadline-ms': { type: 'string' },
  'progress-interval': { type: 'string' },
  deadline: { type: 'string' },
  ...SIGNING_OPTIONS,
} as const

const CONFIG_CODES = new Set(['SG_ERR_PROBE_CONFIG', 'SG_ERR_PROBE_ENV_MISSING', 'SG_ERR_USAGE'])

function integer(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  if (!/^[1-9][0-9]*$/.test(raw)) throw new UsageError(`${flag} takes a positive integer, got '${raw}'`)
  return Number(raw)
}

/** --media-method: 'index' or 'ffprobe' (shared with check-package). */
export function mediaMethodOf(raw: string | undefined): MediaMethod | undefined {
  if (raw === undefined) return undefined
  if (!MEDIA_METHODS.includes(raw as MediaMethod)) throw new UsageError(`--media-method takes ${MEDIA_METHODS.join(' or ')}, got '${raw}'`)
  return raw as MediaMethod
}

/** A count that may be 0 (--referee). */
export function countOf(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  if (!/^(0|[1-9][0-9]*)$/.test(raw)) throw new UsageError(`${flag} takes an integer ≥ 0, got '${raw}'`)
  return Number(raw)
}

const list = (raw: string | undefined): string[] | undefined => (raw === undefined ? undefined : raw.split(',').map((s) => s.trim()).filter(Boolean))

function formatsOf(raw: string[] | undefined): ReportFormat[] {
  const formats = raw ?? [...REPORT_FORMATS]
  const unknown = formats.filter((f) => !REPORT_FORMATS.includes(f as ReportFormat))
  if (formats.length === 0 || unknown.length > 0) throw new UsageError(`--format takes a comma-separated list of ${REPORT_FORMATS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`)
  return formats as ReportFormat[]
}

async function probe(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, OPTIONS)
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`)
  const config: Readonly<ProbeConfig> = values.config === undefined ? {} : loadProbeConfig(resolve(io.cwd, values.config), io.env)
  const baseUrl = positionals[0] ?? config.baseUrl
  if (!baseUrl) throw new UsageError('probe needs BASE_URL (or baseUrl in --config)')
  const kind = values.kind ?? config.kind
  if (kind !== 'on-demand' && kind !== 'self-hosted') throw new UsageError(kind === undefined ? '--kind is required: on-demand or self-hosted' : `--kind must be on-demand or self-hosted, got '${kind}'`)
  const keyId = values['key-id'] ?? config.keyId
  const secretEnv = values['secret-env'] ?? config.secretEnv
  if ((keyId === undefined) !== (secretEnv === undefined)) throw new UsageError('--key-id and --secret-env go together')
  let secret: string | undefined
  if (secretEnv !== undefined) {
    secret = io.env[secretEnv]
    if (secret === undefined || secret === '') throw sgError('SG_ERR_PROBE_ENV_MISSING', `--secret-env ${secretEnv}: the variable is not set`, { variable: secretEnv })
  }
  const sample = integer('--sample', values.sample) ?? config.sample
  const allMedia = values['all-media'] ?? config.allMedia ?? false
  if (allMedia && values.sample !== undefined) throw new UsageError('--sample and --all-media exclude each other')
  const mediaMethod = mediaMethodOf(values['media-method']) ?? config.mediaMethod
  const referee = countOf('--referee', values.referee) ?? config.referee
  const mediaConcurrency = integer('--media-concurrency', values['media-concurrency']) ?? config.mediaConcurrency
  const formats = formatsOf(list(values.format) ?? config.formats)
  const outDir = resolve(io.cwd, values.out ?? config.out ?? 'skillgate-report')
  const concurrency = integer('--concurrency', values.concurrency) ?? config.concurrency
  const deadlineMs = integer('--deadline-ms', values['deadline-ms']) ?? config.deadlineMs
  const runDeadlineSeconds = integer('--deadline', values.deadline) ?? config.runDeadlineSeconds
  const only = list(values.only) ?? config.only
  const skip = list(values.skip) ?? config.skip
  const deny = values['deny-private'] ?? config.denyPrivate ?? false
  const intervalMs = progressIntervalMs(values['progress-interval'])
  const progress = createProgress(io, intervalMs === undefined ? {} : { intervalMs })

  const report = await runProbe({
    baseUrl,
    kind,
    mode: deny ? 'deny' : 'local',
    ...(keyId !== undefined && secret !== undefined ? { keyId, secret } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(sample !== undefined ? { sample } : {}),
    ...(allMedia || sample === undefined ? { allMedia: true } : {}),
    ...(mediaMethod ? { mediaMethod } : {}),
    ...(referee !== undefined ? { referee } : {}),
    ...(mediaConcurrency !== undefined ? { mediaConcurrency } : {}),
    ...(only ? { only } : {}),
    ...(skip ? { skip } : {}),
    ...(config.tenants ? { tenants: config.tenants } : {}),
    ...(config.learner ? { learner: config.learner } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(runDeadlineSeconds !== undefined ? { runDeadlineSeconds } : {}),
    onProgress: (e) => progress.onProgress(e),
  }).finally(() => progress.end())
  const signing = signingFromFlags(values, io.cwd)
  const paths = await writeReports(report, outDir, formats, signing ? { signing } : {})
  const summary = terminalSummary(report)
  io.stdout.write(summary.lines.join('\n') + '\n')
  if (summary.unreachable) return summary.exitCode // one line, nothing else
  for (const w of report.warnings ?? []) io.stderr.write(`warning: ${w}\n`)
  for (const [format, path] of Object.entries(paths)) io.stdout.write(`report (${format}): ${path}\n`)
  return summary.exitCode
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'check a provider platform (on-demand or self-hosted) over the wire and write conformance reports',
  usage,
  async run(args, io) {
    try {
      return await probe(args, io)
    } catch (err) {
      // Config and environment problems are the caller's to fix: exit 2, like usage errors.
      if (isSkillgateError(err) && CONFIG_CODES.has(err.code)) {
        io.stderr.write(`skillgate probe: [${err.code}] ${err.message.split('\n')[0]} (see 'skillgate probe --help')\n`)
        return EXIT.usage
      }
      throw err
    }
  },
}
