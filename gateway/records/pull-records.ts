// The pull side: the gateway reads GET /v1/learning-records?since&cursor&limit from a provider and
// stores what it finds through the same idempotent ingest as pushed batches, so a statement pushed
// and later pulled (or pulled twice) is stored once. Every page is validated; the provider's
// serverTime of the first page becomes the next `since` only after the whole walk is stored.
import { sgError, isSkillgateError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { LearningRecord } from '../../specs/types.gen.js'
import { createProbeClient } from '../../conformance/net/probe-client.js'
import type { Resolver } from '../../conformance/net/ssrf-guard.js'
import { makeSigner } from '../../conformance/signing/index.js'
import type { Store } from '../store/open-store.js'
import type { ProviderDirectory } from '../sync/provider-directory.js'
import { isOperatingApiProvider } from '../sync/provider-directory.js'
import type { IngestResult, LearningRecords } from './learning-records.js'

export interface PullSettings {
  ssrfMode: 'deny' | 'local'
  deadlineMs: number
  retries: number
  maxPages: number
  resolver?: Resolver
}

export interface PullOutcome extends Partial<IngestResult> {
  providerId: string
  outcome: 'stored' | 'failed' | 'skipped'
  pages: number
  errorCode?: string
}

export async function pullLearningRecords(o: { store: Store; directory: ProviderDirectory; records: LearningRecords; settings: PullSettings; providerId: string }): Promise<PullOutcome> {
  const { store, directory, records, settings, providerId } = o
  const provider = await directory.get(providerId)
  // Exited providers keep their obligations for services already sold (R18), but their interface is
  // shut: only operating providers are called.
  if (!isOperatingApiProvider(provider)) return { providerId, outcome: 'skipped', pages: 0 }
  const key = await directory.credentials(providerId)
  if (!key) return { providerId, outcome: 'skipped', pages: 0 }
  const state = await store.db.selectFrom('sync_state').select('records_since').where('provider_id', '=', providerId).executeTakeFirst()
  const validate = schemas().validator('learning-record-page')
  const client = createProbeClient({
    mode: settings.ssrfMode, deadlineMs: settings.deadlineMs, retries: settings.retries, concurrency: 1,
    signer: makeSigner(key), secrets: [key.secret], userAgent: 'skillgate-gateway-records/0.1',
    ...(settings.resolver ? { resolver: settings.resolver } : {}),
  })
  const items: LearningRecord[] = []
  let serverTime = ''
  let pages = 0
  try {
    let cursor: string | null = null
    const seen = new Set<string>()
    do {
      if (pages >= settings.maxPages) throw sgError('SG_ERR_SYNC_TOO_LARGE', `more than ${settings.maxPages} learning-record pages`)
      const url = new URL(`${provider.baseUrl.replace(/\/+$/, '')}/v1/learning-records`)
      url.searchParams.set('limit', '500')
      if (cursor !== null) url.searchParams.set('cursor', cursor)
      else if (state?.records_since) url.searchParams.set('since', state.records_since)
      const res = await client.request({ url, expect: 'json' })
      if (res.status !== 200) throw sgError('SG_ERR_SYNC_UPSTREAM', `GET /v1/learning-records answered ${res.status}`, { status: res.status })
      pages++
      if (!validate(res.json)) throw sgError('SG_ERR_SYNC_PAGE_INVALID', `learning-record page ${pages} does not match learning-record-page.schema.json`, { errors: (validate.errors ?? []).slice(0, 20) })
      const page = res.json as { items: LearningRecord[]; nextCursor: string | null; serverTime: string }
      if (pages === 1) serverTime = page.serverTime
      items.push(...page.items)
      cursor = page.nextCursor
      if (cursor !== null && seen.has(cursor)) throw sgError('SG_ERR_SYNC_CURSOR_CYCLE', `learning-record page ${pages}`)
      if (cursor !== null) seen.add(cursor)
    } while (cursor !== null)
  } catch (err) {
    return { providerId, outcome: 'failed', pages, errorCode: isSkillgateError(err) ? err.code : 'SG_ERR_INTERNAL' }
  } finally {
    await client.close()
  }
  const result: IngestResult = { received: 0, stored: 0, duplicates: 0, voided: 0 }
  // Batches keep each transaction short; the ingest is idempotent, so a crash between them is harmless.
  for (let i = 0; i < items.length; i += 500) {
    const r = await records.ingest(providerId, items.slice(i, i + 500), 'pull')
    result.received += r.received
    result.stored += r.stored
    result.duplicates += r.duplicates
    result.voided += r.voided
  }
  await store.db.insertInto('sync_state').values({ provider_id: providerId, records_since: serverTime, updated_since: null, circuit: 'closed', consecutive_failures: 0, opened_at: null, last_attempt_at: null, last_success_at: null, last_error: null })
    .onConflict((oc) => oc.column('provider_id').doUpdateSet({ records_since: serverTime })).execute()
  return { providerId, outcome: 'stored', pages, ...result }
}
