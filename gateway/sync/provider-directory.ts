// Who the data interface works with, and with which key. Admission (gateway/workflow) ends in the
// application state 'active'; what happens afterwards (interview, suspension, exit: R18–R20) is the
// provider's operating status in provider_status, because the admission state machine has no such
// states. A provider with no provider_status row is operating normally ('active').
import type { Kysely } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Store } from '../store/open-store.js'
import type { SecretBox } from '../workflow/secret-box.js'
import type { Database, ProviderOperatingStatus } from '../store/schema.js'

export type ApiKind = 'on-demand' | 'self-hosted'
export const API_KINDS: readonly ApiKind[] = ['on-demand', 'self-hosted']

/** Statuses under which the gateway keeps syncing and assessing a provider. */
export const OPERATING: readonly ProviderOperatingStatus[] = ['active', 'interview']

export interface AdmittedProvider {
  providerId: string
  kind: string
  orgName: string
  baseUrl: string | null
  status: ProviderOperatingStatus
  reasonCode: string | null
}

export interface ApiProvider extends AdmittedProvider {
  kind: ApiKind
  baseUrl: string
}

export interface ProviderCredentials { keyId: string; secret: string }

/** Opens a provider signing key (the workflow's resolver: revoked keys resolve to nothing). */
export type KeyOpener = (keyId: string) => Promise<{ secret: string; providerId: string } | undefined>

export class ProviderDirectory {
  readonly #store: Store
  readonly #openKey: KeyOpener

  constructor(store: Store, openKey: KeyOpener) {
    this.#store = store
    this.#openKey = openKey
  }

  /** Admitted providers (application state 'active') with their operating status. */
  async admitted(filter: { providerId?: string } = {}, db: Kysely<Database> = this.#store.db): Promise<AdmittedProvider[]> {
    let q = db
      .selectFrom('applications as a')
      .leftJoin('provider_status as s', 's.provider_id', 'a.provider_id')
      .select(['a.provider_id', 'a.kind', 'a.org_name', 'a.endpoint_base_url', 's.status', 's.reason_code'])
      .where('a.state', '=', 'active')
    if (filter.providerId !== undefined) q = q.where('a.provider_id', '=', filter.providerId)
    const rows = await q.orderBy('a.provider_id').execute()
    return rows.map((r) => ({
      providerId: r.provider_id,
      kind: r.kind,
      orgName: r.org_name,
      baseUrl: r.endpoint_base_url,
      status: r.status ?? 'active',
      reasonCode: r.reason_code ?? null,
    }))
  }

  async get(providerId: string, db?: Kysely<Database>): Promise<AdmittedProvider> {
    const [found] = await this.admitted({ providerId }, db)
    if (!found) throw sgError('SG_ERR_PROVIDER_UNKNOWN', providerId.slice(0, 80))
    return found
  }

  /** API providers the gateway keeps calling: admitted, operating, with an endpoint. */
  async operatingApiProviders(): Promise<ApiProvider[]> {
    return (await this.admitted()).filter(isOperatingApiProvider)
  }

  /** The newest unrevoked signing key of a provider, opened; undefined when it has none (exit revokes them). */
  async credentials(providerId: string): Promise<ProviderCredentials | undefined> {
    const keys = await this.#store.db.selectFrom('provider_keys').select('key_id').where('provider_id', '=', providerId)
      .where('revoked_at', 'is', null).orderBy('created_at', 'desc').orderBy('key_id').execute()
    for (const { key_id: keyId } of keys) {
      const opened = await this.#openKey(keyId)
      if (opened && opened.providerId === providerId) return { keyId, secret: opened.secret }
    }
    return undefined
  }
}

export function isOperatingApiProvider(p: AdmittedProvider): p is ApiProvider {
  return (API_KINDS as readonly string[]).includes(p.kind) && p.baseUrl !== null && OPERATING.includes(p.status)
}

/** Opens keys straight from provider_keys with the master-key box (when the workflow plugin is not registered). */
export function sealedKeyOpener(store: Store, box: SecretBox | (() => SecretBox)): KeyOpener {
  return async (keyId) => {
    const row = await store.db.selectFrom('provider_keys').selectAll().where('key_id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst()
    if (!row) return undefined
    const secret = (typeof box === 'function' ? box() : box).open(row.secret_enc, row.key_id)
    return secret === undefined ? undefined : { secret, providerId: row.provider_id }
  }
}
