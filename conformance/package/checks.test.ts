// Package checks, data-driven over the generator's one-defect twins: each defect makes exactly the
// named checks fail (or warn), each naming the defect's requirement, and changes nothing else
// relative to the good package of the same parameters. Media defects use 4-course packages (ffprobe
// reads every file); the others use the 24-course package with the two ffprobe checks skipped.
import t from 'tap'
import { generatePackage, PACKAGE_DEFECTS, packageDefects, type PackageDefect } from '../../fixtures/packages/generate.js'
import { validateCatalogue } from '../checks/framework.js'
import { packageChecks } from './checks.js'
import { inspectPackage, type CheckPackageOptions, type PackageInspection } from './package-check.js'

const MEDIA_CHECKS = ['package.media', 'package.preview']
const PER_COURSE = ['package.copyright', 'package.category', 'package.course-ids', 'package.media', 'package.preview']

interface Case { fails: string[]; courses: number; withMedia: boolean }
// What each defect must change. A defect listed with two checks breaks two rules by nature (a
// preview that does not decode is both unplayable media (R13) and no preview (R5.2-2)).
const CASES: Record<PackageDefect, Case> = {
  'too-few-courses': { fails: ['package.course-count'], courses: 24, withMedia: false },
  'short-preview': { fails: ['package.preview'], courses: 4, withMedia: true },
  'free-share-below-half': { fails: ['package.free-share'], courses: 24, withMedia: false },
  'missing-copyright-proof': { fails: ['package.copyright', 'package.files'], courses: 24, withMedia: false },
  'unknown-category': { fails: ['package.category'], courses: 24, withMedia: false },
  'duplicate-course-ids': { fails: ['package.course-ids'], courses: 24, withMedia: false },
  'media-duration-mismatch': { fails: ['package.media'], courses: 4, withMedia: true },
  'not-media': { fails: ['package.preview', 'package.media'], courses: 4, withMedia: true },
  'unsupported-codec': { fails: ['package.preview', 'package.media'], courses: 4, withMedia: true },
  'unreferenced-file': { fails: ['package.files'], courses: 24, withMedia: false },
  'duplicate-media': { fails: ['package.duplicate-media'], courses: 24, withMedia: false },
  'truncated-preview': { fails: ['package.preview', 'package.media'], courses: 4, withMedia: true },
}

const statuses = (r: PackageInspection): Record<string, string> => Object.fromEntries(r.report.results.map((x) => [x.checkId, x.status]))

const measuredOf = (r: PackageInspection, id: string): Record<string, unknown> =>
  (r.report.results.find((x) => x.checkId === id)?.measured ?? {}) as Record<string, unknown>

const goodRuns = new Map<string, Promise<PackageInspection>>()
function good(courses: number, opts: CheckPackageOptions): Promise<PackageInspection> {
  const key = `${courses}:${JSON.stringify(opts)}`
  let run = goodRuns.get(key)
  if (!run) {
    run = generatePackage({ courses }).then((g) => inspectPackage(g.path, opts))
    goodRuns.set(key, run)
  }
  return run
}

t.test('the catalogue is valid and every check names a known requirement', async (t) => {
  t.doesNotThrow(() => validateCatalogue(packageChecks))
  t.same(packageChecks.filter((c) => c.severity === 'should').map((c) => c.id), ['package.duplicate-media'])
})

t.test('the good package passes every check', async (t) => {
  const g = await generatePackage()
  const r = await inspectPackage(g.path)
  t.equal(r.report.verdict, 'conformant')
  for (const x of r.report.results) t.equal(x.status, 'pass', `${x.checkId} passes`)
  t.equal(r.report.subject.package?.sha256, g.sha256, 'the zip digest is in the subject')
  t.ok(r.courses.length === 24 && r.courses.every((c) => c.passed), 'every course may go to review')
  const proofs = (measuredOf(r, 'package.copyright').proofs ?? []) as Array<{ courseId: string; sha256: string }>
  t.equal(proofs.length, 24, 'R15: one proof per course recorded')
  t.ok(proofs.every((p) => /^[0-9a-f]{64}$/.test(p.sha256)), 'each with its sha256')
  t.ok(Number(measuredOf(r, 'package.preview').minPlayableSeconds) >= 600, 'R5.2-2: the shortest preview is measured ≥ 600 s')
  t.ok([...r.courseFiles.values()].every((f) => f.previewSeconds !== null && f.previewSeconds >= 600 && f.proofSha256 !== null))
})

t.test('each generator defect fails its own check and nothing else', async (t) => {
  t.same(Object.keys(CASES).sort(), [...packageDefects].sort(), 'every defect has a case')
  for (const defect of packageDefects) {
    t.test(defect, async (t) => {
      const c = CASES[defect]
      const opts: CheckPackageOptions = c.withMedia ? {} : { skip: MEDIA_CHECKS }
      const twin = statuses(await good(c.courses, opts))
      const g = await generatePackage({ courses: c.courses, defect })
      const r = await inspectPackage(g.path, opts)
      const got = statuses(r)
      const info = PACKAGE_DEFECTS[defect]
      const expectStatus = info.expect
      for (const id of c.fails) {
        const result = r.report.results.find((x) => x.checkId === id)
        t.equal(result?.status, expectStatus, `${id} ${expectStatus}s`)
        t.ok(result?.message?.en && result.message['zh-CN'], `${id} explains itself in both languages`)
      }
      if (defect === 'unsupported-codec') {
        t.match(r.report.results.find((x) => x.checkId === 'package.media')?.message?.en, /allowed: h264, hevc/, 'the codec failure names what the allow-list accepts')
      }
      const named = new Set(c.fails.flatMap((id) => r.report.results.find((x) => x.checkId === id)?.requirementIds ?? []))
      for (const req of info.requirements) t.ok(named.has(req), `a failing check names ${req}`)
      const changed = Object.keys(got).filter((id) => got[id] !== twin[id]).sort()
      t.same(changed, [...c.fails].sort(), 'only those checks differ from the good twin')
      t.equal(r.report.verdict, opts.skip ? 'partial' : expectStatus === 'fail' ? 'not-conformant' : (await good(c.courses, opts)).report.verdict, 'verdict (partial when the media checks are skipped)')
      if (c.fails.some((id) => PER_COURSE.includes(id))) {
        t.ok(r.courses.some((x) => !x.passed && x.findings.some((f) => c.fails.includes(f.checkId))), 'the affected course is held back from review')
      }
    })
  }
})

t.test('provider-level rules count the live catalogue at the gateway (R5.2-1, R5.2-3)', async (t) => {
  const g = await generatePackage({ courses: 5 })
  const only = ['package.course-count', 'package.free-share']
  const alone = statuses(await inspectPackage(g.path, { only }))
  t.equal(alone['package.course-count'], 'fail', '5 courses alone are too few')
  const live = Array.from({ length: 16 }, (_, i) => ({ courseId: `live-${i}`, free: i % 2 === 0 }))
  const withLive = await inspectPackage(g.path, { only, providerCourses: live })
  t.equal(statuses(withLive)['package.course-count'], 'pass', '5 new + 16 live = 21')
  t.equal(measuredOf(withLive, 'package.course-count').courses, 21)
  const paidLive = live.map((c) => ({ ...c, free: false }))
  t.equal(statuses(await inspectPackage(g.path, { only, providerCourses: paidLive }))['package.free-share'], 'fail', 'paid live courses pull the share below half')
  const replaced = [{ courseId: 'c-001', free: false }, ...live]
  const r = await inspectPackage(g.path, { only, providerCourses: replaced })
  t.equal(measuredOf(r, 'package.course-count').courses, 21, 'a re-uploaded course replaces its live version, it is not counted twice')
})

t.test('media defects give the same statuses and codes through the index and through ffprobe; the codec allow-list holds on both (R5.2-2, R13)', async (t) => {
  const codes = (r: PackageInspection): Record<string, string | undefined> => Object.fromEntries(r.report.results.map((x) => [x.checkId, x.errorCode]))
  for (const defect of packageDefects.filter((d) => CASES[d].withMedia)) {
    const g = await generatePackage({ courses: 4, defect })
    const byIndex = await inspectPackage(g.path, { mediaMethod: 'index', referee: 0 })
    const byPackets = await inspectPackage(g.path, { mediaMethod: 'ffprobe' })
    t.same(statuses(byIndex), statuses(byPackets), `${defect}: same statuses`)
    t.same(codes(byIndex), codes(byPackets), `${defect}: same error codes`)
    for (const id of CASES[defect].fails) t.equal(statuses(byIndex)[id], PACKAGE_DEFECTS[defect].expect, `${defect}: ${id} on the index path`)
  }
})
