// Usage errors in one line (issue 18). Node's parseArgs explains itself in several sentences about
// positionals and '--'; a provider engineer needs what was wrong and what to type instead.
import { UsageError } from './io.js'

/** Flags people try that the kit refuses on purpose, with what to use instead. */
const INSTEAD: Record<string, string> = {
  '--secret': 'the secret is never passed on the command line: put it in an environment variable and pass --secret-env VAR',
  '--token': 'tenant tokens go in the --config file, as ${VAR} read from the environment',
  '--all': 'every course is checked by default; --sample N checks a sample',
}

const quoted = (message: string): string | undefined => /'(-{1,2}[^' <]+)/.exec(message)?.[1]

/**
 * The one-line text of a usage error: a UsageError's own message, or a parseArgs error
 * (ERR_PARSE_ARGS_*) restated; undefined when `err` is not a usage error at all.
 */
export function usageText(err: unknown, args: readonly string[]): string | undefined {
  if (err instanceof UsageError) return err.message.split('\n')[0]
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return undefined
  const message = (err as Error).message
  const flag = quoted(message)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const name = flag.split('=')[0]!
    return `unknown option ${name}${INSTEAD[name] ? `; ${INSTEAD[name]}` : ''}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = flag.split(' ')[0]!
    const at = args.indexOf(name)
    const next = at >= 0 ? args[at + 1] : undefined
    if (next !== undefined && next.startsWith('-')) {
      return `${name} needs a value; '${next}' reads as an option (a value that starts with '-' is written ${name}=${next})`
    }
    if (/argument missing/.test(message)) return `${name} needs a value`
    return `${name} takes a value`
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = /'([^']+)'/.exec(message)?.[1]
    return `unexpected argument${extra ? ` '${extra}'` : ''}`
  }
  return message.split('\n')[0]!.replace(/\. To specify .*$/, '')
}
