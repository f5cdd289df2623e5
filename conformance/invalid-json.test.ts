// Invalid JSON is named as a parse error with its position (issue 15), not "expected object, found
// nothing"; the twin with the same document well-formed passes.
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resultOf, serviceInfoRewriter, withProvider, probeProvider } from './checks/probe-harness.test-support.js'

async function brokenServiceInfo(t: Test, body: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('service-info that is not JSON: contract.service-info names the parse error and its position (R7)', async (t) => {
  const url = await brokenServiceInfo(t, '{"specVersion": "1.1",, "kind": "on-demand"}')
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const report = await probeProvider(p, { baseUrl: url, only: ['contract.service-info'] })
    const r = resultOf(report, 'contract.service-info')
    t.equal(r.status, 'fail')
    t.match(r.message?.en, /invalid JSON: .*position 22/)
    t.notMatch(r.message?.en, /found nothing/)
    const twin = await probeProvider(p, { baseUrl: await serviceInfoRewriter(t, p, () => {}), only: ['contract.service-info'] })
    t.equal(resultOf(twin, 'contract.service-info').status, 'pass', 'the well-formed twin passes')
  })
})
