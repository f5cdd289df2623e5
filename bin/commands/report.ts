// `skillgate report verify FILE [--public-key PEM]` and `skillgate report render FILE --format … --out DIR`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import { generateSigningKeys, parseReport, verifyReport } from '../../conformance/report/json.js'
import { REPORT_FORMATS, writeReports, type ReportFormat } from '../../conformance/report/write.js'
import { EXIT, UsageError, parseFlags, type Command } from '../io.js'

const usage = `
Usage:
  skillgate report verify FILE [--public-key PEM_FILE]
        check a JSON report's SHA-256 digest and, when it is signed, its Ed25519 signature.
        With --public-key the signature must be by that key (a report without one fails).
        Exit 0 verified, 1 tampered or not a valid report, 2 usage error (unreadable file or key).
  skillgate report keygen DIR
        write an Ed25519 key pair for signing reports: DIR/signer.pem (private, mode 600) and
        DIR/signer.pub.pem (give it to whoever verifies).
  skillgate report render FILE [--format html,md,junit,json] [--out DIR]
        re-render a JSON report; formats default to html,md,junit and DIR to the report's folder.
        The integrity block is kept as is: the rendered files show whether it still verifies.
`

function readText(io: { cwd: string }, file: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

function parseFormats(list: string | undefined): ReportFormat[] {
  if (list === undefined) return ['html', 'md', 'junit']
  const formats = list.split(',').map((f) => f.trim()).filter(Boolean)
  const unknown = formats.filter((f) => !REPORT_FORMATS.includes(f as ReportFormat))
  if (formats.length === 0 || unknown.length > 0) throw new UsageError(`--format takes a comma-separated list of ${REPORT_FORMATS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`)
  return formats as ReportFormat[]
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'verify a JSON conformance report (digest, signature) or re-render it as HTML, Markdown or JUnit',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { 'public-key': { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } })
    const [sub, file, extra] = positionals
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
    if (sub === 'verify') {
      if (!file) throw new UsageError('report verify needs a FILE')
      if (values.format !== undefined || values.out !== undefined) throw new UsageError('--format and --out belong to report render')
      const keyPath = values['public-key']
      const publicKeyPem = keyPath === undefined ? undefined : readText(io, keyPath, 'public key')
      const text = readText(io, file, 'report')
      let result
      try {
        result = verifyReport(parseReport(text), publicKeyPem === undefined ? {} : { publicKeyPem })
      } catch (err) {
        if (isSkillgateError(err) && err.code === 'SG_ERR_REPORT_INVALID') {
          io.stdout.write(`${file}: NOT VERIFIED [${err.code}] ${err.message}\n`)
          return EXIT.notConformant
        }
        if (isSkillgateError(err) && err.code === 'SG_ERR_REPORT_KEY') throw sgError('SG_ERR_USAGE', `--public-key ${keyPath ?? ''}: ${err.message}`)
        throw err
      }
      if (result.ok) {
        io.stdout.write(`${file}: VERIFIED ${result.message.en}\n`)
        if (result.signed && !result.keyPinned) io.stderr.write(`hint: pass --public-key with the signer's published key to check who signed it\n`)
        return EXIT.ok
      }
      io.stdout.write(`${file}: NOT VERIFIED [${result.code ?? 'SG_ERR_REPORT_TAMPERED'}] ${result.message.en}\n`)
      return EXIT.notConformant
    }
    if (sub === 'keygen') {
      if (!file) throw new UsageError('report keygen needs a directory')
      const dir = resolve(io.cwd, file)
      mkdirSync(dir, { recursive: true })
      const keys = generateSigningKeys()
      try {
        writeFileSync(join(dir, 'signer.pem'), keys.privateKeyPem, { mode: 0o600, flag: 'wx' })
        writeFileSync(join(dir, 'signer.pub.pem'), keys.publicKeyPem, { flag: 'wx' })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already holds a signer key; keygen never overwrites one`)
        throw err
      }
      io.stdout.write(`${join(file, 'signer.pem')}\n${join(file, 'signer.pub.pem')}\n`)
      return EXIT.ok
    }
    if (sub === 'render') {
      if (!file) throw new UsageError('report render needs a FILE')
      if (values['public-key'] !== undefined) throw new UsageError('--public-key belongs to report verify')
      const formats = parseFormats(values.format)
      const report = parseReport(readText(io, file, 'report'))
      const check = verifyReport(report)
      if (!check.ok) io.stderr.write(`warning: ${file}: ${check.message.en}; the rendered files say so\n`)
      const outDir = resolve(io.cwd, values.out ?? dirname(file))
      const paths = await writeReports(report, outDir, formats, { keepIntegrity: true })
      for (const f of formats) io.stdout.write(`${relative(io.cwd, paths[f] as string) || paths[f]}\n`)
      return EXIT.ok
    }
    throw new UsageError(sub ? `unknown report subcommand '${sub}'` : 'report needs a subcommand: verify, render or keygen')
  },
}
