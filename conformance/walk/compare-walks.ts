// Gap detection without knowing the truth: walk the catalogue twice with different page sizes, so
// the page boundaries fall in different places, and compare the two walks over the range both
// covered. A platform that loses one course per boundary (or adds one) cannot agree with itself.
import type { CatalogueWalk, PrefixEntry } from './catalogue-walk.js'

const after = (a: PrefixEntry, b: PrefixEntry): boolean => a.at > b.at || (a.at === b.at && a.courseId > b.courseId)

export interface WalkComparison {
  /** Entries both walks were compared on. */
  compared: { main: number; crossCheck: number }
  /** Listed by the cross-check walk, missing from the main walk (and the reverse). */
  missingFromMain: string[]
  missingFromCrossCheck: string[]
}

/** The main walk's recorded prefix must cover the cross-check walk's range (see `recordPrefix`). */
export function compareWalks(main: CatalogueWalk, cross: CatalogueWalk): WalkComparison {
  const mainWhole = main.complete && main.prefix.length === main.distinct
  const crossWhole = cross.complete && cross.prefix.length === cross.distinct
  // Compare up to the smaller of the two covered ranges (the end of whichever prefix stops first).
  const bounds = [mainWhole ? undefined : main.prefix.at(-1), crossWhole ? undefined : cross.prefix.at(-1)].filter((b): b is PrefixEntry => b !== undefined)
  const bound = bounds.reduce<PrefixEntry | undefined>((min, b) => (min === undefined || after(min, b) ? b : min), undefined)
  const within = (e: PrefixEntry): boolean => bound === undefined || !after(e, bound)
  const a = main.prefix.filter(within)
  const b = cross.prefix.filter(within)
  const inA = new Set(a.map((e) => e.courseId))
  const inB = new Set(b.map((e) => e.courseId))
  return {
    compared: { main: a.length, crossCheck: b.length },
    missingFromMain: b.filter((e) => !inA.has(e.courseId)).map((e) => e.courseId),
    missingFromCrossCheck: a.filter((e) => !inB.has(e.courseId)).map((e) => e.courseId),
  }
}
