// What every package check reads: the opened package (or why it could not be opened), the parsed
// manifest once it validated, the shared media prober, the category catalogue, and, at the
// gateway, the provider's live courses for the provider-level rules (R5.2-1, R5.2-3). Checks also
// write per-course findings here, so the gateway knows which courses may enter review.
import type { SkillgateError } from '../../specs/lib/errors.js'
import type { PackageManifest } from '../../specs/types.gen.js'
import type { RunContext } from '../checks/framework.js'
import type { MediaProber } from './package-media.js'
import type { OpenedPackage } from './zip-reader.js'

// types.gen.ts drops `preview.startSeconds` (declared next to a $ref); the schema requires it.
export type ManifestCourse = PackageManifest['courses'][number] & { preview: { startSeconds: number } }
export type Manifest = Omit<PackageManifest, 'courses'> & { courses: ManifestCourse[] }

/** A live course of the provider at the gateway (the package's own courses replace same-id ones). */
export interface ProviderCourse { courseId: string; free: boolean }

export interface CourseFinding { checkId: string; requirementIds: string[]; reason: string }

export interface PackageContext extends RunContext {
  opened: OpenedPackage | undefined
  /** Why the archive was refused (an SG_ERR_ZIP_* / SG_ERR_MANIFEST_* code). */
  archiveError: SkillgateError | undefined
  /** Set by package.manifest once the manifest validates. */
  manifest: Manifest | undefined
  media: MediaProber
  isValidCategory(code: string): boolean
  /** Gateway only: the provider's live courses, for the provider-level rules. */
  providerCourses: readonly ProviderCourse[] | undefined
  /** courseId → why that course cannot go to review (must-level failures only). */
  courseFindings: Map<string, CourseFinding[]>
}

export function addFinding(ctx: PackageContext, courseId: string, finding: CourseFinding): void {
  const list = ctx.courseFindings.get(courseId) ?? []
  list.push(finding)
  ctx.courseFindings.set(courseId, list)
}
