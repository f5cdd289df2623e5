// The course-package checks (R5.2-1…3, R13, R15, R16), run by `skillgate check-package` and by the
// gateway's ingest job through the same `checkPackage`/`inspectPackage`. The archive is opened
// (and refused, for hostile zips) before the checks run; `package.archive` reports that outcome, and
// every other check depends on the manifest validating. Per-course failures are also written to
// `ctx.courseFindings`, so the gateway can send the courses that passed to review.
import { parsePlaylist } from '../media/hls-playlist.js'
import { describeCodecProblems } from '../media/codec-allow-list.js'
import { agreeWithin, toleranceFor } from '../media/measure.js'
import { schemas } from '../../specs/lib/schemas.js'
import { defineCheck, fail, note, pass, warn, type Bilingual, type CheckCatalogue, type Evidence } from '../checks/framework.js'
import { addFinding, type Manifest, type ManifestCourse, type PackageContext } from './package-context.js'
import { entryNameOf, packageUrl, type MediaResult } from './package-media.js'
import { MANIFEST_NAME } from './zip-reader.js'
import { readFile } from 'node:fs/promises'

/** R5.2-1: a resource provider needs at least this many courses. */
export const MIN_COURSES = 20
/** R5.2-2: a preview must really play at least this long. */
export const MIN_PREVIEW_SECONDS = 600
/** R5.2-3: free courses must be at least this share. */
export const MIN_FREE_SHARE = 0.5

const KINDS = ['resource'] as const
const LIST_IN_MESSAGE = 5

const bi = (zh: string, en: string): Bilingual => ({ 'zh-CN': zh, en })
const listed = (items: readonly string[]): string =>
  items.length <= LIST_IN_MESSAGE ? items.join(', ') : `${items.slice(0, LIST_IN_MESSAGE).join(', ')} (+${items.length - LIST_IN_MESSAGE})`

function manifestOf(ctx: PackageContext): Manifest {
  // dependsOn package.manifest guarantees it; a missing one is a bug in the catalogue order.
  if (!ctx.manifest) throw new Error('package.manifest did not run first')
  return ctx.manifest
}

interface MediaRef { courseId: string; role: string; file: string; format: 'mp4' | 'hls'; durationSeconds: number }

function mediaRefs(course: ManifestCourse): MediaRef[] {
  return [
    ...course.lessons.map((l) => ({ courseId: course.courseId, role: `lesson ${l.lessonId}`, file: l.media.file, format: l.media.format, durationSeconds: l.media.durationSeconds })),
    { courseId: course.courseId, role: 'preview', file: course.preview.file, format: course.preview.format, durationSeconds: course.preview.durationSeconds },
  ]
}

/** Files an HLS playlist pulls in (variants and segments), resolved inside the package. */
async function playlistMembers(ctx: PackageContext, name: string, depth = 0): Promise<string[]> {
  const entry = ctx.opened?.entry(name)
  if (!entry || depth > 1) return []
  let parsed
  try {
    parsed = parsePlaylist(await readFile(entry.path, 'utf8'), name)
  } catch {
    return [] // package.media reports an unreadable playlist
  }
  const base = packageUrl(name)
  const resolve = (uri: string): string | undefined => entryNameOf(new URL(uri, base).href)
  if (parsed.type === 'master') {
    const out: string[] = []
    for (const v of parsed.variants) {
      const n = resolve(v.uri)
      if (n !== undefined) out.push(n, ...(await playlistMembers(ctx, n, depth + 1)))
    }
    return out
  }
  return parsed.segments.map((s) => resolve(s.uri)).filter((n): n is string => n !== undefined)
}

function errorText(r: Extract<MediaResult, { ok: false }>): string {
  return `${r.error.code}: ${r.error.message.split('. ')[0] ?? r.error.message}`
}

const archive = defineCheck<PackageContext>({
  id: 'package.archive',
  requirementIds: ['R13'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('课程包可被安全读取（zip 结构、文件名、大小与压缩比限制）', 'The package opens safely (zip structure, names, size and ratio limits)'),
  does: bi('安全地打开课程包：校验 zip 结构、文件名编码与路径、条目数、总大小与压缩比上限，拒绝符号链接与加密条目。', 'Opens the package safely: zip structure, name encoding and paths, entry count, total size and compression ratio limits; symlinks and encrypted entries are refused.'),
  failureMeans: bi('课程包损坏、不安全或超出限制：无法读取其中的课程。', 'The package is damaged, unsafe or over the limits: its courses cannot be read.'),
  async run(ctx) {
    const err = ctx.archiveError
    if (err) {
      // A hostile or broken zip is the provider's defect: a fail with the reader's code, not an error.
      const evidence: Evidence[] = err.details ? [note(`${err.code} details`, err.details)] : []
      return fail(bi(`${err.title['zh-CN']}：${err.fix['zh-CN']}（${err.message}）`, err.message), { errorCode: err.code, evidence })
    }
    const opened = ctx.opened
    if (!opened) throw new Error('the package was neither opened nor refused')
    const totalBytes = opened.entries.reduce((a, e) => a + e.size, 0)
    return pass(bi(`已读取 ${opened.entries.length} 个文件`, `${opened.entries.length} files read`), {
      measured: { entries: opened.entries.length, totalBytes, manifestSha256: opened.manifestSha256 },
    })
  },
})

const manifest = defineCheck<PackageContext>({
  id: 'package.manifest',
  requirementIds: ['R13'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('manifest.json 符合课程包清单 Schema', 'manifest.json validates against the package-manifest schema'),
  does: bi('核对 manifest.json 符合 package-manifest.schema.json。', 'Checks manifest.json against package-manifest.schema.json.'),
  failureMeans: bi('课程包清单不符合规范：无法得知包内有哪些课程与文件。', 'The manifest is off-contract: what courses and files the package holds is unknown.'),
  dependsOn: ['package.archive'],
  async run(ctx) {
    const data = ctx.opened?.manifest
    const result = schemas().validate('package-manifest', data)
    if (!result.ok) {
      const first = result.errors.slice(0, LIST_IN_MESSAGE).map((e) => `${e.path}: expected ${e.expected}, found ${e.found}`)
      return fail(bi(`manifest.json 有 ${result.errors.length} 处不符合 Schema：${first.join('；')}`, `manifest.json has ${result.errors.length} schema problem(s): ${first.join('; ')}`), {
        evidence: [{ kind: 'file', summary: `${MANIFEST_NAME} schema errors`, data: { errors: result.errors } }],
      })
    }
    ctx.manifest = data as Manifest
    return pass(undefined, { measured: { courses: ctx.manifest.courses.length } })
  },
})

const files = defineCheck<PackageContext>({
  id: 'package.files',
  requirementIds: ['R13'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('清单引用的文件都在包内，包内文件都被清单引用', 'Every file the manifest names is in the package, and every file in it is named'),
  does: bi('核对清单引用的每个文件都在包内，且包内每个文件都被清单引用。', 'Checks that every file the manifest names is in the package and every file in it is named.'),
  failureMeans: bi('清单与包内文件不一致：有课程缺少文件，或包内夹带未声明的文件。', 'The manifest and the files disagree: courses lack files, or the package carries undeclared files.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const m = manifestOf(ctx)
    const present = new Set((ctx.opened?.entries ?? []).map((e) => e.name).filter((n) => n !== MANIFEST_NAME))
    const referenced = new Map<string, Set<string>>()
    const refer = (name: string, courseId: string): void => {
      referenced.set(name, (referenced.get(name) ?? new Set()).add(courseId))
    }
    for (const c of m.courses) {
      refer(c.copyright.proofFile, c.courseId)
      for (const ref of mediaRefs(c)) {
        refer(ref.file, c.courseId)
        if (ref.format === 'hls') for (const member of await playlistMembers(ctx, ref.file)) refer(member, c.courseId)
      }
    }
    const missing = [...referenced.keys()].filter((n) => !present.has(n)).sort()
    const unreferenced = [...present].filter((n) => !referenced.has(n)).sort()
    for (const name of missing) {
      for (const courseId of referenced.get(name) ?? []) addFinding(ctx, courseId, { checkId: 'package.files', requirementIds: ['R13'], reason: `${name} is not in the package` })
    }
    const measured = { referenced: referenced.size, present: present.size, missing, unreferenced }
    if (missing.length === 0 && unreferenced.length === 0) return pass(undefined, { measured })
    const zh: string[] = []
    const en: string[] = []
    if (missing.length) {
      zh.push(`清单引用但包内缺少 ${missing.length} 个文件：${listed(missing)}`)
      en.push(`${missing.length} file(s) named by the manifest are missing: ${listed(missing)}`)
    }
    if (unreferenced.length) {
      zh.push(`包内有 ${unreferenced.length} 个文件未被清单引用（请删除或登记）：${listed(unreferenced)}`)
      en.push(`${unreferenced.length} file(s) in the package are not named by the manifest (remove or list them): ${listed(unreferenced)}`)
    }
    return fail(bi(zh.join('；'), en.join('; ')), { measured, evidence: [{ kind: 'file', summary: 'file accounting', data: measured }] })
  },
})

const courseIds = defineCheck<PackageContext>({
  id: 'package.course-ids',
  requirementIds: ['R13'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('课程 ID 在课程包内唯一', 'Course ids are unique within the package'),
  does: bi('核对课程标识在课程包内唯一。', 'Checks that course ids are unique within the package.'),
  failureMeans: bi('同一课程标识出现多次：课程无法被唯一识别。', 'A course id appears more than once: courses cannot be told apart.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const seen = new Map<string, number>()
    for (const c of manifestOf(ctx).courses) seen.set(c.courseId, (seen.get(c.courseId) ?? 0) + 1)
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id).sort()
    for (const id of duplicates) addFinding(ctx, id, { checkId: 'package.course-ids', requirementIds: ['R13'], reason: `courseId ${id} appears more than once` })
    if (duplicates.length === 0) return pass(undefined, { measured: { courses: seen.size } })
    return fail(bi(`以下课程 ID 重复出现：${listed(duplicates)}；每门课程须有唯一 courseId`, `These course ids appear more than once: ${listed(duplicates)}; each course needs its own courseId`), {
      measured: { duplicates },
    })
  },
})

const category = defineCheck<PackageContext>({
  id: 'package.category',
  requirementIds: ['R16'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('课程分类代码属于平台培训目录', 'Each course category is a code of the platform training catalogue'),
  does: bi('核对每门课程的分类代码属于平台培训目录（第十六条）。', 'Checks that each course’s category is a code of the training catalogue (R16).'),
  failureMeans: bi('分类代码不在培训目录中：课程无法按目录分类上线。', 'A category is not in the training catalogue: the course cannot be classified and go live.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const bad = manifestOf(ctx).courses.filter((c) => !ctx.isValidCategory(c.category))
    for (const c of bad) addFinding(ctx, c.courseId, { checkId: 'package.category', requirementIds: ['R16'], reason: `category ${c.category} is not in the training catalogue` })
    const invalid = bad.map((c) => ({ courseId: c.courseId, category: c.category }))
    if (invalid.length === 0) return pass(undefined, { measured: { courses: manifestOf(ctx).courses.length } })
    const shown = invalid.map((x) => `${x.courseId}=${x.category}`)
    return fail(bi(`${invalid.length} 门课程的分类代码不在培训目录中：${listed(shown)}（见 /spec/v1/categories）`, `${invalid.length} course(s) carry a category code that is not in the training catalogue: ${listed(shown)} (see /spec/v1/categories)`), {
      measured: { invalid },
    })
  },
})

const copyright = defineCheck<PackageContext>({
  id: 'package.copyright',
  requirementIds: ['R15'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('每门课程附有版权证明文件（记录其 SHA-256）', 'Every course carries a copyright proof file (its SHA-256 is recorded)'),
  does: bi('核对每门课程附有版权证明文件并记录其 SHA-256（第十五条）。', 'Checks that every course carries a copyright proof file and records its SHA-256 (R15).'),
  failureMeans: bi('课程缺少版权证明：版权有效性无法审核。', 'A course lacks copyright proof: its copyright cannot be reviewed.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const today = new Date().toISOString().slice(0, 10)
    const proofs: Array<{ courseId: string; file: string; holder: string; kind: string; sha256: string; size: number }> = []
    const problems: string[] = []
    for (const c of manifestOf(ctx).courses) {
      const entry = ctx.opened?.entry(c.copyright.proofFile)
      let reason: string | undefined
      if (!entry) reason = `proof ${c.copyright.proofFile} is not in the package`
      else if (entry.size === 0) reason = `proof ${c.copyright.proofFile} is empty`
      else if (c.copyright.validUntil !== undefined && c.copyright.validUntil < today) reason = `licence ended on ${c.copyright.validUntil}`
      if (entry) proofs.push({ courseId: c.courseId, file: entry.name, holder: c.copyright.holder, kind: c.copyright.kind, sha256: entry.sha256, size: entry.size })
      if (reason) {
        problems.push(`${c.courseId}: ${reason}`)
        addFinding(ctx, c.courseId, { checkId: 'package.copyright', requirementIds: ['R15'], reason })
      }
    }
    const measured = { courses: manifestOf(ctx).courses.length, proofs }
    if (problems.length === 0) return pass(bi(`${proofs.length} 份版权证明已记录`, `${proofs.length} copyright proofs recorded`), { measured })
    return fail(bi(`${problems.length} 门课程缺少有效的版权证明：${listed(problems)}`, `${problems.length} course(s) lack a valid copyright proof: ${listed(problems)}`), { measured })
  },
})

const media = defineCheck<PackageContext>({
  id: 'package.media',
  requirementIds: ['R13'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('媒体可播放、容器与编码在白名单内、声明时长与实测时长相符（max(2 秒, 1%)）', 'Media plays, its container and codecs are allowed, and declared durations match the measured ones within max(2 s, 1 %)'),
  does: bi('用 ffprobe 测量每个课节与试看媒体：可播放、容器与编码在白名单内、声明时长与实测相差不超过 max(2 秒, 1%)。', 'Measures every lesson and preview media with ffprobe: it plays, its container and codecs are allowed, and declared and measured durations agree within max(2 s, 1 %).'),
  failureMeans: bi('媒体无法播放、格式不被支持或时长与声明不符。', 'Media does not play, is in an unsupported format, or does not last as declared.'),
  dependsOn: ['package.manifest'],
  async run(ctx, rt) {
    const refs = manifestOf(ctx).courses.flatMap(mediaRefs)
    let measuredCount = 0
    const results = await Promise.all(refs.map(async (ref) => {
      const result = await ctx.media.measure(ref.file, ref.format)
      rt.progress?.(++measuredCount, refs.length, 'media files')
      return { ref, result }
    }))
    const problems: Array<{ courseId: string; file: string; role: string; problem: string; declaredSeconds?: number; measuredSeconds?: number }> = []
    for (const { ref, result } of results) {
      let problem: string | undefined
      let measuredSeconds: number | undefined
      if (!result.ok) problem = errorText(result)
      else {
        const m = result.measurement
        measuredSeconds = Math.round(m.playableSeconds * 1000) / 1000
        if (!m.codecs.ok) problem = `not on the allow-list (specs/media/allow-list.json): ${describeCodecProblems(m.codecs.problems)}`
        else if (!agreeWithin(ref.durationSeconds, m.playableSeconds)) problem = `declared ${ref.durationSeconds} s, plays ${measuredSeconds} s (tolerance ±${toleranceFor(ref.durationSeconds)} s)`
      }
      if (problem) {
        problems.push({ courseId: ref.courseId, file: ref.file, role: ref.role, problem, declaredSeconds: ref.durationSeconds, ...(measuredSeconds === undefined ? {} : { measuredSeconds }) })
        addFinding(ctx, ref.courseId, { checkId: 'package.media', requirementIds: ['R13'], reason: `${ref.file}: ${problem}` })
      }
    }
    const method = results.find((r) => r.result.ok)?.result
    const measured = { files: refs.length, failed: problems.length, problems }
    const evidence: Evidence[] = problems.slice(0, 40).map((p) => ({ kind: 'media', summary: `${p.file} (${p.courseId}, ${p.role}): ${p.problem}`, data: p }))
    if (method?.ok) evidence.push(note('measuring method', { method: method.measurement.method }))
    if (problems.length === 0) return pass(bi(`${refs.length} 个媒体文件均通过`, `${refs.length} media files pass`), { measured, evidence })
    const shown = problems.map((p) => `${p.file}: ${p.problem}`)
    return fail(bi(`${problems.length} 个媒体文件不合格：${listed(shown)}`, `${problems.length} media file(s) fail: ${listed(shown)}`), { measured, evidence })
  },
})

const preview = defineCheck<PackageContext>({
  id: 'package.preview',
  requirementIds: ['R5.2-2'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('每门课程的免费试看实测可连续播放不少于 10 分钟', 'Every course preview really plays for at least 10 minutes'),
  does: bi('测量每门课程的试看媒体，要求可连续播放不少于 600 秒（第五条（二）2）。', 'Measures each course’s preview and requires at least 600 s of contiguous playback (R5.2-2).'),
  failureMeans: bi('免费试看不足 10 分钟，不满足第五条（二）2。', 'A free preview is shorter than 10 minutes: R5.2-2 is not met.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const courses = manifestOf(ctx).courses
    const rows = await Promise.all(courses.map(async (c) => ({ c, result: await ctx.media.measure(c.preview.file, c.preview.format) })))
    const previews: Array<{ courseId: string; file: string; playableSeconds: number | null; problem?: string }> = []
    for (const { c, result } of rows) {
      let problem: string | undefined
      let playable: number | null = null
      if (!result.ok) problem = errorText(result)
      else {
        playable = Math.round(result.measurement.playableSeconds * 1000) / 1000
        if (!result.measurement.codecs.ok) problem = `does not play on the platform: ${result.measurement.codecs.problems.map((p) => `${p.what} ${p.found}`).join(', ')}`
        else if (result.measurement.playableSeconds < MIN_PREVIEW_SECONDS) problem = `plays ${playable} s, below ${MIN_PREVIEW_SECONDS} s`
      }
      previews.push({ courseId: c.courseId, file: c.preview.file, playableSeconds: playable, ...(problem ? { problem } : {}) })
      if (problem) addFinding(ctx, c.courseId, { checkId: 'package.preview', requirementIds: ['R5.2-2'], reason: `preview ${c.preview.file}: ${problem}` })
    }
    const failed = previews.filter((p) => p.problem !== undefined)
    const lengths = previews.map((p) => p.playableSeconds).filter((s): s is number => s !== null)
    const measured = { courses: courses.length, failed: failed.length, minPlayableSeconds: lengths.length ? Math.min(...lengths) : null, requiredSeconds: MIN_PREVIEW_SECONDS, previews }
    if (failed.length === 0) return pass(bi(`全部 ${courses.length} 个试看片段实测不少于 ${MIN_PREVIEW_SECONDS} 秒`, `All ${courses.length} previews play at least ${MIN_PREVIEW_SECONDS} s`), { measured })
    const shown = failed.map((p) => `${p.courseId} ${p.problem ?? ''}`)
    return fail(bi(`${failed.length} 门课程的试看片段不合格（须实测可连续播放 ≥ ${MIN_PREVIEW_SECONDS} 秒）：${listed(shown)}`, `${failed.length} course preview(s) fail (must really play ≥ ${MIN_PREVIEW_SECONDS} s): ${listed(shown)}`), {
      measured,
      evidence: failed.slice(0, 40).map((p) => ({ kind: 'media' as const, summary: `${p.file}: ${p.problem ?? ''}`, data: p })),
    })
  },
})

/** The package's courses plus the provider's live ones it does not replace (gateway only). */
function catalogueAfterUpload(ctx: PackageContext): { courses: Map<string, boolean>; fromPackage: number; fromLive: number } {
  const courses = new Map<string, boolean>()
  for (const c of ctx.providerCourses ?? []) courses.set(c.courseId, c.free)
  const live = courses.size
  const pkgIds = new Set<string>()
  for (const c of manifestOf(ctx).courses) {
    pkgIds.add(c.courseId)
    courses.set(c.courseId, c.fee.free)
  }
  const replaced = (ctx.providerCourses ?? []).filter((c) => pkgIds.has(c.courseId)).length
  return { courses, fromPackage: pkgIds.size, fromLive: live - replaced }
}

const courseCount = defineCheck<PackageContext>({
  id: 'package.course-count',
  requirementIds: ['R5.2-1'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('不少于 20 门拥有自主或授权版权的课程', 'At least 20 courses with own or licensed copyright'),
  does: bi('统计拥有自主或授权版权的课程数（本包与已上线课程合计），要求不少于 20 门（第五条（二）1）。', 'Counts the courses with own or licensed copyright (this package plus courses already live); at least 20 are required (R5.2-1).'),
  failureMeans: bi('课程少于 20 门，不满足数字课程资源方的准入条件。', 'Fewer than 20 courses: the resource-provider admission condition is not met.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const { courses, fromPackage, fromLive } = catalogueAfterUpload(ctx)
    const measured = { courses: courses.size, fromPackage, fromLiveCatalogue: fromLive, required: MIN_COURSES }
    const scope = ctx.providerCourses ? bi('（含已上线课程）', ' (including live courses)') : bi('', '')
    if (courses.size >= MIN_COURSES) return pass(bi(`共 ${courses.size} 门课程${scope['zh-CN']}`, `${courses.size} courses${scope.en}`), { measured })
    return fail(bi(`仅有 ${courses.size} 门课程${scope['zh-CN']}，数字课程资源方须不少于 ${MIN_COURSES} 门`, `Only ${courses.size} course(s)${scope.en}; a course-resource provider needs at least ${MIN_COURSES}`), { measured })
  },
})

const freeShare = defineCheck<PackageContext>({
  id: 'package.free-share',
  requirementIds: ['R5.2-3'],
  severity: 'must',
  kinds: KINDS,
  subject: 'package',
  title: bi('免费课程占比不低于 50%', 'Free courses are at least 50 %'),
  does: bi('统计免费课程占比，要求不低于 50%（第五条（二）3）。', 'Counts the share of free courses; at least 50 % is required (R5.2-3).'),
  failureMeans: bi('免费课程不足一半，不满足数字课程资源方的准入条件。', 'Fewer than half the courses are free: the resource-provider admission condition is not met.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const { courses } = catalogueAfterUpload(ctx)
    const free = [...courses.values()].filter(Boolean).length
    const share = courses.size === 0 ? 0 : free / courses.size
    const measured = { freeCourses: free, courses: courses.size, freeShare: Math.round(share * 10000) / 10000, requiredShare: MIN_FREE_SHARE, scope: ctx.providerCourses ? 'package+live' : 'package' }
    const pct = `${(share * 100).toFixed(1)}%`
    if (share >= MIN_FREE_SHARE) return pass(bi(`免费课程 ${free}/${courses.size}（${pct}）`, `${free}/${courses.size} courses are free (${pct})`), { measured })
    return fail(bi(`免费课程仅 ${free}/${courses.size}（${pct}），须不低于 50%`, `Only ${free}/${courses.size} courses are free (${pct}); at least 50 % must be`), { measured })
  },
})

const duplicateMedia = defineCheck<PackageContext>({
  id: 'package.duplicate-media',
  requirementIds: ['R5.2-1', 'R15'],
  severity: 'should',
  kinds: KINDS,
  subject: 'package',
  title: bi('不同课程不应使用完全相同的媒体文件（供审核人员核查）', 'Different courses should not share identical media (flagged for reviewers)'),
  does: bi('比较各课程媒体的 SHA-256，标记不同课程使用完全相同媒体的情况，供审核人员核查。', 'Compares the SHA-256 of every course’s media and flags different courses sharing identical media, for reviewers.'),
  failureMeans: bi('不同课程使用了相同媒体：仅为提示，可能是凑数，由审核人员判断。', 'Different courses share identical media: a warning that the count may be padded; reviewers decide.'),
  dependsOn: ['package.manifest'],
  async run(ctx) {
    const byHash = new Map<string, { courses: Set<string>; files: Set<string> }>()
    for (const c of manifestOf(ctx).courses) {
      for (const ref of mediaRefs(c)) {
        const entry = ctx.opened?.entry(ref.file)
        if (!entry) continue
        const slot = byHash.get(entry.sha256) ?? { courses: new Set(), files: new Set() }
        slot.courses.add(c.courseId)
        slot.files.add(entry.name)
        byHash.set(entry.sha256, slot)
      }
    }
    const shared = [...byHash].filter(([, s]) => s.courses.size > 1).map(([sha256, s]) => ({ sha256, courses: [...s.courses].sort(), files: [...s.files].sort() }))
    if (shared.length === 0) return pass(undefined, { measured: { distinctMedia: byHash.size } })
    const shown = shared.map((s) => `${s.courses.join('+')} (${s.sha256.slice(0, 12)}…)`)
    return warn(bi(`${shared.length} 份媒体在多门课程中完全相同，可能是重复计数的课程，请审核人员核查：${listed(shown)}`, `${shared.length} media file(s) are byte-identical across courses (possibly the same course counted twice); reviewers should check: ${listed(shown)}`), {
      measured: { distinctMedia: byHash.size, shared },
    })
  },
})

/** Report order. `allChecks` in conformance/checks/catalogue.ts includes these for traceability. */
export const packageChecks: CheckCatalogue<PackageContext> = [
  archive, manifest, files, courseIds, category, copyright, media, preview, courseCount, freeShare, duplicateMedia,
]
