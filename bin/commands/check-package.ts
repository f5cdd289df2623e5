// `skillgate check-package PKG.zip`: the course-package checks, locally, with the same report files
// and exit codes as `skillgate probe`. A hostile or broken zip is the package's defect, so it is a
// failed `package.archive` check carrying the reader's SG_ERR_ZIP_* code (exit 1), never exit 3;
// exit 3 is kept for our own failures (ffprobe missing, disk full).
import { relative, resolve } from 'node:path'
import { exitCodeFor } from '../../conformance/checks/framework.js'
import { checkPackage } from '../../conformance/package/package-check.js'
import { REPORT_FORMATS, writeReports, type ReportFormat } from '../../conformance/report/write.js'
import { SIGNING_OPTIONS, SIGNING_USAGE, signingFromFlags } from '../report-signing.js'
import { isSkillgateError } from '../../specs/lib/errors.js'
import { EXIT, UsageError, parseFlags, type Command } from '../io.js'
import { createProgress, progressIntervalMs } from '../progress.js'
import { countOf, mediaMethodOf } from './probe.js'

const usage = `
Usage:
  skillgate check-package PKG.zip [--out DIR] [--format json,junit,html,md] [--only ID,…] [--skip ID,…]
        check a course package (R5.2-1…3, R13, R15, R16): the zip is opened safely, the manifest
        validated, every lesson's and preview's media measured. Reports go to DIR (default ./skillgate-report);
        formats default to json,html,md,junit.
        --media-method index|ffprobe   index (default): each file's own index, a few samples spot-checked;
                                       ffprobe: every packet of every file
        --referee N                    files also measured whole by ffprobe and compared (default 3)
        --progress-interval S          when stderr is not a terminal, a progress line at most every
                                       S seconds (default 10; 0 = every step)
        Exit 0 conformant, 1 not conformant (a hostile zip included: see package.archive),
        2 usage error (unknown flag or check id, unreadable file), 3 tool failure (e.g. ffprobe missing).
${SIGNING_USAGE}
`

const csv = (v: string | undefined): string[] => (v === undefined ? [] : v.split(',').map((s) => s.trim()).filter(Boolean))

function parseFormats(list: string | undefined): ReportFormat[] {
  if (list === undefined) return ['json', 'html', 'md', 'junit']
  const formats = csv(list)
  const unknown = formats.filter((f) => !REPORT_FORMATS.includes(f as ReportFormat))
  if (formats.length === 0 || unknown.length > 0) throw new UsageError(`--format takes a comma-separated list of ${REPORT_FORMATS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`)
  return formats as ReportFormat[]
}

export const checkPackageCommand: Command = {
  name: 'check-package',
  summary: 'check a course package (zip) before uploading it: manifest, files, media, preview, copyright, categories',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { out: { type: 'string' }, format: { type: 'string' }, only: { type: 'string' }, skip: { type: 'string' }, 'media-method': { type: 'string' }, referee: { type: 'string' }, 'progress-interval': { type: 'string' }, ...SIGNING_OPTIONS })
    const [file, extra] = positionals
    if (!file) throw new UsageError('check-package needs the package file: skillgate check-package PKG.zip')
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
    const formats = parseFormats(values.format)
    const outDir = resolve(io.cwd, values.out ?? 'skillgate-report')
    const mediaMethod = mediaMethodOf(values['media-method'])
    const referee = countOf('--referee', values.referee)
    const intervalMs = progressIntervalMs(values['progress-interval'])
    const progress = createProgress(io, intervalMs === undefined ? {} : { intervalMs })
    let report
    try {
      report = await checkPackage(resolve(io.cwd, file), {
        only: csv(values.only),
        skip: csv(values.skip),
        ...(mediaMethod ? { mediaMethod } : {}),
        ...(referee !== undefined ? { referee } : {}),
        onProgress: (e) => progress.onProgress(e),
      })
    } catch (err) {
      if (isSkillgateError(err) && err.code === 'SG_ERR_PACKAGE_FILE_UNREADABLE') throw new UsageError(err.message)
      throw err
    } finally {
      progress.end()
    }
    const signing = signingFromFlags(values, io.cwd)
    const paths = await writeReports(report, outDir, formats, signing ? { signing } : {})
    const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'error')
    io.stdout.write(`${report.subject.package?.fileName ?? file}: ${report.verdict} (${report.summary.pass} pass, ${report.summary.fail} fail, ${report.summary.warn} warn, ${report.summary.skip} skip, ${report.summary.error} error)\n`)
    for (const r of failed) io.stdout.write(`  ${r.status.toUpperCase()} ${r.checkId} [${r.requirementIds.join(', ')}]${r.errorCode ? ` ${r.errorCode}` : ''}: ${r.message?.en ?? ''}\n`)
    for (const r of report.results.filter((x) => x.status === 'warn')) io.stdout.write(`  WARN ${r.checkId} [${r.requirementIds.join(', ')}]: ${r.message?.en ?? ''}\n`)
    for (const f of formats) io.stdout.write(`${relative(io.cwd, paths[f] as string) || paths[f]}\n`)
    const code = exitCodeFor(report)
    return code === 0 ? EXIT.ok : code === 1 ? EXIT.notConformant : EXIT.unreachable
  },
}
