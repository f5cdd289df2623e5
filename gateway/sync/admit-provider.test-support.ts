// Test support: admits a reference provider platform into a store the way the admission workflow
// leaves it (application 'active', a sealed signing key), so data-interface tests start after
// admission without replaying R6–R12 each time. Only tests import this file.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Store } from '../store/open-store.js'
import { SecretBox } from '../workflow/secret-box.js'

export interface AdmitInput {
  kind: 'on-demand' | 'self-hosted' | 'resource'
  baseUrl?: string | null
  keyId?: string
  secret?: string
  orgName?: string
  providerId?: string
}

export function testSecretBox(): SecretBox {
  return new SecretBox(randomBytes(32))
}

export { sealedKeyOpener as keyOpener } from './provider-directory.js'

export async function admitProvider(store: Store, box: SecretBox, input: AdmitInput): Promise<{ providerId: string; keyId: string; secret: string }> {
  const providerId = input.providerId ?? `prv_${randomUUID()}`
  const keyId = input.keyId ?? `sgk_${randomBytes(12).toString('base64url')}`
  const secret = input.secret ?? randomBytes(32).toString('base64url')
  const now = Date.now()
  const applicationId = `app_${randomUUID()}`
  await store.db.insertInto('applications').values({
    id: applicationId, provider_id: providerId, kind: input.kind, state: 'active', org_name: input.orgName ?? '北京示例教育科技有限公司',
    uscc: '91110108MA01A2B3CF', form: '{}', endpoint_base_url: input.baseUrl ?? null, sandbox_enc: null,
    conformance_report_sha256: null, conformance_verdict: 'conformant', roadshow_decision: null,
    publicity_start_date: null, publicity_end_date: null, publicity_ends_at: null, publicity_paused_on: null,
    commitment_letter_sha256: null, title: '点播培训平台方', created_at: now, updated_at: now,
  }).execute()
  await store.db.insertInto('provider_keys').values({ key_id: keyId, provider_id: providerId, secret_enc: box.seal(secret, keyId), created_at: now, revoked_at: null }).execute()
  return { providerId, keyId, secret }
}
