// `skillgate reproduce REPORT.json CHECK_ID`: replay the request behind a failed check, signed afresh
// with the engineer's own key (issue 18). A report never holds a secret or a token, and a recorded
// signature cannot be replayed (its nonce is spent), so the request is rebuilt from the evidence,
// signed now, sent, and the response printed; then the equivalent shell command, with the secret
// and the token as $VARIABLES, never their values.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { request as undiciRequest } from 'undici'
import type { EvidenceRequest } from '../../conformance/net/evidence.js'
import { REDACTED } from '../../conformance/net/scrub.js'
import { isSignedRequest, signedCurl } from '../../conformance/net/signed-curl.js'
import { toCurl } from '../../conformance/net/to-curl.js'
import { SIGNATURE_HEADERS, signRequest } from '../../conformance/signing/index.js'
import { EXIT, UsageError, parseFlags, type CliIo, type Command } from '../io.js'

const usage = `
Usage:
  skillgate reproduce REPORT.json CHECK_ID [--key-id ID --secret-env VAR] [--token-env VAR] [--request N]

Replays the HTTP request recorded for CHECK_ID in a skillgate JSON report (skillgate-report/report.json):
rebuilt from the evidence, signed afresh with your key when the original was signed, sent, and the
response printed; then the equivalent shell command (curl + openssl), secrets and tokens as $VARIABLES.

Options:
  --key-id ID      signing key id (needed when the recorded request was signed)
  --secret-env VAR environment variable holding the signing secret
  --token-env VAR  environment variable holding the tenant token (when the request carried one)
  --request N      which recorded request of the check (1 = first; default: the one its reproduce line names)
  --max-time S     seconds to wait for the answer (default 30)

Exit codes: 0 the request was replayed (whatever the answer), 2 usage error, 3 target unreachable.
`

const OPTIONS = {
  'key-id': { type: 'string' }, 'secret-env': { type: 'string' }, 'token-env': { type: 'string' },
  request: { type: 'string' }, 'max-time': { type: 'string' },
} as const

interface ReportLike { results?: Array<{ checkId: string; status: string; reproduce?: string; evidence?: Array<{ kind: string; data?: { request?: EvidenceRequest } }> }> }

const EXCERPT = 2048

function recordedRequests(report: ReportLike, checkId: string): { requests: EvidenceRequest[]; reproduce?: string } {
  const results = report.results ?? []
  const result = results.find((r) => r.checkId === checkId)
  if (!result) {
    throw new UsageError(`the report has no check '${checkId}'; it has: ${results.map((r) => r.checkId).slice(0, 12).join(', ')}${results.length > 12 ? ', …' : ''}`)
  }
  const requests = (result.evidence ?? []).filter((e) => e.kind === 'http' && e.data?.request).map((e) => e.data!.request!)
  return { requests, ...(result.reproduce ? { reproduce: result.reproduce } : {}) }
}

function pick(requests: EvidenceRequest[], reproduce: string | undefined, raw: string | undefined): EvidenceRequest {
  if (raw !== undefined) {
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1 || n > requests.length) throw new UsageError(`--request takes 1..${requests.length}, got '${raw}'`)
    return requests[n - 1]!
  }
  return [...requests].reverse().find((r) => reproduce?.includes(r.url)) ?? requests[requests.length - 1]!
}

function fromEnv(io: CliIo, flag: string, variable: string | undefined, why: string): string {
  if (variable === undefined) throw new UsageError(`${why}: pass ${flag} VAR`)
  const value = io.env[variable]
  if (value === undefined || value === '') throw new UsageError(`${flag} ${variable}: the variable is not set in this shell (export ${variable}=…)`)
  return value
}

/** The request to send now: recorded headers, credentials from the environment, a fresh signature. */
function rebuild(req: EvidenceRequest, io: CliIo, flags: Record<string, string | undefined>): { headers: Record<string, string>; body?: Buffer } {
  if (req.bodyTruncated) throw new UsageError(`the report holds only the first ${EXCERPT} bytes of this request's body, so it cannot be replayed exactly; rerun the probe with --only for this check`)
  if (req.url.includes(REDACTED) || req.url.includes(encodeURIComponent(REDACTED))) throw new UsageError('the recorded URL carried a credential (redacted in the report); it cannot be replayed')
  const signatureNames = new Set(Object.values(SIGNATURE_HEADERS).map((h) => h.toLowerCase()))
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase()
    if (signatureNames.has(lower) || lower === 'host' || lower === 'content-length') continue
    if (lower === 'authorization' && value.includes(REDACTED)) {
      headers[name] = `Bearer ${fromEnv(io, '--token-env', flags['token-env'], 'the request carried a tenant token')}`
      continue
    }
    if (value.includes(REDACTED)) throw new UsageError(`header ${name} was redacted in the report and cannot be rebuilt`)
    headers[name] = value
  }
  const body = req.bodyExcerpt === undefined ? undefined : Buffer.from(req.bodyExcerpt, 'utf8')
  if (isSignedRequest(req)) {
    const keyId = flags['key-id']
    if (keyId === undefined) throw new UsageError('the request was signed: pass --key-id ID --secret-env VAR to sign it afresh')
    const secret = fromEnv(io, '--secret-env', flags['secret-env'], 'the request was signed')
    Object.assign(headers, signRequest({ method: req.method, url: req.url, headers, body, keyId, secret }))
  }
  return { headers, ...(body ? { body } : {}) }
}

async function reproduce(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, OPTIONS)
  const [file, checkId, extra] = positionals
  if (!file || !checkId) throw new UsageError('reproduce needs the JSON report and a check id: skillgate reproduce skillgate-report/report.json CHECK_ID')
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
  const maxTime = values['max-time'] === undefined ? 30 : Number(values['max-time'])
  if (!Number.isFinite(maxTime) || maxTime <= 0) throw new UsageError(`--max-time takes seconds > 0, got '${values['max-time']}'`)
  let report: ReportLike
  try {
    report = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8')) as ReportLike
  } catch (err) {
    throw new UsageError(`cannot read the report ${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  const { requests, reproduce: recorded } = recordedRequests(report, checkId)
  if (requests.length === 0) {
    io.stdout.write(recorded ? `${checkId} recorded no HTTP request to replay; its reproduce line:\n${recorded}\n` : `${checkId} recorded no HTTP request to replay.\n`)
    return recorded ? EXIT.ok : EXIT.usage
  }
  const req = pick(requests, recorded, values.request)
  const { headers, body } = rebuild(req, io, values)
  io.stderr.write(`replaying ${req.method} ${req.url}${isSignedRequest(req) ? ' (signed afresh)' : ''}\n`)
  let res
  try {
    res = await undiciRequest(req.url, { method: req.method as 'GET', headers, ...(body ? { body } : {}), headersTimeout: maxTime * 1000, bodyTimeout: maxTime * 1000 })
  } catch (err) {
    io.stderr.write(`skillgate reproduce: ${req.url} cannot be reached: ${(err as Error).message}\n`)
    return EXIT.unreachable
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size >= EXCERPT) break
  }
  res.body.destroy()
  const text = Buffer.concat(chunks).subarray(0, EXCERPT).toString('utf8')
  io.stdout.write(`HTTP ${res.statusCode}\n${Object.entries(res.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\n')}\n\n${text}${size >= EXCERPT ? '\n<…first 2 KiB>' : ''}\n\n`)
  const command = isSignedRequest(req)
    ? signedCurl(req, { ...(values['secret-env'] ? { secretVar: values['secret-env'] } : {}), ...(values['token-env'] ? { tokenVar: values['token-env'] } : {}), maxTimeSeconds: maxTime })
    : undefined
  io.stdout.write(`equivalent command:\n${command ?? toCurl({ request: req }, { maxTimeSeconds: maxTime })}\n`)
  return EXIT.ok
}

export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: 'replay the request behind a failed check from a JSON report, signed afresh with your key',
  usage,
  run: reproduce,
}
