// Builds the gateway. Every Fastify plugin is in plugins/ (store, raw JSON body, auth, metrics,
// swagger, and the feature services: workflow, ingest, data interface), every route module in
// routes/ (one encapsulated module per resource); each feature's logic stays in its own folder
// (workflow/, ingest/, sync/, …). A feature plugin is registered before the routes that use it.
// Nothing here listens; main.ts does.
import Fastify, { type FastifyInstance } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { join } from 'node:path'
import type { GatewayConfig } from './config.js'
import { openStore, type Store } from './store/open-store.js'
import { registerErrorHandling } from './plugins/errors.js'
import storePlugin from './plugins/store.js'
import blobsPlugin from './plugins/blobs.js'
import rawJsonBodyPlugin from './plugins/raw-json-body.js'
import authPlugin from './plugins/auth.js'
import inputHardeningPlugin, { clientErrorHandler, frameworkErrors } from './plugins/input-hardening.js'
import metricsPlugin from './plugins/metrics.js'
import swaggerPlugin from './plugins/swagger.js'
import workflowPlugin from './plugins/workflow.js'
import ingestPlugin from './plugins/ingest.js'
import dataInterfacePlugin from './plugins/data-interface.js'
import healthRoutes from './routes/health.js'
import specRoutes from './routes/spec.js'
import applicationRoutes from './routes/applications.js'
import publicityRoutes from './routes/publicity.js'
import adminRoutes from './routes/admin.js'
import providerRoutes from './routes/providers.js'
import packageRoutes from './routes/packages.js'
import courseReviewRoutes from './routes/course-review.js'
import consoleRoutes from './routes/console.js'
import courseRoutes from './routes/courses.js'
import learningRecordRoutes from './routes/learning-records.js'
import feedbackRoutes from './routes/feedback.js'
import trainingBodyRoutes from './routes/training-bodies.js'
import assessmentRoutes from './routes/assessment.js'
import exitRoutes from './routes/exit.js'
import demoClockRoutes from './routes/demo-clock.js'

declare module 'fastify' {
  interface FastifyInstance { config: Readonly<GatewayConfig> }
}

/** Secrets never reach the logs. */
export const REDACT = [
  'req.headers.authorization', 'req.headers["x-sg-signature"]', 'req.headers.cookie',
  '*.secret', '*.token', '*.password', '*.privateKey', 'secret', 'token',
]

export interface BuildOptions {
  config: Readonly<GatewayConfig>
  /** Use an already-open store (tests); otherwise one is opened from the config and closed with the app. */
  store?: Store
  /** Extra route modules (later issues register theirs in routes/index). */
  logger?: boolean
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts
  const app = Fastify({
    logger: opts.logger === false || config.logLevel === 'silent' ? false : { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Malformed HTTP (a raw NUL in the request line, say) is answered as problem+json too.
    clientErrorHandler,
    frameworkErrors,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  })
  app.decorate('config', config)
  registerErrorHandling(app)

  const store = opts.store ?? openStore({ databaseUrl: config.databaseUrl, sqlitePath: join(config.dataDir, 'skillgate.db'), sqliteExclusive: true })
  if (!opts.store) await store.migrate()
  await app.register(storePlugin, { store, closeOnShutdown: !opts.store })
  await app.register(blobsPlugin)
  await app.register(rawJsonBodyPlugin)
  // The rate limiter before authentication: both are route-level onRequest hooks, run in this order.
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    // The limit headers go on the 429 (with Retry-After), not on every answer: three validated
    // headers per request were a measurable share of a cached read (bench/gateway).
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error('rate limited'), { statusCode: 429, headers: { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) } }),
  })
  await app.register(authPlugin, { store, publicPrefixes: ['/docs'] })
  // After auth (anonymous callers of a login route get 401 before any 400), before every route.
  await app.register(inputHardeningPlugin)
  await app.register(metricsPlugin)
  await app.register(swaggerPlugin)

  await app.register(healthRoutes)
  await app.register(specRoutes)
  await app.register(workflowPlugin)
  await app.register(applicationRoutes)
  await app.register(publicityRoutes)
  await app.register(adminRoutes)
  await app.register(providerRoutes)
  await app.register(ingestPlugin)
  await app.register(packageRoutes)
  await app.register(courseReviewRoutes)
  await app.register(consoleRoutes)
  await app.register(dataInterfacePlugin, { settings: config.dataInterface })
  await app.register(courseRoutes)
  await app.register(learningRecordRoutes)
  await app.register(feedbackRoutes)
  await app.register(trainingBodyRoutes)
  await app.register(assessmentRoutes)
  await app.register(exitRoutes)
  if (config.demo) await app.register(demoClockRoutes)
  return app
}
