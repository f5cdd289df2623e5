// `checkPackage`: one course package (zip) → the conformance report, for `skillgate check-package`
// and the gateway's ingest job alike. The zip is opened by the safe reader into a private sandbox
// (removed afterwards, whatever happens); media is measured while later entries are still being
// extracted; then the package checks run. A hostile zip is not an exception here: it becomes a
// failed `package.archive` result carrying the reader's SG_ERR_ZIP_* code (exit 1), while a
// failure of our own side (unreadable upload path, full disk, missing ffprobe) still throws.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { isValidCategory } from '../../specs/lib/categories.js'
import { runChecks, selectChecks, type ProgressEvent, type Report } from '../checks/framework.js'
import { packageChecks } from './checks.js'
import type { CourseFinding, Manifest, PackageContext, ProviderCourse } from './package-context.js'
import { MediaProber, type MediaFormat } from './package-media.js'
import { sha256FileInWorker } from './file-digest.js'
import type { MediaMethod } from '../media/measure-index.js'
import { MANIFEST_NAME, openPackage, type OpenedPackage, type PackageLimits } from './zip-reader.js'

export interface CheckPackageOptions {
  /** Where the package is extracted (a fresh folder inside it, removed afterwards). Default: a temp folder. */
  sandboxDir?: string
  limits?: Partial<PackageLimits>
  /** Known SHA-256 of the zip (the gateway hashed it while receiving); otherwise it is computed. */
  packageSha256?: string
  /** Name shown in the report (default: the zip's base name). */
  fileName?: string
  only?: readonly string[]
  skip?: readonly string[]
  /** Files measured at once. */
  mediaConcurrency?: number
  /** 'index' (default: every lesson and preview from its own index) or 'ffprobe' (every packet). */
  mediaMethod?: MediaMethod
  /** Index path: files also measured by the ffprobe referee (default 3). */
  referee?: number
  mode?: Report['mode']
  /** Gateway: the provider's live courses, so R5.2-1 / R5.2-3 judge the catalogue after this upload. */
  providerCourses?: readonly ProviderCourse[]
  /** Default: the published base category list. */
  isValidCategory?: (code: string) => boolean
  onProgress?: (event: ProgressEvent) => void
  checkTimeoutMs?: number
  now?: () => Date
}

export interface CourseVerdict {
  courseId: string
  version: number
  /** No must-level problem concerns this course and the package as a whole passed. */
  passed: boolean
  findings: CourseFinding[]
}

export interface PackageInspection {
  report: Report
  /** The validated manifest (undefined when the archive or the manifest failed). */
  manifest: Manifest | undefined
  courses: CourseVerdict[]
  /** SHA-256 of each course's copyright proof and preview, and the measured preview length. */
  courseFiles: Map<string, { proofSha256: string | null; previewSha256: string | null; previewSeconds: number | null }>
}

// Checks whose failure concerns the package as a whole: then no course of it goes to review.
const PACKAGE_LEVEL = new Set(['package.archive', 'package.manifest', 'package.course-count', 'package.free-share'])

/** Run the package checks and also say, per course, whether it may go to review (the gateway's view). */
export async function inspectPackage(zipPath: string, opts: CheckPackageOptions = {}): Promise<PackageInspection> {
  // Unknown --only/--skip ids are usage errors before a single byte is extracted.
  selectChecks(packageChecks, { type: 'package', kind: 'resource' }, { ...(opts.only ? { only: opts.only } : {}), ...(opts.skip ? { skip: opts.skip } : {}) })
  let size: number
  try {
    const s = await stat(zipPath)
    if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' })
    size = s.size
  } catch (err) {
    throw sgError('SG_ERR_PACKAGE_FILE_UNREADABLE', `${zipPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: zipPath })
  }
  const ownSandbox = opts.sandboxDir === undefined ? await mkdtemp(join(tmpdir(), 'skillgate-package-')) : undefined
  const sandboxDir = opts.sandboxDir ?? ownSandbox!
  const media = new MediaProber({
    ...(opts.mediaConcurrency === undefined ? {} : { concurrency: opts.mediaConcurrency }),
    ...(opts.mediaMethod ? { method: opts.mediaMethod } : {}),
    ...(opts.referee === undefined ? {} : { referee: opts.referee }),
  })
  // The digest of the zip is computed in a worker thread while the entries are checked and hashed
  // here; both read the same (cached) pages.
  const digest = opts.packageSha256 !== undefined ? Promise.resolve(opts.packageSha256) : sha256FileInWorker(zipPath)
  digest.catch(() => undefined)
  // Measuring early only pays when a media check will read the result.
  const wantsMedia = ['package.media', 'package.preview'].some((id) => !(opts.skip ?? []).includes(id) && ((opts.only ?? []).length === 0 || (opts.only ?? []).includes(id)))
  let opened: OpenedPackage | undefined
  try {
    let formats: Map<string, MediaFormat> | undefined
    let archiveError
    try {
      opened = await openPackage(zipPath, {
        sandboxDir,
        ...(opts.limits ? { limits: opts.limits } : {}),
        // Stored entries (media) are checked and measured where they lie in the zip: no copy.
        readInPlace: () => true,
        onEntry: async (entry) => {
          if (entry.name === MANIFEST_NAME) {
            formats = await mediaFormats(entry.path)
            if (formats) media.expect(new Set(formats.keys()).size)
            return
          }
          // Only single files are primed: an HLS playlist's segments may not be extracted yet.
          if (wantsMedia && formats?.get(entry.name) === 'mp4') media.prime(entry, 'mp4')
        },
      })
      media.attach(opened)
    } catch (err) {
      if (!isSkillgateError(err) || !/^SG_ERR_(ZIP|MANIFEST)_/.test(err.code)) throw err
      archiveError = err
    }
    const ctx: PackageContext = {
      subject: { type: 'package', kind: 'resource', package: { fileName: opts.fileName ?? basename(zipPath), sha256: await digest, size } },
      mode: opts.mode ?? 'local',
      opened,
      archiveError,
      manifest: undefined,
      media,
      isValidCategory: opts.isValidCategory ?? ((code) => isValidCategory(code)),
      providerCourses: opts.providerCourses,
      courseFindings: new Map(),
    }
    const report = await runChecks(packageChecks, ctx, {
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.checkTimeoutMs ? { checkTimeoutMs: opts.checkTimeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    })
    const packageBlocked = report.results.some((r) => r.severity === 'must' && r.status !== 'pass' && r.status !== 'warn' && PACKAGE_LEVEL.has(r.checkId))
      || report.results.some((r) => r.severity === 'must' && r.status === 'error')
    const m = ctx.manifest
    const courses: CourseVerdict[] = (m?.courses ?? []).map((c) => {
      const findings = ctx.courseFindings.get(c.courseId) ?? []
      return { courseId: c.courseId, version: c.version, passed: !packageBlocked && findings.length === 0, findings }
    })
    const courseFiles = new Map<string, { proofSha256: string | null; previewSha256: string | null; previewSeconds: number | null }>()
    for (const c of m?.courses ?? []) {
      const result = opened && wantsMedia ? await media.measure(c.preview.file, c.preview.format) : undefined
      courseFiles.set(c.courseId, {
        proofSha256: opened?.entry(c.copyright.proofFile)?.sha256 ?? null,
        previewSha256: opened?.entry(c.preview.file)?.sha256 ?? null,
        previewSeconds: result?.ok ? Math.round(result.measurement.playableSeconds * 1000) / 1000 : null,
      })
    }
    return { report, manifest: m, courses, courseFiles }
  } finally {
    await opened?.close()
    if (ownSandbox) await rm(ownSandbox, { recursive: true, force: true })
  }
}

/** Check one course package and return its report (see `writeReports` for the files). */
export async function checkPackage(zipPath: string, opts: CheckPackageOptions = {}): Promise<Report> {
  return (await inspectPackage(zipPath, opts)).report
}

/** Best effort: media formats by file name from the raw manifest, before it is validated. */
async function mediaFormats(path: string): Promise<Map<string, MediaFormat> | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as { courses?: Array<{ lessons?: Array<{ media?: { file?: unknown; format?: unknown } }>; preview?: { file?: unknown; format?: unknown } }> }
    const out = new Map<string, MediaFormat>()
    const add = (ref: { file?: unknown; format?: unknown } | undefined): void => {
      if (ref && typeof ref.file === 'string' && (ref.format === 'mp4' || ref.format === 'hls')) out.set(ref.file.normalize('NFC'), ref.format)
    }
    for (const c of Array.isArray(m.courses) ? m.courses : []) {
      for (const l of Array.isArray(c.lessons) ? c.lessons : []) add(l.media)
      add(c.preview)
    }
    return out
  } catch {
    return undefined // package.manifest reports it
  }
}
