// Test support for the precondition paths: a loopback platform that answers 401 to every request,
// signed or not (its problem+json says SG_ERR_SIG_MISMATCH), and the assertion every path shares:
// no check that needed the failed input passes or fails with its own code.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import type { Report } from './checks/framework.js'

export async function start401Everywhere(t: Test): Promise<{ url: string; requests: () => number }> {
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    req.resume()
    const body = JSON.stringify({ type: 'https://skillgate.example.cn/errors/SG_ERR_SIG_MISMATCH', title: 'Signature does not match', status: 401, code: 'SG_ERR_SIG_MISMATCH', detail: 'refused' })
    res.writeHead(401, { 'content-type': 'application/problem+json', 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  t.teardown(() => new Promise<void>((ok) => {
    server.closeAllConnections()
    server.close(() => ok())
  }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests }
}

/**
 * Every check except `independent` either errors with the root cause `code` or is skipped because a
 * dependency errored with it: none passes, none fails with a code of its own.
 */
export function assertRootCause(t: Test, report: Report, code: string, independent: readonly string[] = [], verdict: Report['verdict'] = 'error'): void {
  for (const r of report.results) {
    if (independent.includes(r.checkId)) continue
    if (r.status === 'skip') {
      t.match(r.message?.en, new RegExp(`errored \\(${code}\\)`), `${r.checkId}: skipped, naming the root cause`)
    } else {
      t.same([r.status, r.errorCode], ['error', code], `${r.checkId}: error ${code}, neither pass nor fail`)
    }
  }
  if (report.verdict === 'partial') t.equal(report.selection?.passed, false, 'a partial run: the selected checks did not pass')
  else t.equal(report.verdict, verdict, verdict === 'error' ? 'the verdict cannot be decided' : `verdict ${verdict}`)
}
