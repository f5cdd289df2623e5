// One normal form for course titles, used when a course is stored and when a search term arrives,
// so the course centre's text search is the same LIKE on both engines (SQLite's LIKE folds ASCII
// case, PostgreSQL's does not: folding here first makes the difference moot). NFKC folds full-width
// letters and digits (Ｗｅｂ → web) that Chinese input methods produce.
export function normaliseTitle(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, '')
}

/** A LIKE pattern matching `term` anywhere, with the wildcards in `term` escaped (ESCAPE '\'). */
export function containsPattern(term: string): string {
  return `%${normaliseTitle(term).replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
