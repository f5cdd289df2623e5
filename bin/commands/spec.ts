// `skillgate spec export DIR` and `skillgate spec validate FILE --schema NAME`.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { sgError } from '../../specs/lib/errors.js'
import { exportSpec } from '../../specs/lib/publish.js'
import { schemas } from '../../specs/lib/schemas.js'
import { EXIT, UsageError, parseFlags, type Command } from '../io.js'

const usage = `
Usage:
  skillgate spec export DIR                 write the whole specification (schemas, OpenAPI, catalogue,
                                            signing vectors, canaries, categories, package format) to DIR
  skillgate spec validate FILE --schema NAME
                                            validate one of your JSON payloads; prints each problem as
                                            path, what was expected and what was found
  skillgate spec schemas                    list the schema names
`

export const specCommand: Command = {
  name: 'spec',
  summary: 'export the technical specification, or validate a JSON payload against it',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { schema: { type: 'string' } })
    const [sub, target] = positionals
    if (sub === 'export') {
      if (!target) throw new UsageError('spec export needs an output directory')
      const written = exportSpec(resolve(io.cwd, target))
      io.stdout.write(`wrote ${written.length} files to ${target}\n`)
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
      if (result.ok) {
        io.stdout.write(`${target}: valid ${name}\n`)
        return EXIT.ok
      }
      io.stdout.write(`${target}: ${result.errors.length} problem(s) against ${name}\n`)
      for (const e of result.errors) io.stdout.write(`  at ${e.path}: expected ${e.expected}, found ${e.found}\n`)
      return EXIT.notConformant
    }
    throw new UsageError(sub ? `unknown spec subcommand '${sub}'` : 'spec needs a subcommand: export, validate or schemas')
  },
}
