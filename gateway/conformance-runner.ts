// The gateway's conformance step (R9→R10, and the daily re-assessment of R17): the same library
// the CLI runs. API platforms are probed with runProbe in the configured SSRF mode ('deny' in
// production, so a registered endpoint on an internal address is refused); resource providers are
// judged by the report of their newest checked course package (R5.2-x), since they join by upload.
import { text } from 'node:stream/consumers'
import type { FastifyInstance } from 'fastify'
import { runProbe } from '../conformance/probe.js'
import { sgError } from '../specs/lib/errors.js'
import type { ConformanceRunner, ConformanceTarget } from './workflow/conformance.js'

export interface RunnerOptions {
  mode: 'deny' | 'local'
  /** Courses whose preview media is measured per run (default: every course, each from its own index). */
  sample?: number
  /** Tests map fixture host names to loopback with this. */
  resolver?: Parameters<typeof runProbe>[0]['resolver']
  geoResolver?: Parameters<typeof runProbe>[0]['geoResolver']
}

export function createConformanceRunner(app: FastifyInstance, opts: RunnerOptions): ConformanceRunner {
  return async (target: ConformanceTarget) => {
    if (target.kind === 'resource') return judgeByPackages(app, target)
    if (!target.endpointBaseUrl) throw new Error(`application ${target.applicationId} has no endpoint base URL`)
    const [a, b] = target.sandboxTenants
    const report = await runProbe({
      baseUrl: target.endpointBaseUrl,
      kind: target.kind,
      mode: opts.mode,
      ...(target.signingKey ? { keyId: target.signingKey.keyId, secret: target.signingKey.secret } : {}),
      ...(a && b ? { tenants: { A: a, B: b } } : {}),
      ...(opts.sample !== undefined ? { sample: opts.sample } : {}),
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
      ...(opts.geoResolver ? { geoResolver: opts.geoResolver } : {}),
    })
    // The gateway runs every check; a partial report (never expected here) is no admission verdict.
    return { report, verdict: report.verdict === 'partial' ? 'error' : report.verdict }
  }
}

async function judgeByPackages(app: FastifyInstance, target: ConformanceTarget): ReturnType<ConformanceRunner> {
  const latest = await app.store.db.selectFrom('packages').selectAll()
    .where('provider_id', '=', target.providerId).where('status', '=', 'checked')
    .orderBy('finished_at', 'desc').limit(1).executeTakeFirst()
  // The workflow runs conformance only once a checked package exists (workflow/course-package.ts);
  // should it be gone, the run fails with the documented code instead of storing an error as a report.
  if (!latest?.report_sha256) throw sgError('SG_ERR_PACKAGE_NONE_CHECKED', `provider ${target.providerId}`)
  const report = JSON.parse(await text(await app.packageIngest.report(latest.id, { providerId: target.providerId }))) as { verdict: 'conformant' | 'not-conformant' | 'error' }
  return { report, verdict: report.verdict }
}
