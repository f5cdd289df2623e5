// The provider API in Swagger UI, from the swagger-ui-dist build that @fastify/swagger-ui ships
// (the gateway's own /docs uses the same files). The OpenAPI document and the schemas it references
// are bundled into one script (window.SG_PROVIDER_API), so the page works opened from disk, where a
// browser may not fetch JSON, and no request leaves the origin: no validator badge, no "try it out".
import SwaggerParser from '@apidevtools/swagger-parser'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { specPath } from '../paths.js'
import { esc } from './layout.js'

const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const

/** swagger-ui-dist's files as @fastify/swagger-ui ships them: site path → bytes. */
export function swaggerUiAssets(): Array<{ path: string; body: Buffer }> {
  const root = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json')), 'static')
  return SWAGGER_UI_FILES.map((f) => ({ path: `assets/swagger-ui/${f}`, body: readFileSync(join(root, f)) }))
}

type Node = Record<string, unknown>

/**
 * Chinese first in what Swagger UI shows: a description with an x-description-zh becomes both,
 * Chinese above English; an operation's summary is already "English / 中文" and gets its
 * x-summary-zh only when it lacks Chinese. `$id` and `$schema` are dropped: after bundling every
 * reference is a pointer into the one document, and a nested `$id` would re-base them.
 */
function forDisplay(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forDisplay)
  if (node === null || typeof node !== 'object') return node
  const out: Node = {}
  for (const [k, v] of Object.entries(node as Node)) {
    if (k === '$id' || k === '$schema') continue
    out[k] = forDisplay(v)
  }
  if (typeof out['x-description-zh'] === 'string' && typeof out.description === 'string') out.description = `${out['x-description-zh']}\n\n${out.description}`
  if (typeof out['x-summary-zh'] === 'string' && typeof out.summary === 'string' && !/[\u4e00-\u9fff]/.test(out.summary)) out.summary = `${out.summary} / ${out['x-summary-zh']}`
  return out
}

/** The provider OpenAPI with every external $ref bundled in, as a script that sets window.SG_PROVIDER_API. */
export async function bundledProviderApi(): Promise<string> {
  const bundled = await SwaggerParser.bundle(specPath('openapi', 'provider-api.openapi.json'))
  const json = JSON.stringify(forDisplay(bundled)).replace(/</g, '\\u003c')
  return `// GENERATED from openapi/provider-api.openapi.json and the schemas it references.\nwindow.SG_PROVIDER_API = ${json};\n`
}

export const SWAGGER_INIT_JS = `// Swagger UI over the bundled provider API: nothing is fetched, validated or sent elsewhere.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    spec: window.SG_PROVIDER_API,
    dom_id: '#swagger-ui',
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    supportedSubmitMethods: [],
    tryItOutEnabled: false,
  })
})
`

export function openApiBody(): string {
  return `<p><span class="zh" lang="zh-CN">点播与自有课平台须按本接口规范提供数据接口，由管理平台（网关）与检测工具调用。所有调用均须签名（见<a href="../signing/index.html">请求签名</a>），错误为 RFC 9457 problem+json（见<a href="../errors/index.html">错误码</a>）。</span>
<span class="en" lang="en">On-demand and self-hosted platforms serve this API; the management platform (the gateway) and the conformance kit call it. Every call is signed (see <a href="../signing/index.html">request signing</a>); errors are RFC 9457 problem+json (see <a href="../errors/index.html">error codes</a>).</span></p>
<p class="source">OpenAPI 3.1: <a href="provider-api.openapi.json">provider-api.openapi.json</a></p>
<div id="swagger-ui">${esc('')}</div>`
}
