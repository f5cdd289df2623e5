// Training-catalogue category codes (R16): the published base list plus optional administrator-
// loaded extension files. Hierarchy integrity is enforced at load (format, parent present, no
// redefinition), so every code a course carries can be walked up to its major group.
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'
import { schemas } from './schemas.js'

export type CategoryLevel = 'major' | 'medium' | 'minor' | 'occupation'
export type CategoryLanguage = 'zh-CN' | 'en'

export interface CategoryFile {
  kind: 'base' | 'extension'
  id: string
  version: string
  extends?: string
  sampleSubset?: boolean
  categories: Array<{ code: string; name: { 'zh-CN': string; en: string } }>
}

export interface Category {
  code: string
  level: CategoryLevel
  parent: string | null
  name: { 'zh-CN': string; en: string }
  /** id of the file that defined it (the base list or an extension). */
  source: string
}

const LEVELS: readonly CategoryLevel[] = ['major', 'medium', 'minor', 'occupation']
const CODE_PATTERN = /^[1-8](-[0-9]{2}){0,3}$/

/** Level from the code's shape, or undefined when it is not a well-formed code. */
export function categoryLevel(code: string): CategoryLevel | undefined {
  return CODE_PATTERN.test(code) ? LEVELS[code.split('-').length - 1] : undefined
}

export function parentCode(code: string): string | null {
  const i = code.lastIndexOf('-')
  return i < 0 ? null : code.slice(0, i)
}

export class CategoryCatalogue {
  readonly #byCode = new Map<string, Category>()
  readonly #children = new Map<string, string[]>()
  /** `id@version` of the base list and of each extension, in load order. */
  readonly sources: string[] = []

  /** Throws (naming the file and code) on the first schema or hierarchy defect. */
  add(file: unknown, label = 'categories file'): void {
    const result = schemas().validate('categories', file)
    if (!result.ok) throw new Error(`${label} does not match categories.schema.json: ${JSON.stringify(result.errors)}`)
    const f = file as CategoryFile
    if (f.kind === 'base' && this.sources.length > 0) throw new Error(`${label}: only the first file loaded may be a base list`)
    if (f.kind === 'extension' && this.sources.length === 0) throw new Error(`${label}: an extension needs a base list loaded first`)
    // Parents before children, so a file may add a medium group together with its minor groups.
    const ordered = [...f.categories].sort((a, b) => a.code.split('-').length - b.code.split('-').length)
    const staged = new Map<string, Category>()
    for (const entry of ordered) {
      const level = categoryLevel(entry.code)!
      if (this.#byCode.has(entry.code) || staged.has(entry.code)) throw new Error(`${label}: code ${entry.code} is defined twice`)
      const parent = parentCode(entry.code)
      if (parent !== null && !this.#byCode.has(parent) && !staged.has(parent)) {
        throw new Error(`${label}: code ${entry.code} has no parent ${parent}; add the parent first`)
      }
      staged.set(entry.code, { code: entry.code, level, parent, name: entry.name, source: f.id })
    }
    for (const c of staged.values()) {
      this.#byCode.set(c.code, c)
      if (c.parent !== null) this.#children.set(c.parent, [...(this.#children.get(c.parent) ?? []), c.code].sort())
    }
    this.sources.push(`${f.id}@${f.version}`)
  }

  get size(): number {
    return this.#byCode.size
  }

  get(code: string): Category | undefined {
    return this.#byCode.get(code)
  }

  /** R16: a course's category must be a listed code (optionally at a given level). */
  isValid(code: string, options: { level?: CategoryLevel } = {}): boolean {
    const c = this.#byCode.get(code)
    return c !== undefined && (options.level === undefined || c.level === options.level)
  }

  name(code: string, language: CategoryLanguage = 'zh-CN'): string | undefined {
    return this.#byCode.get(code)?.name[language]
  }

  children(code: string): Category[] {
    return (this.#children.get(code) ?? []).map((c) => this.#byCode.get(c)!)
  }

  /** The code and its ancestors, major group first. */
  path(code: string): Category[] {
    const out: Category[] = []
    for (let c = this.#byCode.get(code); c; c = c.parent === null ? undefined : this.#byCode.get(c.parent)) out.unshift(c)
    return out
  }

  list(): Category[] {
    return [...this.#byCode.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  }
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'))

export const BASE_CATEGORIES_PATH = specPath('categories', 'categories.json')

/** The base list plus extensions (file paths or parsed objects), applied in order. */
export function loadCategories(extensions: ReadonlyArray<string | CategoryFile> = []): CategoryCatalogue {
  const catalogue = new CategoryCatalogue()
  catalogue.add(readJson(BASE_CATEGORIES_PATH), BASE_CATEGORIES_PATH)
  for (const [i, ext] of extensions.entries()) {
    if (typeof ext === 'string') catalogue.add(readJson(ext), ext)
    else catalogue.add(ext, `extension #${i + 1} (${ext.id})`)
  }
  return catalogue
}

let base: CategoryCatalogue | undefined
const baseCatalogue = (): CategoryCatalogue => (base ??= loadCategories())

/** Against the published base list only; a gateway with extensions asks its own `loadCategories(...)` result. */
export const isValidCategory = (code: string, options?: { level?: CategoryLevel }): boolean => baseCatalogue().isValid(code, options)

export const categoryName = (code: string, language: CategoryLanguage = 'zh-CN'): string | undefined => baseCatalogue().name(code, language)
