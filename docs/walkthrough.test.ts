// docs/walkthrough.md is executed, so it cannot rot (issue 18): every ```sh block, in order, in one
// bash shell (set -euo pipefail: a failing command, an HTTP error through curl --fail-with-body or
// an unset variable stops the run), in a temporary directory, with nothing substituted beyond the
// environment variables the document names (SKILLGATE, GW_PORT, PLATFORM_PORT). The document
// builds and starts the demo gateway and a reference platform on loopback itself; `#=> TEXT`
// comments are what a block's output must contain. The shell and every server it started form
// one process group, stopped at the end.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { packageRoot } from '../specs/lib/paths.js'

// The document builds the project and measures real media: longer than the suite's per-file limit.
t.setTimeout(1_200_000)

export interface Block { line: number; code: string; expects: string[] }

/** The ```sh blocks of a Markdown text, with their `#=> TEXT` expectations and starting line. */
export function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue
    const start = i + 1
    const body: string[] = []
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!)
    if (i >= lines.length) throw new Error(`walkthrough.md:${start}: unclosed sh block`)
    const expects = body.map((l) => /^#=> (.+)$/.exec(l)?.[1]).filter((e): e is string => e !== undefined)
    blocks.push({ line: start + 1, code: body.join('\n'), expects })
  }
  return blocks
}

/** Convention problems: a background start (a line ending in `&`) must be followed by a wait. */
export function conventionProblems(blocks: Block[]): string[] {
  const problems: string[] = []
  for (const b of blocks) {
    const lines = b.code.split('\n')
    lines.forEach((l, i) => {
      if (!/[^&]&\s*$/.test(l)) return
      const next = lines[i + 1] ?? ''
      if (!/^(timeout \d+ sh -c 'until |until )/.test(next)) problems.push(`walkthrough.md:${b.line + i}: a server started in the background is not followed by a wait until it is ready`)
    })
  }
  return problems
}

t.test('shellBlocks and conventionProblems (the twins)', async (t) => {
  const md = 'text\n```sh\necho a\n#=> a\n```\n```text\nnot run\n```\n```sh\nserve > s.out &\ntimeout 9 sh -c \'until grep -q up s.out; do sleep 1; done\'\n```\n'
  const blocks = shellBlocks(md)
  t.same(blocks, [{ line: 3, code: 'echo a\n#=> a', expects: ['a'] }, { line: 10, code: 'serve > s.out &\ntimeout 9 sh -c \'until grep -q up s.out; do sleep 1; done\'', expects: [] }])
  t.same(conventionProblems(blocks), [])
  t.same(conventionProblems(shellBlocks('```sh\nserve > s.out &\ncurl x\n```\n')), ['walkthrough.md:2: a server started in the background is not followed by a wait until it is ready'])
  t.same(conventionProblems(shellBlocks('```sh\ntrue && true\n```\n')), [], '&& is no background start')
  t.throws(() => shellBlocks('```sh\necho\n'), /unclosed/)
})

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) }).on('error', reject)
})

/** Stops the shell's whole process group (the shell and every server it started in the background). */
async function stopGroup(shell: ChildProcess): Promise<void> {
  const pgid = shell.pid!
  const alive = (): boolean => { try { process.kill(-pgid, 0); return true } catch { return false } }
  if (!alive()) return
  process.kill(-pgid, 'SIGTERM')
  // The gateway finishes in-flight work on SIGTERM; after that, nothing is left to be polite to.
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100))
  if (alive()) process.kill(-pgid, 'SIGKILL')
}

export interface BlockResult { line: number; ran: boolean; output: string; missing: string[] }

/**
 * Runs blocks in order in one bash shell (own process group) and returns what each printed and
 * which expectations it missed; stops at the first block whose command fails (the shell exits).
 * The shell keeps running until `stop()`, so servers started in the background stay up.
 */
export async function runBlocks(blocks: Block[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ results: BlockResult[]; stderr: () => string; stop: () => Promise<void> }> {
  const scripts = join(opts.cwd, '.blocks')
  mkdirSync(scripts, { recursive: true })
  const shell = spawn('bash', ['--noprofile', '--norc'], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters: (() => void)[] = []
  shell.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); waiters.splice(0).forEach((w) => w()) })
  shell.stderr!.on('data', (c: Buffer) => { stderr += c.toString() })
  // 'close', not 'exit': all of the shell's output has been read by then.
  let closed = false
  shell.on('close', () => { closed = true; waiters.splice(0).forEach((w) => w()) })
  shell.stdin!.write('set -euo pipefail\n')
  const results: BlockResult[] = []
  for (const [n, block] of blocks.entries()) {
    const file = join(scripts, `block-${n}.sh`)
    writeFileSync(file, `${block.code}\n`)
    const from = stdout.length
    const sentinel = `__walkthrough_block_${n}_done__`
    // Sourced, so variables and `cd` carry over as in one terminal; stdin is not the script.
    shell.stdin!.write(`source ${JSON.stringify(file)} </dev/null\nprintf '\\n%s\\n' ${sentinel}\n`)
    while (!stdout.includes(sentinel, from) && !closed) await new Promise<void>((r) => waiters.push(r))
    const end = stdout.indexOf(sentinel, from)
    const output = stdout.slice(from, end >= 0 ? end : undefined)
    results.push({ line: block.line, ran: end >= 0, output, missing: block.expects.filter((e) => !output.includes(e)) })
    if (end < 0) break
  }
  return { results, stderr: () => stderr, stop: () => stopGroup(shell) }
}

/** The environment the document runs in: the caller's minus the test runner's own, plus `vars`. */
function documentEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  // tap's loader in NODE_OPTIONS would follow every node the document starts.
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|NODE_OPTIONS$|NODE_V8_COVERAGE$|_TAPJS)/.test(k))), ...vars }
}

t.test('runBlocks: state carries over; a failing command stops the run; a missing output is named (the twins)', async (t) => {
  const dir = t.testdir({})
  const good = await runBlocks(shellBlocks('```sh\nX=1; mkdir sub && cd sub\n```\n```sh\necho "x=$X in $(basename "$PWD")"\n#=> x=1 in sub\n```\n'), { cwd: dir, env: documentEnv({}) })
  t.teardown(good.stop)
  t.same(good.results.map((r) => [r.ran, r.missing]), [[true, []], [true, []]], 'a variable and cd carry over')
  const bad = await runBlocks(shellBlocks('```sh\necho one\n```\n```sh\ncurl -sS --fail-with-body http://127.0.0.1:9/nothing\necho unreachable\n```\n```sh\necho three\n```\n'), { cwd: dir, env: documentEnv({}) })
  t.teardown(bad.stop)
  t.same(bad.results.map((r) => r.ran), [true, false], 'the failing block is the last one run')
  t.notMatch(bad.results[1]!.output, /unreachable/, 'nothing after the failing command')
  const unset = await runBlocks(shellBlocks('```sh\necho "$NOT_SET"\n```\n'), { cwd: dir, env: documentEnv({}) })
  t.teardown(unset.stop)
  t.same(unset.results.map((r) => r.ran), [false], 'an unset variable fails (set -u)')
  const wrong = await runBlocks(shellBlocks("```sh\necho '{\"state\":\"draft\"}'\n#=> {\"state\":\"active\"}\n```\n"), { cwd: dir, env: documentEnv({}) })
  t.teardown(wrong.stop)
  t.same(wrong.results[0]!.missing, ['{"state":"active"}'])
})

t.test('docs/walkthrough.md runs as written, end to end', async (t) => {
  const markdown = readFileSync(join(packageRoot, 'docs', 'walkthrough.md'), 'utf8')
  const blocks = shellBlocks(markdown)
  t.same(conventionProblems(blocks), [], 'every background server is waited for')
  t.ok(blocks.length >= 10, `${blocks.length} sh blocks`)
  const dir = t.testdir({})
  // Nothing substituted: only the variables the document names, and a home of its own.
  const env = documentEnv({ HOME: dir, SKILLGATE: packageRoot, GW_PORT: String(await freePort()), PLATFORM_PORT: String(await freePort()) })
  const run = await runBlocks(blocks, { cwd: dir, env })
  t.teardown(run.stop)
  for (const r of run.results) {
    const where = `walkthrough.md:${r.line}`
    if (!r.ran) t.fail(`${where}: a command in this block failed`, { output: r.output.slice(-4000), stderr: run.stderr().slice(-4000) })
    for (const e of blocks.find((b) => b.line === r.line)!.expects) t.notOk(r.missing.includes(e), `${where}: the output contains ${e}`, { output: r.output.slice(-2000) })
  }
  t.equal(run.results.filter((r) => r.ran).length, blocks.length, 'every block ran', { stderr: run.stderr().slice(-4000) })
})
