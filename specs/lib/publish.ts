// What "the specification" is as a set of files: the gateway serves exactly this list under
// /spec/ and `skillgate spec export` writes exactly this list, so the two can never differ.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { errorCodes } from './errors.js'
import { specsDir } from './paths.js'

export interface SpecFile { path: string; contentType: string; body: () => Buffer }

const PUBLISHED = /\.(json|md)$/
const contentTypeOf = (p: string): string =>
  p.endsWith('.md') ? 'text/markdown; charset=utf-8'
    : p.endsWith('.schema.json') ? 'application/schema+json'
      : p.endsWith('.openapi.json') ? 'application/vnd.oai.openapi+json;version=3.1'
        : 'application/json; charset=utf-8'

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((entry) => {
    const full = join(dir, entry)
    if (statSync(full).isDirectory()) return entry === 'lib' ? [] : walk(full)
    return PUBLISHED.test(entry) ? [full] : []
  })
}

/** Every published file: the JSON/Markdown under specs/, plus errors.json (all error codes merged). */
export function listSpecFiles(): SpecFile[] {
  const files: SpecFile[] = walk(specsDir).map((full) => {
    const path = relative(specsDir, full)
    return { path, contentType: contentTypeOf(path), body: () => readFileSync(full) }
  })
  files.push({
    path: 'errors.json',
    contentType: 'application/json; charset=utf-8',
    body: () => Buffer.from(`${JSON.stringify({ description: 'Every stable error code (RFC 9457 problem+json `code`), its HTTP status, bilingual title and how to fix it.', codes: errorCodes }, null, 2)}\n`),
  })
  return files.sort((a, b) => a.path.localeCompare(b.path))
}

export function exportSpec(outDir: string): string[] {
  const written: string[] = []
  for (const f of listSpecFiles()) {
    const target = join(outDir, f.path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, f.body())
    written.push(f.path)
  }
  return written
}
