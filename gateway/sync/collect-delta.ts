// Phase one of a catalogue sync: read the whole delta since `updatedSince` into memory, bounded by a
// page cap and a byte cap, validating every page against catalogue-page.schema.json. Nothing is
// written here; a hang, a huge body, a cursor that comes back, an error status or a page that lies
// about its shape ends the walk with a SkillgateError and the store is untouched.
import { isSkillgateError, sgError } from '../../specs/lib/errors.js'
import type { SkillgateError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { CataloguePage } from '../../specs/types.gen.js'
import type { ProbeClient } from '../../conformance/net/probe-client.js'

export interface DeltaLimits {
  /** Entries requested per page (the spec's maximum is 200). */
  pageLimit: number
  /** Pages read at most in one sync. */
  maxPages: number
  /** Decoded bytes read at most in one sync, all pages together. */
  maxBytes: number
}

export type CourseSummary = CataloguePage['items'][number]
export type Tombstone = CataloguePage['tombstones'][number]

export interface CatalogueDelta {
  items: CourseSummary[]
  tombstones: Tombstone[]
  /** serverTime of the first page: the next sync's updatedSince (changes during the walk are re-read). */
  serverTime: string
  pages: number
  bytes: number
}

function upstreamError(err: unknown): SkillgateError {
  if (isSkillgateError(err) && (err.code.startsWith('SG_ERR_SYNC_') || err.code.startsWith('SG_ERR_NET_'))) return err
  return sgError('SG_ERR_SYNC_UPSTREAM', (err as Error).message, undefined, err)
}

export async function collectDelta(client: ProbeClient, baseUrl: string, updatedSince: string | null, limits: DeltaLimits, signal?: AbortSignal): Promise<CatalogueDelta> {
  const validate = schemas().validator('catalogue-page')
  const seenCursors = new Set<string>()
  const delta: CatalogueDelta = { items: [], tombstones: [], serverTime: '', pages: 0, bytes: 0 }
  let cursor: string | null = null
  do {
    if (delta.pages >= limits.maxPages) throw sgError('SG_ERR_SYNC_TOO_LARGE', `more than ${limits.maxPages} pages`, { maxPages: limits.maxPages })
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v1/courses`)
    url.searchParams.set('limit', String(limits.pageLimit))
    if (cursor !== null) url.searchParams.set('cursor', cursor)
    else if (updatedSince !== null) url.searchParams.set('updatedSince', updatedSince)
    const remaining = limits.maxBytes - delta.bytes
    let res
    try {
      res = await client.request({ url, expect: 'json', maxBodyBytes: Math.max(1, remaining), ...(signal ? { signal } : {}) })
    } catch (err) {
      if (isSkillgateError(err) && err.code === 'SG_ERR_NET_BODY_TOO_LARGE') {
        throw sgError('SG_ERR_SYNC_TOO_LARGE', `the delta exceeds ${limits.maxBytes} bytes`, { maxBytes: limits.maxBytes }, err)
      }
      throw upstreamError(err)
    }
    if (res.status !== 200) {
      const code = (res.json as { code?: unknown } | undefined)?.code
      throw sgError('SG_ERR_SYNC_UPSTREAM', `GET ${url.pathname} answered ${res.status}`, { status: res.status, ...(typeof code === 'string' ? { providerCode: code } : {}) })
    }
    delta.pages++
    delta.bytes += res.body.length
    if (!validate(res.json)) {
      const errors = (validate.errors ?? []).slice(0, 20).map((e) => ({ path: e.instancePath || '/', message: e.message ?? e.keyword }))
      throw sgError('SG_ERR_SYNC_PAGE_INVALID', `page ${delta.pages}: ${errors.map((e) => `${e.path} ${e.message}`).slice(0, 3).join('; ')}`, { page: delta.pages, errors })
    }
    const page = res.json as CataloguePage
    if (delta.pages === 1) delta.serverTime = page.serverTime
    delta.items.push(...page.items)
    delta.tombstones.push(...page.tombstones)
    cursor = page.nextCursor
    if (cursor !== null) {
      if (seenCursors.has(cursor)) throw sgError('SG_ERR_SYNC_CURSOR_CYCLE', `page ${delta.pages} returned a cursor already followed`, { page: delta.pages })
      seenCursors.add(cursor)
    }
  } while (cursor !== null)
  return delta
}
