/* global sessionStorage, fetch, URL */
// The console's only door to data: same-origin fetch to /api/v1/… with the bearer token kept in
// sessionStorage (gone when the tab closes). Failures become ApiError carrying the problem+json.
const KEY = 'sg.console.token'

export const session = {
  get token() { return sessionStorage.getItem(KEY) },
  set token(v) { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY) },
  /** Filled by app.js after /api/v1/console/session: role, subject, now, may (actions this role may take). */
  who: null,
  /** Names for ids (GET /api/v1/console/directory): providers by id, reviewers/admins by token id. */
  dir: { providers: {}, people: {} },
}

/** Whether the signed-in role may take a console action (the API decides anyway). */
export const may = (action) => Boolean(session.who?.may?.includes(action))

/** The organisation name of a provider id (never the bare prv_… id when the gateway knows the name). */
export const orgName = (providerId) => session.dir.providers[providerId]?.name ?? providerId

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`)
    this.status = status
    this.problem = problem ?? {}
  }
}

async function request(path, { method = 'GET', body } = {}) {
  if (!path.startsWith('/')) throw new Error('same-origin paths only')
  const headers = { accept: 'application/json' }
  if (session.token) headers.authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' })
  if (!res.ok) {
    let problem
    try { problem = await res.json() } catch { problem = { title: res.statusText } }
    throw new ApiError(res.status, problem)
  }
  return res
}

export async function api(path, opts) {
  const res = await request(path, opts)
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

/** Fetches a protected binary (document, report, media) and returns a blob: URL for it. */
export async function blobUrl(path) {
  const res = await request(path)
  const blob = await res.blob()
  return { url: URL.createObjectURL(blob), type: blob.type, size: blob.size }
}

/** Probes an endpoint that may not exist on this gateway yet: null on 404 (no such route). */
export async function optional(path) {
  try { return await api(path) } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.problem.code === 'SG_ERR_ROUTE_NOT_FOUND') return null
    throw e
  }
}
