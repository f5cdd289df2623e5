// Test support for the platform checks: start a reference provider, probe it with a selection of
// checks, and put a rewriting proxy in front of it when a defect has no switch of its own. The
// proxy forwards every request unchanged (Host included, so signatures still verify upstream) and
// may rewrite one JSON answer, so the twin differs from the compliant platform by exactly that.
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http'
import type { ServiceInfo } from '../../specs/types.gen.js'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { startProvider, type RunningProvider, type StartProviderOptions } from '../../fixtures/providers/index.js'
import { runProbe, type RunProbeOptions } from '../probe.js'
import type { CheckResult, Report } from './framework.js'

export type JsonRewrite = (path: string, query: URLSearchParams, body: unknown) => unknown

/** Replace the headers sent upstream (e.g. re-sign, as a platform that accepts any signature would). */
export type HeaderRewrite = (method: string, url: URL, headers: Record<string, string>) => Record<string, string>

export interface RewritingProxy { url: string; close(): Promise<void> }

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** A loopback proxy to `upstream`; `rewrite` may return a replacement for any JSON body (undefined keeps it). */
export async function startRewritingProxy(upstream: string, rewrite: JsonRewrite, rewriteHeaders?: HeaderRewrite): Promise<RewritingProxy> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req)
      const target = new URL(req.url ?? '/', upstream)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'connection' && k !== 'content-length') headers[k] = v
      const sent = rewriteHeaders ? rewriteHeaders(req.method ?? 'GET', new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), headers) : headers
      const up = await request(target, { method: (req.method ?? 'GET') as 'GET', headers: sent, body: body.length > 0 ? body : null })
      let out = Buffer.from(await up.body.arrayBuffer())
      const outHeaders: Record<string, string | string[]> = {}
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') outHeaders[k] = v
      if (/json/.test(String(up.headers['content-type'] ?? '')) && out.length > 0) {
        const replaced = rewrite(target.pathname, target.searchParams, JSON.parse(out.toString('utf8')))
        if (replaced !== undefined) out = Buffer.from(JSON.stringify(replaced))
      }
      res.writeHead(up.statusCode, { ...outHeaders, 'content-length': String(out.length) })
      res.end(out)
    })().catch((err: Error) => {
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(err.message)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections()
      server.close(() => ok())
    }),
  }
}

/** A loopback proxy that forwards bytes unchanged (signatures stay valid) and lets `rewrite` edit service-info. */
export async function serviceInfoRewriter(t: { teardown(fn: () => unknown): void }, provider: RunningProvider, rewrite: (info: ServiceInfo) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const upstream = httpRequest({ host: '127.0.0.1', port: provider.port, method: req.method, path: req.url, headers: req.headers }, (up: IncomingMessage) => {
        const body: Buffer[] = []
        up.on('data', (c: Buffer) => body.push(c))
        up.on('end', () => {
          let out = Buffer.concat(body)
          if (req.url?.startsWith('/v1/service-info') && up.statusCode === 200) {
            const info = JSON.parse(out.toString('utf8')) as ServiceInfo
            rewrite(info)
            out = Buffer.from(JSON.stringify(info))
          }
          res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(out.length) })
          res.end(out)
        })
      })
      upstream.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Small catalogues keep the suite fast; 120 courses still clear R5.1-2. */
export const TEST_COURSES = 120

export async function withProvider<T>(o: Partial<StartProviderOptions> & Pick<StartProviderOptions, 'kind'>, fn: (p: RunningProvider) => Promise<T>): Promise<T> {
  const p = await startProvider({ courses: TEST_COURSES, seed: 7, ...o })
  try {
    return await fn(p)
  } finally {
    await p.close()
  }
}

/** Probe `p` (or `baseUrl`, e.g. a proxy in front of it) running only `only` and their dependencies. */
export function probeProvider(p: RunningProvider, o: Partial<RunProbeOptions> = {}): Promise<Report> {
  return runProbe({ baseUrl: p.url, kind: p.kind, keyId: p.keyId, secret: p.secret, mode: 'local', deadlineMs: 5_000, tenants: p.tenants, ...o })
}

export function resultOf(report: Report, checkId: string): CheckResult {
  const r = report.results.find((x) => x.checkId === checkId)
  if (!r) throw new Error(`${checkId} is not in the report (ran: ${report.results.map((x) => x.checkId).join(', ')})`)
  return r
}

export interface TwinCase {
  /** The check under test and the requirement its failure must name. */
  check: string
  requirement: string
  kind: StartProviderOptions['kind']
  /** What makes the twin defective: a provider defect switch, a proxy rewrite, or provider options. */
  defects?: StartProviderOptions['defects']
  rewrite?: JsonRewrite
  /** Rewrite request headers in the proxy (needs the provider; see `HeaderRewrite`). */
  rewriteHeaders?: (p: RunningProvider) => HeaderRewrite
  provider?: Partial<StartProviderOptions>
  probe?: Partial<RunProbeOptions>
  /** Expected status of the twin (default 'fail'). */
  status?: CheckResult['status']
  because: string
}

/** Run one twin: the named check must come out `status` (fail), naming its requirement. */
export async function runTwin(c: TwinCase): Promise<{ report: Report; result: CheckResult }> {
  return withProvider({ kind: c.kind, ...(c.defects ? { defects: c.defects } : {}), ...c.provider }, async (p) => {
    const proxied = c.rewrite !== undefined || c.rewriteHeaders !== undefined
    const proxy = proxied ? await startRewritingProxy(p.loopbackUrl, c.rewrite ?? (() => undefined), c.rewriteHeaders?.(p)) : undefined
    try {
      const report = await probeProvider(p, { only: [c.check], ...(proxy ? { baseUrl: proxy.url } : {}), ...c.probe })
      return { report, result: resultOf(report, c.check) }
    } finally {
      await proxy?.close()
    }
  })
}
