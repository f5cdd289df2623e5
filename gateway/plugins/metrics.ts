// Prometheus metrics: default process metrics, an HTTP duration histogram labelled by route
// pattern (never the raw URL, so cardinality stays bounded) and domain counters other modules add.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance { metrics: GatewayMetrics }
}

export interface GatewayMetrics {
  registry: Registry
  httpDuration: Histogram<'method' | 'route' | 'status'>
  counter(name: string, help: string, labelNames?: string[]): Counter<string>
  gauge(name: string, help: string, labelNames?: string[], collect?: (g: Gauge<string>) => Promise<void> | void): Gauge<string>
}

export default fp(async function metricsPlugin(app: FastifyInstance) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const httpDuration = new Histogram({
    name: 'skillgate_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const metrics: GatewayMetrics = {
    registry,
    httpDuration,
    counter: (name, help, labelNames = []) =>
      (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = [], collect) =>
      (registry.getSingleMetric(name) as Gauge<string> | undefined) ??
      new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { async collect(this: Gauge<string>) { await collect(this) } } : {}) }),
  }
  app.decorate('metrics', metrics)
  // Callback style: an async hook costs a promise and a microtask on every response.
  app.addHook('onResponse', (request, reply, done) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
    done()
  })
  app.get('/metrics', { config: { roles: ['public'] }, schema: { hide: true } }, async (_request, reply) => {
    void reply.type(registry.contentType)
    return registry.metrics()
  })
}, { name: 'skillgate-metrics' })
