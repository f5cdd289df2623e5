// `skillgate spec export DIR` and `skillgate spec validate FILE --schema NAME`.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { applyDocumentRules } from '../../specs/lib/document-rules.js'
import { sgError } from '../../specs/lib/errors.js'
import { exportSpec } from '../../specs/lib/publish.js'
import { schemas } from '../../specs/lib/schemas.js'
import { exportSite } from '../../specs/lib/site/site.js'
import { EXIT, UsageError, parseFlags, type Command } from '../io.js'

const usage = `
Usage:
  skillgate spec export DIR [--html]        write the whole specification (schemas, OpenAPI, requirement
                                            and check catalogues, signing vectors, canaries, categories,
                                            package format, probe config, changelog) to DIR; --html adds
                                            the bilingual site the gateway serves at /spec/ (open index.html)
  skillgate spec validate FILE --schema NAME
                                            validate one of your JSON payloads: the schema (each problem as
                                            path, what was expected and what was found), then the rules this
                                            one document shows (category listed, preview length, declared
                                            fields that agree); names the rules it cannot apply
  skillgate spec schemas                    list the schema names
`

export const specCommand: Command = {
  name: 'spec',
  summary: 'export the technical specification, or validate a JSON payload against it',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { schema: { type: 'string' }, html: { type: 'boolean' } })
    const [sub, target] = positionals
    if (sub === 'export') {
      if (!target) throw new UsageError('spec export needs an output directory')
      const out = resolve(io.cwd, target)
      const written = values.html ? await exportSite(out) : exportSpec(out)
      io.stdout.write(`wrote ${written.length} files to ${target}${values.html ? ' (open index.html)' : ''}\n`)
      return EXIT.ok
    }
    if (sub === 'schemas') {
      io.stdout.write(`${schemas().names().join('\n')}\n`)
      return EXIT.ok
    }
    if (sub === 'validate') {
      if (!target) throw new UsageError('spec validate needs a FILE')
      const name = values.schema
      if (!name) throw new UsageError('spec validate needs --schema NAME (see `skillgate spec schemas`)')
      if (!schemas().has(name)) throw sgError('SG_ERR_SCHEMA_UNKNOWN', `no schema named "${name}"; known: ${schemas().names().join(', ')}`)
      let data: unknown
      try {
        data = JSON.parse(readFileSync(resolve(io.cwd, target), 'utf8'))
      } catch (err) {
        throw sgError('SG_ERR_USAGE', `cannot read ${target} as JSON: ${(err as Error).message}`)
      }
      const result = schemas().validate(name, data)
      if (result.ok) io.stdout.write(`${target}: valid ${name}\n`)
      else io.stdout.write(`${target}: ${result.errors.length} problem(s) against ${name}\n`)
      for (const e of result.errors) io.stdout.write(`  at ${e.path}: expected ${e.expected}, found ${e.found}\n`)
      const broken = writeRules(io.stdout, name, data)
      return result.ok && broken === 0 ? EXIT.ok : EXIT.notConformant
    }
    throw new UsageError(sub ? `unknown spec subcommand '${sub}'` : 'spec needs a subcommand: export, validate or schemas')
  },
}

/** The single-document rules and what they found; returns how many rules are broken. */
function writeRules(out: NodeJS.WritableStream, schema: string, data: unknown): number {
  const { outcomes, notApplied } = applyDocumentRules(schema, data)
  if (outcomes.length > 0) out.write('rules this document shows (the specification beyond its schema):\n')
  for (const { rule, problems } of outcomes) {
    const by = rule.checkId ? `, as ${rule.checkId} checks` : ''
    out.write(`  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${rule.id} (${rule.requirementIds.join(', ')}${by}): ${rule.text.en} / ${rule.text['zh-CN']}\n`)
    for (const p of problems) out.write(`         ${p}\n`)
  }
  if (notApplied.length > 0) out.write('rules not applied (they need more than this document):\n')
  for (const n of notApplied) out.write(`  - ${n.checkId}: ${n.why.en} / ${n.why['zh-CN']}\n`)
  if (outcomes.length === 0 && notApplied.length === 0) out.write(`no rule beyond the schema applies to ${schema} alone\n`)
  const broken = outcomes.filter((o) => o.problems.length > 0).length
  if (broken > 0) out.write(`${broken} rule(s) broken\n`)
  return broken
}
