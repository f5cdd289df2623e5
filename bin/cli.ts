// skillgate CLI entry: parse the subcommand, run it, turn the outcome into an exit code.
// Results go to stdout; diagnostics, hints and progress go to stderr.
import { isSkillgateError } from '../specs/lib/errors.js'
import { commands } from './commands/index.js'
import { EXIT, type CliIo } from './io.js'
import { usageText } from './usage-error.js'

const VERSION = '0.1.0'

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'skillgate: conformance kit and gateway for the "Internet + Vocational Skills Training" platform',
    '',
    'Usage: skillgate <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `skillgate <command> --help` for a command\'s options.',
    'Exit codes: 0 conformant/ok, 1 not conformant, 2 usage or config error, 3 target unreachable or tool failure.',
    '',
  ].join('\n')
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help())
    return name ? EXIT.ok : EXIT.usage
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`)
    return EXIT.ok
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.stderr.write(`skillgate: unknown command '${name}'. Run 'skillgate --help' to see the commands.\n`)
    return EXIT.usage
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trim()}\n`)
    return EXIT.ok
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    const usage = usageText(err, rest)
    if (usage !== undefined) {
      io.stderr.write(`skillgate ${name}: ${usage} (see 'skillgate ${name} --help')\n`)
      return EXIT.usage
    }
    if (isSkillgateError(err)) {
      io.stderr.write(`skillgate ${name}: [${err.code}] ${err.message}\n`)
      return err.code === 'SG_ERR_USAGE' || err.code === 'SG_ERR_CONFIG' || err.code === 'SG_ERR_SCHEMA_UNKNOWN' ? EXIT.usage : EXIT.unreachable
    }
    io.stderr.write(`skillgate ${name}: ${(err as Error).stack ?? String(err)}\n`)
    return EXIT.unreachable
  }
}
