// Read-only views the console needs beyond the workflow API: what the signed-in user may do (derived
// from the roles every route declares, so the console never offers what the API would refuse) and a
// provider's history as day series (courses, free share, feedback).
import type { FastifyInstance } from 'fastify'
import type { Role } from '../plugins/auth.js'

/**
 * The console's actions and the route each one calls. `may` in /api/v1/console/session is computed
 * from these routes' declared roles with the guard's own rule (an admin may what a reviewer may).
 */
export const CONSOLE_ACTIONS = {
  'material-review': ['POST', '/api/v1/applications/:id/material-review'],
  'conformance-retry': ['POST', '/api/v1/applications/:id/conformance'],
  'roadshow-score': ['POST', '/api/v1/applications/:id/roadshow/scores'],
  'roadshow-decision': ['POST', '/api/v1/applications/:id/roadshow/decision'],
  'start-publicity': ['POST', '/api/v1/applications/:id/publicity/start'],
  'confirm-objector': ['POST', '/api/v1/applications/:id/objections/:objectionId/confirm'],
  'resolve-objection': ['POST', '/api/v1/applications/:id/objections/:objectionId/resolve'],
  'course-review': ['POST', '/api/v1/course-review/:courseId/approve'],
  'course-takedown': ['POST', '/api/v1/courses/:courseId/takedown'],
  'provider-action': ['POST', '/api/v1/providers/:providerId/actions'],
  'voluntary-exit': ['POST', '/api/v1/providers/:providerId/exit'],
  'forced-exit': ['POST', '/api/v1/providers/:providerId/forced-exit'],
  'run-workflow-jobs': ['POST', '/api/v1/admin/jobs/run-workflow'],
  'sync-run': ['POST', '/api/v1/sync/run'],
} as const satisfies Record<string, readonly [string, string]>

export type ConsoleAction = keyof typeof CONSOLE_ACTIONS

/** The guard's rule (gateway/plugins/auth.ts): the route's roles, and admin inherits reviewer. */
export const roleMay = (role: Role, roles: readonly Role[]): boolean =>
  roles.includes('public') || roles.includes(role) || (role === 'admin' && roles.includes('reviewer'))

/** Actions the role may take: an action whose route is not registered on this gateway is not offered. */
export function mayActions(role: Role, routes: readonly { method: string; url: string; roles: readonly Role[] }[]): ConsoleAction[] {
  return (Object.keys(CONSOLE_ACTIONS) as ConsoleAction[]).filter((action) => {
    const [method, url] = CONSOLE_ACTIONS[action]
    const route = routes.find((r) => r.method === method && r.url === url)
    return route !== undefined && roleMay(role, route.roles)
  })
}

/**
 * Live course count and free share at the end of each day on which a course of the provider went
 * live or came down (a taken-down or superseded version counts until it changed). Days in Asia/Shanghai.
 */
export function courseSeries(rows: readonly { status: string; free: number; published_at: number | null; updated_at: number }[]): { day: string; live: number; free: number; freeShare: number | null }[] {
  const day = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
  const events: { at: number; delta: number; free: number }[] = []
  for (const r of rows) {
    if (r.published_at === null) continue
    events.push({ at: r.published_at, delta: 1, free: r.free })
    if (r.status === 'taken-down' || r.status === 'superseded') events.push({ at: r.updated_at, delta: -1, free: r.free })
  }
  events.sort((a, b) => a.at - b.at)
  const out = new Map<string, { live: number; free: number }>()
  let live = 0
  let free = 0
  for (const e of events) {
    live += e.delta
    free += e.free === 1 ? e.delta : 0
    out.set(day(e.at), { live, free })
  }
  return [...out].map(([d, v]) => ({ day: d, live: v.live, free: v.free, freeShare: v.live > 0 ? Math.round((v.free / v.live) * 1000) / 1000 : null }))
}

const dayOf = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)

export interface FeedbackDay { day: string; filed: number; responseRate: number | null; resolutionRate: number | null; satisfaction: number | null }

/**
 * Feedback by filing day (Asia/Shanghai), cumulative up to each day: of the tickets filed so far,
 * the share answered and resolved, and the mean rating (of 5) of those rated (R19's three rates).
 */
export function feedbackSeries(rows: readonly { filed_at: number; responded_at: number | null; resolved_at: number | null; rating: number | null }[]): FeedbackDay[] {
  const sorted = [...rows].sort((a, b) => a.filed_at - b.filed_at)
  const out = new Map<string, FeedbackDay>()
  let filed = 0, responded = 0, resolved = 0, rated = 0, ratingSum = 0
  for (const r of sorted) {
    filed++
    if (r.responded_at !== null) responded++
    if (r.resolved_at !== null) resolved++
    if (r.rating !== null) { rated++; ratingSum += r.rating }
    const share = (n: number): number => Math.round((n / filed) * 1000) / 1000
    out.set(dayOf(r.filed_at), { day: dayOf(r.filed_at), filed, responseRate: share(responded), resolutionRate: share(resolved), satisfaction: rated ? Math.round((ratingSum / rated) * 100) / 100 : null })
  }
  return [...out.values()]
}

/** The console's read-only data routes: names for ids, and a provider's history as day series. */
export function registerConsoleDataRoutes(app: FastifyInstance): void {
  const tags = ['console']
  app.get('/api/v1/console/directory', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'Names for the ids the console shows: organisations by provider id, reviewers and admins by token id (labels only)' },
  }, async () => {
    const db = app.store.db
    const apps = await db.selectFrom('applications').select(['provider_id', 'org_name', 'kind', 'updated_at']).orderBy('updated_at', 'desc').limit(5000).execute()
    const providers: Record<string, { name: string; kind: string }> = {}
    for (const a of apps) providers[a.provider_id] ??= { name: a.org_name, kind: a.kind }
    const tokens = await db.selectFrom('api_tokens').select(['id', 'role', 'label']).where('role', 'in', ['reviewer', 'admin']).limit(5000).execute()
    return { providers, people: Object.fromEntries(tokens.map((x) => [x.id, { role: x.role, label: x.label }])) }
  })

  app.get('/api/v1/console/providers/:providerId/history', {
    config: { roles: ['reviewer'] },
    schema: { tags, summary: 'A provider over time: scheduled conformance runs (R17), its courses (package courses by publication day, synced courses by the day the gateway first stored them) and feedback rates by filing day (R19)', params: { type: 'object', properties: { providerId: { type: 'string', maxLength: 128 } }, required: ['providerId'] } },
  }, async (request) => {
    const { providerId } = request.params as { providerId: string }
    const db = app.store.db
    const runs = await db.selectFrom('assessment_runs').selectAll().where('provider_id', '=', providerId).orderBy('started_at').limit(500).execute()
    const packaged = await db.selectFrom('courses').select(['status', 'free', 'published_at', 'updated_at']).where('provider_id', '=', providerId).execute()
    // API providers' courses live in the course centre (catalogue sync): a course counts from the
    // sync that first stored it; a taken-down one until it was taken down.
    const synced = await db.selectFrom('centre_courses').select(['status', 'free', 'created_at', 'updated_at']).where('provider_id', '=', providerId).where('source', '=', 'sync').execute()
    const tickets = await db.selectFrom('feedback_tickets').select(['filed_at', 'responded_at', 'resolved_at', 'rating']).where('provider_id', '=', providerId).execute()
    return {
      providerId,
      runs: runs.map((r) => ({ id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, verdict: r.verdict, summary: JSON.parse(r.summary) as unknown, drift: JSON.parse(r.drift) as unknown })),
      courses: courseSeries([...packaged, ...synced.map((c) => ({ status: c.status, free: c.free, published_at: c.created_at, updated_at: c.updated_at }))]),
      feedback: feedbackSeries(tickets),
    }
  })

  // A wildcard, not a :param: tickets are longer than the router's parameter limit.
}
