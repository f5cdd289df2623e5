// Usage errors are one clear line and exit 2 (issue 18): no raw parseArgs text, no doubled hint.
import t from 'tap'
import { runCli } from './cli.test-support.js'

const cases: Array<{ args: string[]; line: string }> = [
  {
    args: ['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--secret', 'hunter2'],
    line: "skillgate probe: unknown option --secret; the secret is never passed on the command line: put it in an environment variable and pass --secret-env VAR (see 'skillgate probe --help')",
  },
  {
    args: ['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--sample', '-3'],
    line: "skillgate probe: --sample needs a value; '-3' reads as an option (a value that starts with '-' is written --sample=-3) (see 'skillgate probe --help')",
  },
  {
    args: ['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--sample=-3'],
    line: "skillgate probe: --sample takes a positive integer, got '-3' (see 'skillgate probe --help')",
  },
  {
    args: ['probe', 'http://127.0.0.1:9', '--kind', 'on-demand', '--out'],
    line: "skillgate probe: --out needs a value (see 'skillgate probe --help')",
  },
  {
    args: ['check-package', 'a.zip', 'b.zip'],
    line: "skillgate check-package: unexpected argument 'b.zip' (see 'skillgate check-package --help')",
  },
  {
    args: ['fixtures', 'serve'],
    line: "skillgate fixtures: fixtures serve needs a platform kind: on-demand or self-hosted (see 'skillgate fixtures --help')",
  },
  {
    args: ['fixtures', 'bake'],
    line: "skillgate fixtures: unknown fixtures subcommand 'bake': use serve, package or defects (see 'skillgate fixtures --help')",
  },
]

for (const c of cases) {
  t.test(c.args.slice(0, 1).concat(c.args.slice(3)).join(' '), async (t) => {
    const r = await runCli(c.args)
    t.equal(r.code, 2, 'exit 2')
    t.equal(r.stderr, `${c.line}\n`, 'exactly one line')
    t.equal(r.stdout, '', 'nothing on stdout')
    t.notMatch(r.stderr, /hunter2/, 'a secret typed on the command line is not echoed')
  })
}
