// What `npm pack` ships (package.json "files"): exactly what a user of the CLI and the gateway
// needs, and nothing a developer left lying around (issue #19). The pack is listed with
// `npm pack --dry-run --json --ignore-scripts` over the current dist/, so, like the CLI tests, this
// needs a build (`npm ci` runs one through `prepare`; a real `npm pack` cleans dist/ first through
// `prepack`). scripts/pack-smoke.sh installs the packed tarball and runs it.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { join, posix, relative, sep } from 'node:path'
import { promisify } from 'node:util'
import { packageRoot } from '../specs/lib/paths.js'
import { listSpecFiles } from '../specs/lib/publish.js'

/** Why a path must never ship; the first rule that matches names the problem. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\.test\.[^/]+$/, 'a test'],
  [/(^|[/.])test-support\.[^/]+$/, 'a test helper'],
  [/^(dist\/)?bench\//, 'a benchmark'],
  [/^(dist\/)?scripts\//, 'a developer script'],
  [/(^|\/)(\.tap|coverage|\.nyc_output)\//, 'test or coverage output'],
  [/^(fixtures\/\.cache|data|artifacts)\//, 'a cache or local data'],
  [/(?<!\.d)\.[cm]?ts$/, 'TypeScript source'],
  [/\.map$/, 'a source map of a source that does not ship'],
  [/^(?!specs\/|README\.md$).*\.md$/i, 'a note (only README.md and the published specs/ Markdown ship)'],
]

function forbiddenIn(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    const hit = FORBIDDEN.find(([pattern]) => pattern.test(p))
    return hit ? [`${p}: ${hit[1]}`] : []
  })
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g
const BARE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]/g
// CommonJS files here are generated and require() what they need unconditionally. The ES modules'
// createRequire lookups are left out on purpose: they probe for optional packages (an npm ffprobe).
const CJS_REQUIRE = /\brequire\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g

/** Every file the entry points import, following relative imports through the compiled code. */
function importClosure(entries: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const full = join(packageRoot, file)
    if (!existsSync(full)) continue
    for (const m of readFileSync(full, 'utf8').matchAll(RELATIVE_IMPORT)) queue.push(posix.join(posix.dirname(file), m[1]!))
  }
  return seen
}

const packageName = (specifier: string): string =>
  specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

/** Packages a shipped module imports that an install with --omit=dev would not have. */
function undeclaredImports(path: string, text: string, runtime: ReadonlySet<string>): string[] {
  const specifiers = [...text.matchAll(BARE_IMPORT)].map((m) => m[1]!)
  if (path.endsWith('.cjs')) specifiers.push(...[...text.matchAll(CJS_REQUIRE)].map((m) => m[1]!))
  return [...new Set(specifiers.filter((s) => !isBuiltin(s)).map(packageName))]
    .filter((name) => !runtime.has(name))
    .map((name) => `${path} imports ${name}, which is not in dependencies`)
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry)
    return statSync(full).isDirectory() ? filesUnder(full) : [relative(packageRoot, full).split(sep).join('/')]
  })
}

t.test('the rules flag each kind of stray file and pass its shipped twin', async (t) => {
  const twins: Array<[stray: string, shipped: string]> = [
    ['dist/gateway/app.test.js', 'dist/gateway/app.js'],
    ['dist/gateway/workflow/workflow.test-support.js', 'dist/gateway/workflow/workflow.js'],
    ['dist/gateway/sync/test-support.js', 'dist/gateway/sync/support.js'],
    ['dist/bench/probe.js', 'dist/conformance/probe.js'],
    ['dist/scripts/gen-types.js', 'dist/specs/lib/schemas.js'],
    ['coverage/lcov.info', 'specs/errors/core.json'],
    ['.tap/processinfo/x.json', 'specs/canaries/canaries.json'],
    ['fixtures/.cache/media/a.mp4', 'gateway/console/public/index.html'],
    ['gateway/config.ts', 'gateway/config.schema.json'],
    ['dist/gateway/config.js.map', 'dist/gateway/config.js'],
    ['conformance/checks/NOTES-from-B.md', 'specs/errors/README.md'],
    ['docs/walkthrough.md', 'README.md'],
  ]
  for (const [stray, shipped] of twins) {
    t.equal(forbiddenIn([stray]).length, 1, `${stray} is refused`)
    t.same(forbiddenIn([shipped]), [], `${shipped} ships`)
  }
  const runtime = new Set(['fastify'])
  t.same(undeclaredImports('dist/a.js', `import Fastify from 'fastify'\nimport { join } from 'node:path'\nimport fs from 'fs'`, runtime), [])
  t.same(undeclaredImports('dist/a.js', `import t from 'tap'`, runtime), ['dist/a.js imports tap, which is not in dependencies'])
  t.same(undeclaredImports('dist/a.js', `const m = await import('@scope/pkg/sub.js')`, runtime), ['dist/a.js imports @scope/pkg, which is not in dependencies'])
  t.same(undeclaredImports('specs/lib/v.gen.cjs', `const r = require("ajv/dist/runtime/equal")`, runtime), ['specs/lib/v.gen.cjs imports ajv, which is not in dependencies'])
  t.same(undeclaredImports('dist/a.js', `const r = require('optional-probe')`, runtime), [], 'an ES module\'s createRequire lookup is optional')
})

t.test('npm pack ships what the CLI and the gateway need, and nothing else', async (t) => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot, maxBuffer: 16 * 1024 * 1024 })
  const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>
  const packed = new Set(report!.files.map((f) => f.path))

  t.same(forbiddenIn([...packed]), [], 'no test, test helper, benchmark, script, note, source or output ships')

  // Read by path at run time, not imported: the console's assets, the schemas the gateway and the
  // probe validate against, the precompiled validators, and every file published under /spec/.
  const readByPath = [
    'package.json', 'README.md', 'bin/skillgate.js',
    'gateway/config.schema.json', 'specs/schemas/probe-config.schema.json', 'specs/lib/validators.gen.cjs',
    ...filesUnder(join(packageRoot, 'gateway', 'console', 'public')),
    ...listSpecFiles().filter((f) => f.path !== 'errors.json').map((f) => `specs/${f.path.split(sep).join('/')}`),
  ]
  const entries = ['bin/skillgate.js', 'dist/bin/cli.js', 'dist/gateway/main.js']
  t.ok(existsSync(join(packageRoot, 'dist', 'bin', 'cli.js')), 'dist/ is built (run `npm run build` first)')
  const imported = [...importClosure(entries)]
  t.ok(imported.length > 50, `the entry points import the product (${imported.length} modules)`)
  t.same([...readByPath, ...imported].filter((p) => !packed.has(p)), [], 'every runtime file ships')

  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
  const runtime = new Set(['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {})))
  const undeclared = [...packed]
    .filter((p) => /\.[cm]?js$/.test(p))
    .flatMap((p) => undeclaredImports(p, readFileSync(join(packageRoot, p), 'utf8'), runtime))
  t.same(undeclared, [], 'a shipped module imports only runtime dependencies')
})
