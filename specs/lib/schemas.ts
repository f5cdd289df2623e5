// The schema registry: every JSON Schema under specs/ is registered once with one strict Ajv
// (2020-12) instance, so the CLI, the kit, the gateway and the reference providers validate with
// exactly the published files. Types come from the same files (specs/types.gen.ts, drift-tested).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { Ajv2020, type ErrorObject, type Options, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { specsDir } from './paths.js'

// ajv-formats is CommonJS: under nodenext its typings describe the default import as the module.
// At runtime the default import is the plugin function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

export const SCHEMA_BASE = 'https://skillgate.example.cn/spec/v1/'

export interface SchemaFile { name: string; file: string; id: string; schema: Record<string, unknown>; text: string }

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((entry) => {
    const full = join(dir, entry)
    if (statSync(full).isDirectory()) return entry === 'lib' ? [] : walk(full)
    return entry.endsWith('.schema.json') ? [full] : []
  })
}

/** Every *.schema.json under specs/, named by file stem (service-info, catalogue-page, …). */
export function loadSchemaFiles(): SchemaFile[] {
  return walk(specsDir).map((file) => {
    const text = readFileSync(file, 'utf8')
    const schema = JSON.parse(text) as Record<string, unknown>
    const name = file.replace(/^.*\//, '').replace(/\.schema\.json$/, '')
    return { name, file: relative(specsDir, file), id: String(schema.$id), schema, text }
  })
}

/** sha256 over every schema file's path and text, in registry order (names the ahead-of-time build). */
export function schemaDigest(files: readonly SchemaFile[]): string {
  const h = createHash('sha256')
  for (const f of files) h.update(`${f.file}\u0000${f.text}\u0000`)
  return h.digest('hex')
}

/** Export names in the precompiled module are identifiers: catalogue-page → catalogue_page. */
export const exportName = (schemaName: string): string => schemaName.replace(/[^A-Za-z0-9_$]/g, '_')

/** The module specs/lib/gen-validators.ts writes (Ajv standalone code, CommonJS). */
export const PRECOMPILED_FILE = join(specsDir, 'lib', 'validators.gen.cjs')

type PrecompiledModule = Record<string, ValidateFunction> & { schemaDigest?: string }

/**
 * The precompiled validators, when they were built from exactly these schema files; undefined
 * otherwise (a schema edited without `npm run gen:validators`), and the registry compiles instead.
 */
function loadPrecompiled(files: readonly SchemaFile[], file: string): PrecompiledModule | undefined {
  if (!existsSync(file)) return undefined
  const mod = createRequire(import.meta.url)(file) as PrecompiledModule
  if (mod.schemaDigest === schemaDigest(files)) return mod
  process.emitWarning(`${file} was built from other schema files; compiling at run time (run \`npm run gen:validators\`)`, { code: 'SG_STALE_VALIDATORS' })
  return undefined
}

export function createAjv(extra: Options = {}): Ajv2020 {
  // strict: unknown keywords, ambiguous types and unused `required` are authoring errors here.
  // allowUnionTypes: nullable cursors are spelled with oneOf, but some fields are type unions.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, ...extra })
  addFormats(ajv)
  // Bilingual documentation: English in `description`, Chinese in `x-description-zh`.
  ajv.addKeyword({ keyword: 'x-description-zh', schemaType: 'string' })
  return ajv
}

export interface RegistryOptions {
  /** Use the ahead-of-time validators when they match the files (default true). */
  precompiled?: boolean
  /** Where the ahead-of-time module is (tests point it elsewhere). */
  precompiledFile?: string
}

export class SchemaRegistry {
  #ajv: Ajv2020 | undefined
  readonly files: SchemaFile[]
  /** Ahead-of-time validators, or undefined when compiling at run time. */
  readonly precompiled: PrecompiledModule | undefined
  private readonly byName = new Map<string, SchemaFile>()
  private readonly byId = new Map<string, SchemaFile>()
  private readonly added = new Set<string>()
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(options: RegistryOptions = {}) {
    this.files = loadSchemaFiles()
    for (const f of this.files) {
      if (this.byName.has(f.name)) throw new Error(`two schemas are named ${f.name}`)
      this.byName.set(f.name, f)
      this.byId.set(f.id, f)
    }
    this.precompiled = options.precompiled === false ? undefined : loadPrecompiled(this.files, options.precompiledFile ?? PRECOMPILED_FILE)
  }

  /** The run-time Ajv (created on first use: a run on precompiled validators never needs it). */
  get ajv(): Ajv2020 {
    this.#ajv ??= createAjv()
    return this.#ajv
  }

  /**
   * Register `f` and every file its `$ref`s reach, each meta-validated by ajv as it is added.
   * Done on first use rather than up front: a probe run needs a third of the files, and adding
   * (meta-validating) all of them was a large share of its CPU. Every file still compiles
   * strictly in schemas.test.ts.
   */
  private register(f: SchemaFile): void {
    if (this.added.has(f.id)) return
    this.added.add(f.id)
    this.ajv.addSchema(f.schema)
    for (const ref of externalRefs(f.schema, f.id)) {
      const target = this.byId.get(ref)
      if (target) this.register(target)
    }
  }

  names(): string[] { return [...this.byName.keys()].sort() }

  has(name: string): boolean { return this.byName.has(name) }

  file(name: string): SchemaFile | undefined { return this.byName.get(name) }

  validator(name: string): ValidateFunction {
    let v = this.compiled.get(name)
    if (!v) {
      const f = this.byName.get(name)
      if (!f) throw new Error(`unknown schema ${name}`)
      const ahead = this.precompiled?.[exportName(name)]
      if (ahead) {
        this.compiled.set(name, ahead)
        return ahead
      }
      this.register(f)
      v = this.ajv.getSchema(f.id)
      if (!v) throw new Error(`schema ${name} (${f.id}) did not compile`)
      this.compiled.set(name, v)
    }
    return v
  }

  /** Validate and explain: each problem as a JSON pointer path, what was expected and what was found. */
  validate(name: string, data: unknown): { ok: boolean; errors: ReadableError[] } {
    const v = this.validator(name)
    const ok = v(data) as boolean
    return { ok, errors: ok ? [] : explain(v.errors ?? [], data) }
  }
}

/** Absolute ids (no fragment) of the other documents `schema` points at with `$ref`. */
function externalRefs(schema: unknown, baseId: string): Set<string> {
  const out = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x)
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) {
          const url = new URL(v, baseId)
          url.hash = ''
          out.add(url.toString())
        } else {
          visit(v)
        }
      }
    }
  }
  visit(schema)
  return out
}

export interface ReadableError { path: string; expected: string; found: string; keyword: string }

function at(data: unknown, pointer: string): unknown {
  let cur: unknown = data
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value)
  const shown = json.length > 80 ? `${json.slice(0, 77)}...` : json
  return `${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} ${shown}`
}

/** Drop the noise of oneOf/anyOf/if branches when a more specific error explains the same path. */
export function explain(errors: ErrorObject[], data: unknown): ReadableError[] {
  const out: ReadableError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (e.keyword === 'if') continue
    let path = e.instancePath || '/'
    let expected = e.message ?? e.keyword
    let found = describe(at(data, e.instancePath))
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty
      path = `${e.instancePath}/${missing}`
      expected = 'a required property'
      found = 'nothing'
    } else if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const extra = (e.params as { additionalProperty?: string; unevaluatedProperty?: string })
      const name = extra.additionalProperty ?? extra.unevaluatedProperty ?? '?'
      path = `${e.instancePath}/${name}`
      expected = 'no such property (it is not in the schema)'
      found = describe(at(data, path))
    } else if (e.keyword === 'enum') {
      expected = `one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
    } else if (e.keyword === 'const') {
      expected = `exactly ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`
    }
    const key = `${path}|${expected}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, expected, found, keyword: e.keyword })
  }
  return out
}

let shared: SchemaRegistry | undefined
/** The process-wide registry (schemas are immutable files; compile them once). */
export function schemas(): SchemaRegistry {
  shared ??= new SchemaRegistry()
  return shared
}
